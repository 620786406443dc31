package io.ipos;

import io.ipos.serialization.UnresolvedValue;
import io.ipos.serialization.ValueCodec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One process's copy of the shared state: the root of the fields, the table of attached nodes by
 * id, and the rules that turn user values into stored ones.
 *
 * <p>One lock guards all of it. User threads take it for every read and write; the link threads
 * take it to apply what arrives. User functions passed to {@code compute}, {@code removeIf},
 * {@code sort}... run under it, as with {@code ConcurrentHashMap}.
 */
final class Replica {
    /** Deepest nesting of containers accepted from a user value; guards against a value that contains itself. */
    static final int MAX_DEPTH = 1_000;

    final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a link makes progress (a queue drained, an ack arrived, a link closed). */
    final Condition progress = lock.newCondition();
    final ValueCodec values;
    final MapNode root;

    /**
     * Attached nodes by {@link #slot(long) slot}. A {@code HashMap} rather than eclipse-collections'
     * {@code LongObjectHashMap}: the JMH comparison in docs/benchmarks-jmh.md found them level on
     * lookups below a million nodes and the primitive map 4x slower on churn.
     */
    private final HashMap<Long, Node> nodes = new HashMap<>();
    /** The node the last lookup found: ops tend to come in runs on one container. */
    private Node lastFound;
    /** Highest node counter seen per creator: an op on a node above it is corrupt, not late. */
    private final HashMap<Integer, Long> maxCounters = new HashMap<>();
    private int creator;
    private long nextCounter = 1;
    Replicator replicator = Replicator.LOCAL;

    Replica(ValueCodec values, int creator) {
        this.values = values;
        this.creator = creator;
        this.root = new MapNode(this, 0L);
        root.attached(true);
        nodes.put(slot(0L), root);
    }

    int creator() {
        return creator;
    }

    /** Takes the lock. Pair with {@link #release()}. */
    void acquire() {
        lock.lock();
    }

    /** Releases the lock after a read. */
    void release() {
        lock.unlock();
    }

    /** Releases the lock after a write; the outermost holder first lets the replicator apply back-pressure. */
    void releaseWrite() {
        try {
            if (lock.getHoldCount() == 1) {
                replicator.throttle(this);
            }
        } finally {
            lock.unlock();
        }
    }

    long newNodeId() {
        return Node.id(creator, nextCounter++);
    }

    /** Ships a local op (the target is attached). */
    void submit(Op op, Node target) {
        replicator.submit(this, op, target);
    }

    // ---------------------------------------------------------------- node table

    Node node(long id) {
        Node last = lastFound;
        if (last != null && last.id() == id && last.attached()) {
            return last;
        }
        Node found = nodes.get(slot(id));
        if (found != null) {
            lastFound = found;
        }
        return found;
    }

    /** Records that a node id was seen on the wire or made here. */
    void noteNodeId(long id) {
        maxCounters.merge(Node.creatorOf(id), Node.counterOf(id), Math::max);
    }

    /** Whether {@code id} may name a node that existed and is now detached (rather than one never made). */
    boolean mayHaveExisted(long id) {
        if (Node.creatorOf(id) == creator && Node.counterOf(id) < nextCounter) {
            return true;
        }
        Long max = maxCounters.get(Node.creatorOf(id));
        return max != null && Node.counterOf(id) <= max;
    }

    /** The highest counter per creator, this process's own included: what a new child must know. */
    Map<Integer, Long> maxCounters() {
        HashMap<Integer, Long> all = new HashMap<>(maxCounters);
        if (nextCounter > 1) {
            all.merge(creator, nextCounter - 1, Math::max);
        }
        return all;
    }

    /** Marks {@code value} (if a node) and every node inside it attached. */
    void attach(Object value) {
        Node n = Node.of(value);
        if (n != null) {
            n.attached(true);
            nodes.put(slot(n.id()), n);
            n.forEachChildNode(this::attach);
        }
    }

    /** Marks {@code value} (if a node) and every node inside it detached. */
    void detach(Object value) {
        Node n = Node.of(value);
        if (n != null) {
            n.attached(false);
            nodes.remove(slot(n.id()));
            n.forEachChildNode(this::detach);
        }
    }

    /**
     * The table key of a node id: the id rotated so that the counter, which grows by one per
     * container, lands in the low bits. Keyed by the id itself, whose low 20 bits are the creator
     * (mostly 0), {@code HashMap} used one bucket in 16 and turned long chains into tree bins.
     */
    private static Long slot(long id) {
        return Long.rotateRight(id, Node.CREATOR_BITS);
    }

    int nodeCount() {
        return nodes.size();
    }

    // ---------------------------------------------------------------- values

    /**
     * Turns a value a user gives for a value position (map value, list element, field) into its
     * stored form: plain and shared collections become new, unattached nodes; everything else is
     * frozen by the codec. Throws before anything is stored.
     *
     * @throws IllegalArgumentException if the value, or anything inside it, can't be shared
     */
    Object internalizeValue(Object value) {
        return internalizeValue(value, 0);
    }

    private Object internalizeValue(Object value, int depth) {
        if (ValueCodec.isScalar(value)) {
            return value; // one class lookup, before the interface tests below (see Node.of)
        }
        Node own = Node.of(value);
        if (own != null && own.replica() == this) {
            return own.deepCopy();
        }
        // a container of another IPOS instance (in this JVM) is copied in like a plain collection
        if (value instanceof Map<?, ?> || value instanceof List<?> || value instanceof Set<?>) {
            if (depth >= MAX_DEPTH) {
                throw new IllegalArgumentException("containers nested deeper than " + MAX_DEPTH
                        + " levels: does the value contain itself?");
            }
            if (value instanceof Map<?, ?> map) {
                MapNode node = new MapNode(this, newNodeId());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    node.load(internalizeKey(e.getKey()), internalizeValue(e.getValue(), depth + 1));
                }
                return node;
            }
            if (value instanceof List<?> list) {
                ListNode node = new ListNode(this, newNodeId());
                for (Object e : list) {
                    node.load(internalizeValue(e, depth + 1));
                }
                return node;
            }
            SetNode node = new SetNode(this, newNodeId());
            for (Object e : (Set<?>) value) {
                node.load(internalizeKey(e));
            }
            return node;
        }
        return values.freeze(value);
    }

    /**
     * Turns a map key or set element into its stored form: an immutable value (a collection
     * becomes an unmodifiable copy).
     *
     * @throws IllegalArgumentException if it can't be shared or is a byte[]
     */
    Object internalizeKey(Object key) {
        if (key instanceof byte[]) {
            throw new IllegalArgumentException("a byte[] can't be a map key or set element (arrays compare "
                    + "by identity): use a String, a List<Byte> or a record instead");
        }
        return values.freeze(key);
    }

    /**
     * Whether a stored value equals an expected one for a conditional op: {@code byte[]} by content
     * (a decoded array is never the same object), everything else by {@code equals}.
     */
    static boolean sameValue(Object stored, Object expected) {
        if (stored instanceof byte[] a && expected instanceof byte[] b) {
            return java.util.Arrays.equals(a, b);
        }
        return java.util.Objects.equals(stored, expected);
    }

    /** Like {@link #external} but hands back an unresolvable value as it is (for values a write replaced). */
    Object externalQuietly(Object stored) {
        if (stored instanceof UnresolvedValue u) {
            try {
                return u.resolve();
            } catch (IllegalStateException e) {
                return u;
            }
        }
        return stored;
    }

    /** The value to hand a user for a stored one: an unresolved registered value is resolved or reported. */
    Object external(Object stored) {
        if (stored instanceof UnresolvedValue u) {
            try {
                return u.resolve();
            } catch (IllegalStateException e) {
                throw new IposException(e.getMessage(), e.getCause() != null ? e.getCause() : e);
            }
        }
        return stored;
    }
}
