package io.ipos;

import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueKind;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;

/**
 * Encodes and decodes ops, container literals and snapshots (layouts in {@link FrameDescriptor}).
 * Decoding builds the whole op, new nodes included, before anything is applied, and throws
 * {@link WireException} for anything malformed: a bad op never half-applies.
 *
 * <p><b>Decode budget.</b> A container literal takes 7 to 11 bytes on the wire and about 200 on
 * the heap, so a frame full of empty ones would make a receiver hold 21 times the frame, and every
 * child with it. Each op is therefore charged, as it is decoded, an estimate of the heap it builds:
 * {@value #LIST_COST} bytes per list literal, {@value #SET_COST} per set literal, {@value #MAP_COST}
 * per map literal (measured: an empty list holds 233 bytes once applied, a set 242, a map 298,
 * node table and decoder's id set included), {@value #ELEMENT_COST} per list element and
 * {@value #ENTRY_COST} per map entry or set element (in a literal or inserted by the op itself).
 * An op whose charge passes {@value #BUDGET_PER_BYTE} bytes per byte of its frame body plus
 * {@value #BUDGET_ALLOWANCE} is malformed; the check is made as each container's header is read,
 * before its elements are, so decoding allocates about the budget at most before it refuses.
 * Realistic data stays well under it (a list of small maps, maps and lists of small ints, long
 * strings), and so do empty containers as long as a few bytes of content or key come with each;
 * a frame that is mostly containers with next to nothing in them is refused. The values inside
 * (strings, numbers) are not charged: their cost follows their bytes, bounded by the value codec.
 * A writer checks the same charge before it sends ({@link #checkBudget}), so an op that a
 * receiver would refuse is refused in the writing thread instead. A SNAPSHOT is not charged: it
 * carries state the parent already holds, built by ops that each passed.
 */
final class OpCodec {
    private final Replica replica;
    private final ValueCodec values;
    /** Ids of the literals met while decoding one op or snapshot: no two may share an id. Used under the replica's lock. */
    private HashSet<Long> literalIds = new HashSet<>();
    /**
     * The creator every container literal in the next decoded op must carry, or -1 for any: the
     * parent sets it to the sending child's id, so a child can't make nodes with another process's
     * ids (which would collide with that process's own next containers).
     */
    int literalCreator = -1;

    static final int LIST_COST = 240;
    static final int SET_COST = 248;
    static final int MAP_COST = 304;
    static final int ELEMENT_COST = 8;
    static final int ENTRY_COST = 40;
    static final int BUDGET_PER_BYTE = 18;
    static final int BUDGET_ALLOWANCE = 16 << 20;

    /** The estimated heap the op being decoded or encoded builds so far (see the class comment). */
    private long charged;
    /** What {@link #charged} may reach while decoding the current op. */
    private long budget = Long.MAX_VALUE;
    private int budgetBodyBytes;
    private int containersCharged;
    private long elementsCharged;
    /** How deep {@link #encode} is: a UNIT encodes its ops through it, and they are charged to the unit. */
    private int encoding;

    OpCodec(Replica replica) {
        this.replica = replica;
        this.values = replica.values;
    }

    // ---------------------------------------------------------------- encoding

    /** Encodes {@code op}; {@link #checkBudget} then tells whether a receiver would accept it. */
    void encode(ValueWriter w, Op op) {
        if (encoding == 0) {
            startCharging(Long.MAX_VALUE, 0);
        }
        encoding++;
        try {
            chargeOp(op.code(), op.fieldCount(), 0);
            w.writeArrayHeader(2 + op.fieldCount());
            w.writeLong(op.code());
            w.writeLong(op.targetId());
            op.encodeFields(this, w);
        } finally {
            encoding--;
        }
    }

    void writeKey(ValueWriter w, Object key) {
        values.write(w, key);
    }

    void writeValue(ValueWriter w, Object value) {
        Node node = Node.of(value);
        if (node != null) {
            writeLiteral(w, node);
        } else {
            values.write(w, value);
        }
    }

    /** Writes a container literal and everything inside it, with a stack of its own rather than recursion. */
    void writeLiteral(ValueWriter w, Node node) {
        writeLiteralHeader(w, node);
        ArrayDeque<Iterator<Object>> open = new ArrayDeque<>();
        open.push(node.contentIterator());
        while (!open.isEmpty()) {
            Iterator<Object> contents = open.peek();
            if (!contents.hasNext()) {
                open.pop();
                continue;
            }
            Object e = contents.next();
            Node inner = Node.of(e);
            if (inner != null) {
                writeLiteralHeader(w, inner);
                open.push(inner.contentIterator());
            } else {
                values.write(w, e);
            }
        }
    }

    private void writeLiteralHeader(ValueWriter w, Node node) {
        chargeLiteral(node.literalTag(), node.contentElementCount(), 0);
        w.writeArrayHeader(2 + node.contentElementCount());
        w.writeLong(node.literalTag());
        w.writeLong(node.id());
    }

    /** The state as a new child receives it: the node counters, then the root. Under the lock. */
    void encodeSnapshot(ValueWriter w) {
        Map<Integer, Long> counters = replica.maxCounters();
        w.writeArrayHeader(2);
        w.writeArrayHeader(counters.size() * 2);
        counters.forEach((creator, max) -> {
            w.writeLong(creator);
            w.writeLong(max);
        });
        writeLiteral(w, replica.root);
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Why a frame did not decode, in words: the exception's message, or for a
     * {@code StackOverflowError} (which has none) that its value nests deeper than this thread's
     * stack can read.
     */
    static String whyUndecodable(Throwable e) {
        return e instanceof StackOverflowError
                ? "a value nested deeper than this thread's stack can read (a larger -Xss would help)"
                : String.valueOf(e.getMessage());
    }

    /** Reads a snapshot into the (empty) replica: counters, then the root's entries, attached. */
    void decodeSnapshot(ValueReader r) {
        MapNode root = readSnapshot(r, replica.root);
        root.forEachChildNode(child -> replica.attach(child, root));
    }

    /**
     * Reads a snapshot that replaces the state of a replica that holds one already (a re-sync):
     * returns a new, unattached root whose nodes may carry ids the replica knows; nothing is
     * applied (see {@link Replica#replaceState}).
     */
    MapNode decodeResync(ValueReader r) {
        resync = true;
        try {
            return readSnapshot(r, new MapNode(replica, 0L));
        } finally {
            resync = false;
        }
    }

    /** While a re-sync snapshot is read, its literals may reuse ids of this replica's nodes. */
    private boolean resync;

    private MapNode readSnapshot(ValueReader r, MapNode root) {
        startCharging(Long.MAX_VALUE, 0); // not charged: see the class comment
        expectArray(r, 2, "snapshot");
        int n = r.readArrayHeader();
        if (n % 2 != 0) {
            throw new WireException("snapshot counters need creator/counter pairs, got " + n + " elements", r.position());
        }
        for (int i = 0; i < n; i += 2) {
            int creator = r.readInt();
            long max = r.readLong();
            if (creator < 0 || creator > Node.MAX_CREATOR || max < 0) {
                throw new WireException("bad node counter " + creator + "=" + max, r.position());
            }
            replica.noteNodeId(Node.id(creator, max));
        }
        int start = r.position();
        int fields = r.readArrayHeader();
        if (fields < 2 || r.readInt() != FrameDescriptor.LITERAL_MAP || r.readLong() != 0 || fields % 2 != 0) {
            throw new WireException("snapshot root must be a map literal with id 0", start);
        }
        literalIds.clear();
        for (int i = 2; i < fields; i += 2) {
            Object key = values.read(r);
            if (!(key instanceof String)) {
                throw new WireException("field name must be a string, got " + describe(key), r.position());
            }
            Object value = readValue(r, 1);
            root.load(key, value);
        }
        expectEnd(r, "snapshot");
        forgetLiteralIds();
        return root;
    }

    /**
     * Reads one op from a frame body of {@code bodyBytes} bytes, within the decode budget for that
     * size; nothing is applied.
     *
     * @throws WireException if the op is malformed or builds more than the budget allows
     */
    Op decode(ValueReader r, int bodyBytes) {
        startCharging(BUDGET_PER_BYTE * (long) bodyBytes + BUDGET_ALLOWANCE, bodyBytes);
        try {
            return decode(r, true);
        } finally {
            budget = Long.MAX_VALUE;
            forgetLiteralIds();
        }
    }

    /** Reads one op without a decode budget (benchmarks and tests); nothing is applied. */
    Op decode(ValueReader r) {
        startCharging(Long.MAX_VALUE, 0);
        return decode(r, true);
    }

    private Op decode(ValueReader r, boolean unitAllowed) {
        if (!literalIds.isEmpty()) {
            literalIds.clear();
        }
        Op op = decodeOne(r, unitAllowed);
        expectEnd(r, FrameDescriptor.opName(op.code()));
        return op;
    }

    /** One op array; an atomic unit's ops are ops too (a unit holds no unit). */
    private Op decodeOne(ValueReader r, boolean unitAllowed) {
        int start = r.position();
        int n = readArrayHeader(r, "op");
        if (n < 2) {
            throw new WireException("an op needs a code and a target, got " + n + " elements", start);
        }
        int code = r.readInt();
        long target = r.readLong();
        int fields = n - 2;
        chargeOp(code, fields, start);
        return switch (code) {
            case FrameDescriptor.OP_UNIT -> {
                if (!unitAllowed || target != 0 || fields < 1) {
                    throw new WireException("UNIT must target node 0, hold at least one op and no unit", start);
                }
                java.util.ArrayList<Op> ops = new java.util.ArrayList<>(Math.min(fields, 1 << 16));
                for (int i = 0; i < fields; i++) {
                    ops.add(decodeOne(r, false));
                }
                yield new UnitOp(ops);
            }
            case FrameDescriptor.OP_MAP_PUT -> {
                even(fields, code, r);
                Object[] kv = new Object[fields];
                for (int i = 0; i < fields; i += 2) {
                    kv[i] = values.read(r);
                    kv[i + 1] = readValue(r, 1);
                }
                yield new MapOps.Put(null, target, kv);
            }
            case FrameDescriptor.OP_MAP_REMOVE -> new MapOps.Remove(null, target, readKeys(r, fields));
            case FrameDescriptor.OP_MAP_CLEAR -> {
                none(fields, code, r);
                yield new MapOps.Clear(null, target);
            }
            case FrameDescriptor.OP_LIST_INSERT -> {
                if (fields < 2) {
                    throw new WireException("LIST_INSERT needs an index and at least one value", r.position());
                }
                int index = r.readInt();
                Object[] vs = new Object[fields - 1];
                for (int i = 0; i < vs.length; i++) {
                    vs[i] = readValue(r, 1);
                }
                yield new ListOps.Insert(null, target, index, vs);
            }
            case FrameDescriptor.OP_LIST_SET -> {
                even(fields, code, r);
                int[] indices = new int[fields / 2];
                Object[] vs = new Object[fields / 2];
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = r.readInt();
                    vs[i] = readValue(r, 1);
                }
                yield new ListOps.Set(null, target, indices, vs);
            }
            case FrameDescriptor.OP_LIST_REMOVE -> {
                even(fields, code, r);
                yield new ListOps.Remove(null, target, readInts(r, fields));
            }
            case FrameDescriptor.OP_LIST_CLEAR -> {
                none(fields, code, r);
                yield new ListOps.Clear(null, target);
            }
            case FrameDescriptor.OP_LIST_PERMUTE -> {
                int pos = r.position();
                int[] perm = readInts(r, fields);
                boolean[] seen = new boolean[perm.length];
                for (int from : perm) {
                    if (from < 0 || from >= perm.length || seen[from]) {
                        throw new WireException("LIST_PERMUTE is not a permutation of 0.." + (perm.length - 1), pos);
                    }
                    seen[from] = true;
                }
                yield new ListOps.Permute(null, target, perm);
            }
            case FrameDescriptor.OP_SET_ADD -> new SetOps.Add(null, target, readKeys(r, fields));
            case FrameDescriptor.OP_SET_REMOVE -> new SetOps.Remove(null, target, readKeys(r, fields));
            case FrameDescriptor.OP_SET_CLEAR -> {
                none(fields, code, r);
                yield new SetOps.Clear(null, target);
            }
            case FrameDescriptor.OP_MAP_PUT_IF_ABSENT -> {
                exactly(fields, 2, code, r);
                Object key = values.read(r);
                yield new MapOps.PutIfAbsent(null, target, key, readValue(r, 1));
            }
            case FrameDescriptor.OP_MAP_REPLACE_IF -> {
                exactly(fields, 3, code, r);
                Object key = values.read(r);
                Object expected = values.read(r);
                yield new MapOps.ReplaceIf(null, target, key, expected, readValue(r, 1));
            }
            case FrameDescriptor.OP_MAP_REMOVE_IF -> {
                exactly(fields, 2, code, r);
                Object key = values.read(r);
                yield new MapOps.RemoveIf(null, target, key, values.read(r));
            }
            case FrameDescriptor.OP_MAP_COMPUTE -> {
                exactly(fields, 4, code, r);
                Object key = values.read(r);
                int at = r.position();
                long mode = r.readLong();
                if (mode < 0 || mode > (MapOps.Compute.EXPECT_PRESENT | MapOps.Compute.REMOVES)) {
                    throw new WireException("MAP_COMPUTE mode must be 0 to 3, got " + mode, at);
                }
                boolean expectPresent = (mode & MapOps.Compute.EXPECT_PRESENT) != 0;
                boolean removes = (mode & MapOps.Compute.REMOVES) != 0;
                at = r.position();
                Object expected = values.read(r);
                if (!expectPresent && expected != null) {
                    throw new WireException("MAP_COMPUTE expects no value (mode " + mode + ") but carries one", at);
                }
                at = r.position();
                Object value = readValue(r, 1);
                if (removes && value != null) {
                    throw new WireException("MAP_COMPUTE removes (mode " + mode + ") but carries a value", at);
                }
                yield new MapOps.Compute(null, target, key, expectPresent, expected, removes, value, null);
            }
            default -> throw new WireException("unknown op code " + code, start);
        };
    }

    /**
     * Reads a value that may be a container literal, nested to any depth up to the limit, with an
     * explicit stack rather than a frame per level: a 1,000-level value decodes on a small thread
     * stack too (a child on {@code -Xss200k} could not join a parent holding one).
     */
    private Object readValue(ValueReader r, int depth) {
        Object first = readElement(r, depth);
        if (!(first instanceof OpenLiteral top)) { // a plain value, or an empty container
            return first;
        }
        ArrayDeque<OpenLiteral> open = new ArrayDeque<>();
        open.push(top);
        while (true) {
            OpenLiteral at = open.peek();
            if (at.remaining == 0) {
                open.pop();
                if (open.isEmpty()) {
                    return at.node;
                }
                open.peek().add(at.node);
                continue;
            }
            at.remaining--;
            if (at.tag == FrameDescriptor.LITERAL_SET) {
                at.add(values.read(r)); // set elements are plain values
                continue;
            }
            if (at.tag == FrameDescriptor.LITERAL_MAP) {
                at.key = values.read(r);
            }
            Object v = readElement(r, at.depth + 1);
            if (v instanceof OpenLiteral child) {
                open.push(child);
            } else {
                at.add(v);
            }
        }
    }

    /** A container literal whose elements are being read: its node, and what is left of it. */
    private static final class OpenLiteral {
        final int tag;
        final Node node;
        final int depth;
        /** Entries (pairs for a map) still to read. */
        int remaining;
        /** A map's key whose value is being read. */
        Object key;

        OpenLiteral(int tag, Node node, int depth, int remaining) {
            this.tag = tag;
            this.node = node;
            this.depth = depth;
            this.remaining = remaining;
        }

        void add(Object value) {
            switch (tag) {
                case FrameDescriptor.LITERAL_MAP -> ((MapNode) node).load(key, value);
                case FrameDescriptor.LITERAL_LIST -> ((ListNode) node).load(value);
                default -> ((SetNode) node).load(value);
            }
        }
    }

    /** A plain value, or the start of a container literal (its header read, its node made, none of its elements). */
    private Object readElement(ValueReader r, int depth) {
        if (r.nextKind() != ValueKind.ARRAY) {
            return values.read(r);
        }
        int start = r.position();
        int n = r.readArrayHeader();
        if (n < 1) {
            throw new WireException("empty array where a tagged value belongs", start);
        }
        int tag = r.readInt();
        if (tag < FrameDescriptor.LITERAL_MAP || tag > FrameDescriptor.LITERAL_SET) {
            return values.readTagged(tag, n - 1, r);
        }
        if (depth > Replica.MAX_DEPTH) {
            throw new WireException("containers nested deeper than " + Replica.MAX_DEPTH, start);
        }
        if (n < 2) {
            throw new WireException("a container literal needs an id", start);
        }
        long id = r.readLong();
        if (id <= 0 || Node.counterOf(id) == 0) {
            throw new WireException("bad node id " + id, start);
        }
        if (literalCreator >= 0 && Node.creatorOf(id) != literalCreator) {
            throw new WireException("node id " + id + " belongs to creator " + Node.creatorOf(id)
                    + ", not to the sender (creator " + literalCreator + ")", start);
        }
        if ((!resync && replica.node(id) != null) || !literalIds.add(id)) {
            throw new WireException("node id " + id + " already exists", start);
        }
        replica.noteNodeId(id);
        int fields = n - 2;
        chargeLiteral(tag, fields, start);
        if (tag == FrameDescriptor.LITERAL_MAP && fields % 2 != 0) {
            throw new WireException("a map literal needs key/value pairs, got " + fields + " elements", start);
        }
        Node node = switch (tag) {
            case FrameDescriptor.LITERAL_MAP -> new MapNode(replica, id);
            case FrameDescriptor.LITERAL_LIST -> new ListNode(replica, id);
            default -> new SetNode(replica, id);
        };
        if (fields == 0) {
            return node; // complete already: nothing to keep open
        }
        return new OpenLiteral(tag, node, depth, tag == FrameDescriptor.LITERAL_MAP ? fields / 2 : fields);
    }

    // ---------------------------------------------------------------- decode budget

    private void startCharging(long limit, int bodyBytes) {
        charged = 0;
        budget = limit;
        budgetBodyBytes = bodyBytes;
        containersCharged = 0;
        elementsCharged = 0;
    }

    /** Charges what an op's own fields insert: map entries, list elements, set elements. */
    private void chargeOp(int code, int fields, int position) {
        switch (code) {
            case FrameDescriptor.OP_MAP_PUT -> charge(0, fields / 2, ENTRY_COST, position);
            case FrameDescriptor.OP_MAP_PUT_IF_ABSENT, FrameDescriptor.OP_MAP_REPLACE_IF -> charge(0, 1, ENTRY_COST, position);
            case FrameDescriptor.OP_LIST_INSERT -> charge(0, Math.max(0, fields - 1), ELEMENT_COST, position);
            case FrameDescriptor.OP_LIST_SET -> charge(0, fields / 2, ELEMENT_COST, position);
            case FrameDescriptor.OP_SET_ADD -> charge(0, fields, ENTRY_COST, position);
            default -> {
                // removals, clears and permutations build nothing that stays
            }
        }
    }

    /** Charges a container literal with {@code fields} content elements, before they are read. */
    private void chargeLiteral(int tag, int fields, int position) {
        switch (tag) {
            case FrameDescriptor.LITERAL_MAP -> charge(MAP_COST, fields / 2, ENTRY_COST, position);
            case FrameDescriptor.LITERAL_LIST -> charge(LIST_COST, fields, ELEMENT_COST, position);
            default -> charge(SET_COST, fields, ENTRY_COST, position);
        }
    }

    private void charge(int container, long elements, int elementCost, int position) {
        if (container > 0) {
            containersCharged++;
        }
        elementsCharged += elements;
        charged += container + elements * elementCost;
        if (charged > budget) {
            throw new WireException("op from a frame body of " + budgetBodyBytes + " bytes makes at least "
                    + containersCharged + " containers and " + elementsCharged + " elements, an estimated " + charged
                    + " bytes of heap, over the decode budget of " + budget + " bytes (" + BUDGET_PER_BYTE
                    + " per frame byte + " + BUDGET_ALLOWANCE + ")", position);
        }
    }

    /**
     * After encoding an op into a body of {@code bodyBytes} bytes: whether every receiver's decode
     * budget accepts it (the same charge, over the same bytes).
     *
     * @throws IllegalArgumentException if it does not: the write must not be made
     */
    void checkBudget(int bodyBytes) {
        long limit = BUDGET_PER_BYTE * (long) bodyBytes + BUDGET_ALLOWANCE;
        if (charged > limit) {
            throw new IllegalArgumentException("this write makes " + containersCharged + " containers and "
                    + elementsCharged + " elements, an estimated " + charged + " bytes of heap in every process, from "
                    + bodyBytes + " bytes on the wire: over the decode budget of " + limit + " bytes (" + BUDGET_PER_BYTE
                    + " per byte + " + BUDGET_ALLOWANCE + "), which receivers enforce against frames made mostly of "
                    + "containers with next to nothing in them; split it into smaller writes (each may use "
                    + BUDGET_ALLOWANCE + " bytes, about " + BUDGET_ALLOWANCE / (LIST_COST + ELEMENT_COST)
                    + " empty lists) or give the containers some content; nothing was stored");
        }
    }

    /** The charge of the last op encoded or decoded: estimated heap bytes (see the class comment). */
    long charged() {
        return charged;
    }

    /** The decoder's id set is needed for one op only: a big op's table is let go rather than kept for good. */
    private void forgetLiteralIds() {
        if (literalIds.size() > 1024) {
            literalIds = new HashSet<>();
        } else {
            literalIds.clear();
        }
    }

    private Object[] readKeys(ValueReader r, int n) {
        Object[] keys = new Object[n];
        for (int i = 0; i < n; i++) {
            keys[i] = values.read(r);
        }
        return keys;
    }

    private static int[] readInts(ValueReader r, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.readInt();
        }
        return out;
    }

    private static int readArrayHeader(ValueReader r, String what) {
        if (r.nextKind() != ValueKind.ARRAY) {
            throw new WireException(what + " must be an array, got " + r.nextKind(), r.position());
        }
        return r.readArrayHeader();
    }

    private static void expectArray(ValueReader r, int n, String what) {
        int start = r.position();
        int got = readArrayHeader(r, what);
        if (got != n) {
            throw new WireException(what + " must have " + n + " elements, got " + got, start);
        }
    }

    private static void expectEnd(ValueReader r, String what) {
        if (r.hasNext()) {
            throw new WireException("trailing bytes after " + what, r.position());
        }
    }

    private static void even(int fields, int code, ValueReader r) {
        if (fields % 2 != 0) {
            throw new WireException(FrameDescriptor.opName(code) + " needs pairs, got " + fields + " fields", r.position());
        }
    }

    private static void exactly(int fields, int n, int code, ValueReader r) {
        if (fields != n) {
            throw new WireException(FrameDescriptor.opName(code) + " takes " + n + " fields, got " + fields, r.position());
        }
    }

    private static void none(int fields, int code, ValueReader r) {
        if (fields != 0) {
            throw new WireException(FrameDescriptor.opName(code) + " takes no fields, got " + fields, r.position());
        }
    }

    private static String describe(Object v) {
        return v == null ? "null" : v.getClass().getName();
    }
}
