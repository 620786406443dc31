package io.ipos;

import io.ipos.serialization.UnresolvedValue;
import io.ipos.serialization.ValueCodec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
    /** Where the changes this replica applies are recorded for listeners. */
    final ChangeFeed feed;
    /** This process as the origin of its own writes. */
    final Peer self;

    /** Set for a read-only peer: every write throws before it changes anything ({@link #acquireWrite}). */
    final boolean readOnly;

    Replica(ValueCodec values, int creator) {
        this(values, ChangeEvents.KnownPeer.of(creator), false);
    }

    Replica(ValueCodec values, Peer self, boolean readOnly) {
        this.values = values;
        this.creator = self.id();
        this.self = self;
        this.readOnly = readOnly;
        this.feed = new ChangeFeed(this, self);
        this.root = new MapNode(this, 0L);
        root.place(null, 0);
        nodes.put(slot(0L), root);
    }

    int creator() {
        return creator;
    }

    /** Takes the lock. Pair with {@link #release()}. */
    void acquire() {
        lock.lock();
    }

    /**
     * Takes the lock for a write.
     *
     * @throws UnsupportedOperationException in a read-only peer, before anything changed
     */
    void acquireWrite() {
        if (readOnly) {
            throw readOnlyWrite();
        }
        lock.lock();
    }

    static UnsupportedOperationException readOnlyWrite() {
        return new UnsupportedOperationException("this process joined read-only (Access.READ_ONLY): it receives and "
                + "observes the shared state but can't write it; have the parent admit it with Access.READ_WRITE to write");
    }

    /** After a snapshot: this process's node counter goes on past every id seen for its creator (a rejoin keeps its id). */
    void continueCounter() {
        Long max = maxCounters.get(creator);
        if (max != null && max >= nextCounter) {
            nextCounter = max + 1;
        }
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

    // ---------------------------------------------------------------- the write path
    //
    // A local write is checked (depth, the hash of every key), encoded by the replicator (which
    // refuses what can't travel), and only then applied, here, and shipped: a write that can't be
    // sent throws in the writing thread and changes nothing. An op that arrives is applied through
    // the same site (applyReceived). Op.apply and Op.Undo.undo are called nowhere else.

    /**
     * Applies a local write to the attached {@code target} and ships it.
     *
     * @throws IllegalArgumentException if the write can't be sent (too deep, a key whose hash
     *     fails, a value that can't be encoded, larger than a frame); nothing changed then
     */
    void submit(Op op, Node target) {
        if (readOnly) {
            throw readOnlyWrite();
        }
        checkDepth(op, target);
        try {
            op.prepare();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot share this " + FrameDescriptor.opName(op.code()) + " on "
                    + target.describe() + ": the hashCode() of a key or element threw " + e + "; nothing was stored", e);
        }
        Replicator r = replicator;
        Object encoded = r.encode(op);
        Op.Undo undo;
        feed.begin(self);
        try {
            undo = op.apply(this, target, unit != null || r.recordsUndo());
        } finally {
            feed.end();
        }
        if (unit != null) {
            unit.ops.add(op);
            unit.undos.add(undo);
        } else {
            r.ship(op, target, encoded, undo);
        }
    }

    // ---------------------------------------------------------------- atomic units

    /** The open atomic block: the ops it wrote so far (already applied here, not shipped yet). */
    private Unit unit;

    private static final class Unit {
        final ArrayList<Op> ops = new ArrayList<>();
        final ArrayList<Op.Undo> undos = new ArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int depth;
    }

    /** Where a block (outermost or nested) started: what a failing block rolls back to. */
    record UnitMark(boolean outermost, int ops, int heldEvents, CompletableFuture<Void> done) {
    }

    /**
     * Opens an atomic block, or joins the one this thread has open (the caller holds the lock for
     * the whole block, so no other write is applied here meanwhile). Its writes are applied at once
     * and shipped together when the outermost block closes; its changes are held until then.
     */
    UnitMark openUnit() {
        boolean outermost = unit == null;
        if (outermost) {
            unit = new Unit();
            feed.hold();
        }
        unit.depth++;
        return new UnitMark(outermost, unit.ops.size(), feed.heldCount(), unit.done);
    }

    /**
     * Closes a block. One that failed ({@code ok} false) undoes its own writes, which no listener
     * sees. The outermost ships what is left as one op (a {@link UnitOp}; a single op as itself)
     * and releases the held changes together.
     *
     * @throws IllegalArgumentException if the unit as a whole can't be sent (larger than a frame):
     *     it is rolled back then
     */
    void closeUnit(UnitMark mark, boolean ok) {
        Unit u = unit;
        if (!ok) {
            rollBack(u, mark.ops(), mark.heldEvents());
        }
        if (--u.depth > 0) {
            return;
        }
        unit = null;
        if (u.ops.isEmpty()) {
            feed.release(false);
            return;
        }
        Op op = u.ops.size() == 1 ? u.ops.get(0) : new UnitOp(u.ops);
        Node target = u.ops.size() == 1 ? u.ops.get(0).localTarget() : root;
        Object encoded;
        try {
            encoded = replicator.encode(op);
        } catch (IllegalArgumentException | IposException e) {
            rollBack(u, 0, 0);
            feed.release(false);
            throw e;
        }
        feed.release(true);
        ArrayList<Op.Undo> undos = u.undos;
        Op.Undo undo = undos.size() == 1 ? undos.get(0) : r -> {
            for (int i = undos.size() - 1; i >= 0; i--) {
                if (undos.get(i) != null) {
                    r.undo(undos.get(i), self);
                }
            }
        };
        replicator.ship(op, target, encoded, undo);
    }

    private void rollBack(Unit u, int fromOp, int fromEvent) {
        feed.mute(true);
        try {
            for (int i = u.ops.size() - 1; i >= fromOp; i--) {
                Op.Undo undo = u.undos.remove(i);
                u.ops.remove(i);
                if (undo != null) {
                    undo(undo, self);
                }
            }
        } finally {
            feed.mute(false);
        }
        feed.dropHeld(fromEvent);
    }

    /**
     * Applies an op that arrived from another process (or is re-applied in a re-base) to the
     * attached {@code target}, which it {@link Op#fits fits}.
     *
     * @param record whether to return what undoes it
     * @return the undo, or null
     * @throws RefusedOp if it can't be applied here; nothing changed then
     */
    Op.Undo applyReceived(Op op, Node target, boolean record, Peer origin) {
        try {
            checkDepth(op, target);
        } catch (IllegalArgumentException e) {
            throw new RefusedOp(e.getMessage(), e);
        }
        try {
            op.prepare();
        } catch (RuntimeException e) {
            throw new RefusedOp("the hashCode() of a key or element threw " + e, e);
        }
        feed.begin(origin);
        try {
            return op.apply(this, target, record);
        } finally {
            feed.end();
        }
    }

    /** Reverts an applied op (see {@link Op.Undo}) that {@code origin} wrote. */
    void undo(Op.Undo undo, Peer origin) {
        feed.begin(origin);
        try {
            undo.undo(this);
        } finally {
            feed.end();
        }
    }

    /** An op that this process can't apply: it changed nothing. */
    static final class RefusedOp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedOp(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Refuses an op that would nest containers deeper than {@link #MAX_DEPTH}: the depth of its
     * target plus the height of each container it stores.
     */
    private void checkDepth(Op op, Node target) {
        int height = op.valueHeight();
        if (height > 0 && target.depth() + height > MAX_DEPTH) {
            throw tooDeep(op, target, target.depth() + height);
        }
    }

    private static IllegalArgumentException tooDeep(Op op, Node target, int deepest) {
        return new IllegalArgumentException("this " + FrameDescriptor.opName(op.code()) + " would nest containers "
                + deepest + " levels deep (into " + target.describe() + " at depth " + target.depth() + "); the limit is "
                + MAX_DEPTH + " levels: flatten the structure; nothing was stored");
    }

    /** How many levels of containers {@code node} holds, itself included (a flat map: 1). No recursion. */
    static int height(Node node) {
        int max = 1;
        ArrayDeque<Node> work = new ArrayDeque<>();
        ArrayDeque<Integer> levels = new ArrayDeque<>();
        work.push(node);
        levels.push(1);
        while (!work.isEmpty()) {
            Node n = work.pop();
            int level = levels.pop();
            max = Math.max(max, level);
            n.forEachChildNode(c -> {
                work.push(c);
                levels.push(level + 1);
            });
        }
        return max;
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

    /** Marks {@code value} (if a node) and every node inside it attached, as held by {@code container}. No recursion. */
    void attach(Object value, Node container) {
        Node top = Node.of(value);
        if (top == null) {
            return;
        }
        top.place(container, container.depth() + 1);
        ArrayDeque<Node> work = new ArrayDeque<>();
        work.push(top);
        while (!work.isEmpty()) {
            Node n = work.pop();
            nodes.put(slot(n.id()), n);
            int childDepth = n.depth() + 1;
            n.forEachChildNode(c -> {
                c.place(n, childDepth);
                work.push(c);
            });
        }
    }

    /** Marks {@code value} (if a node) and every node inside it detached. No recursion. */
    void detach(Object value) {
        Node top = Node.of(value);
        if (top == null) {
            return;
        }
        ArrayDeque<Node> work = new ArrayDeque<>();
        work.push(top);
        while (!work.isEmpty()) {
            Node n = work.pop();
            n.place(null, -1);
            nodes.remove(slot(n.id()));
            if (lastFound == n) {
                lastFound = null;
            }
            n.forEachChildNode(work::push);
        }
    }

    /** A fresh, unattached copy of {@code original} with new ids for it and every node inside. No recursion. */
    Node deepCopy(Node original) {
        Node top = original.shallowCopy();
        ArrayDeque<Node> work = new ArrayDeque<>();
        work.push(top);
        while (!work.isEmpty()) {
            work.pop().replaceChildNodes(child -> {
                Node copy = child.shallowCopy();
                work.push(copy);
                return copy;
            });
        }
        return top;
    }

    /**
     * Replaces the whole state with {@code decoded}, a re-sync snapshot's root, keeping the identity
     * of every node both hold (a user's reference to a container stays live and shows the new
     * contents); a node the snapshot lacks is detached, a new one attached. No recursion.
     */
    void replaceState(MapNode decoded, Peer origin) {
        IdentityHashMap<Node, Node> canonical = new IdentityHashMap<>();
        canonical.put(decoded, root);
        ArrayList<Node> all = new ArrayList<>();
        ArrayDeque<Node> work = new ArrayDeque<>();
        work.push(decoded);
        while (!work.isEmpty()) {
            Node d = work.pop();
            all.add(d);
            d.forEachChildNode(c -> {
                Node existing = node(c.id());
                canonical.put(c, existing != null && existing != root && existing.getClass() == c.getClass() ? existing : c);
                work.push(c);
            });
        }
        for (Node d : all) {
            d.replaceChildNodes(canonical::get);
        }
        feed.begin(origin);
        try {
            for (Node d : all) {
                Node keep = canonical.get(d);
                if (keep != d) {
                    keep.takeContents(d);
                }
            }
        } finally {
            feed.end();
        }
        for (Node n : nodes.values()) {
            n.place(null, -1);
        }
        nodes.clear();
        lastFound = null;
        root.place(null, 0);
        nodes.put(slot(0L), root);
        root.forEachChildNode(c -> attach(c, root));
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
            // one class lookup, before the interface tests below (see Node.of); a String is checked here,
            // since freeze() is skipped
            return ValueCodec.checkScalar(value);
        }
        Node own = Node.of(value);
        if (own != null && own.replica() == this) {
            return deepCopy(own);
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
     * Whether a stored value equals an expected one, by the one rule every process applies (so a
     * conditional op gets the same answer wherever it is applied): a {@code byte[]} by content, at
     * any depth (a decoded array is never the same object); a node by its contents, compared with
     * the stored values inside it, so a map, list or set compares with the frozen copy an op
     * carries; everything else as {@link ValueCodec#sameValue}. Under the lock.
     *
     * @param stored   a stored value: a frozen value, a node, or a scalar
     * @param expected a frozen value or scalar (what an op carries), a node, or (from
     *                 {@link #comparable}) a caller's value
     */
    static boolean sameValue(Object stored, Object expected) {
        if (stored == expected) {
            return true;
        }
        Node node = Node.of(stored);
        if (node == null) {
            Node other = Node.of(expected);
            return other != null ? sameValue(other, stored) : ValueCodec.sameValue(stored, expected);
        }
        if (node instanceof MapNode m) {
            if (!(expected instanceof Map<?, ?> e)) {
                return false;
            }
            Object[] kv = m.snapshot();
            if (kv.length / 2 != e.size()) {
                return false;
            }
            for (int i = 0; i < kv.length; i += 2) {
                Object theirs = e.get(kv[i]);
                if ((theirs == null && !e.containsKey(kv[i])) || !sameValue(kv[i + 1], theirs)) {
                    return false;
                }
            }
            return true;
        }
        if (node instanceof ListNode l) {
            if (!(expected instanceof List<?> e)) {
                return false;
            }
            Object[] mine = l.storedRange(0, Integer.MAX_VALUE);
            if (mine.length != e.size()) {
                return false;
            }
            java.util.Iterator<?> theirs = e.iterator();
            for (Object v : mine) {
                if (!theirs.hasNext() || !sameValue(v, theirs.next())) {
                    return false;
                }
            }
            return !theirs.hasNext();
        }
        // a set holds frozen elements only, which hash and compare by content themselves
        SetNode set = (SetNode) node;
        return expected instanceof Set<?> e && e.size() == set.stored().size() && e.containsAll(set.stored());
    }

    /**
     * A caller's value in the form {@link #sameValue} compares stored values with: a collection
     * frozen, so that arrays inside it compare by content and a node of it is read once; a value
     * that can't be frozen as it is (it then equals no stored value but by its own {@code equals}).
     * Under the lock.
     */
    Object comparable(Object value) {
        if (value instanceof byte[] || ValueCodec.isScalar(value)) {
            return value;
        }
        try {
            return values.freeze(value);
        } catch (IllegalArgumentException unshareable) {
            return value;
        }
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
