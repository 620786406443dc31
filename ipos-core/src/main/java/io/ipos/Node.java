package io.ipos;

import java.util.function.Consumer;

/**
 * A shared container: a map, list or set with an id unique across processes.
 *
 * <p>A node id is {@code counter << CREATOR_BITS | creator}, where {@code creator} is the id of the
 * process that made the container (0 for the parent, 1, 2... for children in the order the parent
 * admitted them) and {@code counter} counts that process's containers from 1. The root that holds
 * the fields is node 0.
 *
 * <p>A node is <em>attached</em> while it is reachable from the root. Everything here is guarded
 * by the replica's lock.
 */
sealed interface Node permits MapNode, ListNode, SetNode {
    int CREATOR_BITS = 20;
    int MAX_CREATOR = (1 << CREATOR_BITS) - 1;

    static long id(int creator, long counter) {
        return counter << CREATOR_BITS | creator;
    }

    static int creatorOf(long id) {
        return (int) (id & MAX_CREATOR);
    }

    static long counterOf(long id) {
        return id >>> CREATOR_BITS;
    }

    /**
     * {@code value} as a node, or null. Tests the three final classes: each test is one compare,
     * while {@code instanceof Node} on a value that is not one scans its class's interfaces, which
     * took most of a local {@code put} (see docs/design.md, "Latency and the hot path").
     */
    static Node of(Object value) {
        return value instanceof MapNode m ? m : value instanceof ListNode l ? l : value instanceof SetNode s ? s : null;
    }

    long id();

    Replica replica();

    boolean attached();

    void attached(boolean attached);

    /** The wire tag of this kind of container literal. */
    int literalTag();

    /** Calls {@code action} for each value held directly by this node that is itself a node. */
    void forEachChildNode(Consumer<Node> action);

    /** Number of wire elements the contents take (a map takes 2 per entry). */
    int contentElementCount();

    /** Calls {@code action} on each raw content element in wire order (map: key, value, ...). */
    void forEachContentElement(Consumer<Object> action);

    /** A fresh, unattached node with a new id and a deep copy of this node's contents. */
    Node deepCopy();

    /** For messages: {@code "map 1048576"}. */
    default String describe() {
        return kindName() + " " + id();
    }

    String kindName();
}
