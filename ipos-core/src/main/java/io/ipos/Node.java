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

    /** Where the node sits and who listens to it. */
    NodeSite site();

    /** Whether the node is reachable from the root ({@link #depth()} is not -1). */
    default boolean attached() {
        return site().depth >= 0;
    }

    /**
     * How many containers lie between the root and this node: the root is 0, a field's container
     * 1, a container inside it 2...; -1 while detached. Set by {@link Replica#attach}.
     */
    default int depth() {
        return site().depth;
    }

    /** The container holding this node while it is attached; null for the root and while detached. */
    default Node parent() {
        return site().parent;
    }

    /** Records where the node now sits (parent null and depth -1: detached). */
    default void place(Node parent, int depth) {
        NodeSite s = site();
        s.parent = parent;
        s.depth = depth;
    }

    /** Subscribes {@code listener} to this node's changes (what each node's {@code onChange} does). */
    @SuppressWarnings("unchecked")
    default Subscription subscribe(Consumer<?> listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        Replica r = replica();
        r.acquire();
        try {
            return r.feed.subscribe(this, (Consumer<Object>) listener);
        } finally {
            r.release();
        }
    }

    /** The listeners subscribed to this node's changes. */
    default java.util.List<ChangeFeed.Listener> listeners() {
        return site().listeners();
    }

    /** The key (map) or index (list) under which this node holds {@code child}, by identity; null if it does not. */
    Object keyOf(Node child);

    /** The wire tag of this kind of container literal. */
    int literalTag();

    /** Calls {@code action} for each value held directly by this node that is itself a node. */
    void forEachChildNode(Consumer<Node> action);

    /** Number of wire elements the contents take (a map takes 2 per entry). */
    int contentElementCount();

    /** The raw content elements in wire order (map: key, value, key, value...), as of now. */
    java.util.Iterator<Object> contentIterator();

    /**
     * A fresh, unattached node with a new id and this node's contents; child nodes are the same
     * objects (see {@link Replica#deepCopy}, which replaces them without recursion).
     */
    Node shallowCopy();

    /** Takes {@code other}'s contents as its own (a node of the same kind, which is left empty): a re-sync keeps node identities. */
    void takeContents(Node other);

    /** Replaces each value held directly by this node that is a node with {@code replacement.apply(it)}. */
    void replaceChildNodes(java.util.function.UnaryOperator<Node> replacement);

    /** For messages: {@code "map 1048576"}. */
    default String describe() {
        return kindName() + " " + id();
    }

    String kindName();
}
