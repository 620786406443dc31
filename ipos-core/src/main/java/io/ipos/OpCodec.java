package io.ipos;

import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueKind;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;

import java.util.HashSet;
import java.util.Map;

/**
 * Encodes and decodes ops, container literals and snapshots (layouts in {@link FrameDescriptor}).
 * Decoding builds the whole op, new nodes included, before anything is applied, and throws
 * {@link WireException} for anything malformed: a bad op never half-applies.
 */
final class OpCodec {
    private final Replica replica;
    private final ValueCodec values;
    /** Ids of the literals met while decoding one op or snapshot: no two may share an id. Used under the replica's lock. */
    private final HashSet<Long> literalIds = new HashSet<>();
    /**
     * The creator every container literal in the next decoded op must carry, or -1 for any: the
     * parent sets it to the sending child's id, so a child can't make nodes with another process's
     * ids (which would collide with that process's own next containers).
     */
    int literalCreator = -1;

    OpCodec(Replica replica) {
        this.replica = replica;
        this.values = replica.values;
    }

    // ---------------------------------------------------------------- encoding

    void encode(ValueWriter w, Op op) {
        w.writeArrayHeader(2 + op.fieldCount());
        w.writeLong(op.code());
        w.writeLong(op.targetId());
        op.encodeFields(this, w);
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

    void writeLiteral(ValueWriter w, Node node) {
        w.writeArrayHeader(2 + node.contentElementCount());
        w.writeLong(node.literalTag());
        w.writeLong(node.id());
        node.forEachContentElement(e -> writeValue(w, e));
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

    /** Reads a snapshot into the (empty) replica: counters, then the root's entries, attached. */
    void decodeSnapshot(ValueReader r) {
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
            replica.root.load(key, value);
        }
        expectEnd(r, "snapshot");
        replica.root.forEachChildNode(replica::attach);
    }

    /** Reads one op; nothing is applied. */
    Op decode(ValueReader r) {
        int start = r.position();
        int n = readArrayHeader(r, "op");
        if (n < 2) {
            throw new WireException("an op needs a code and a target, got " + n + " elements", start);
        }
        int code = r.readInt();
        long target = r.readLong();
        int fields = n - 2;
        if (!literalIds.isEmpty()) {
            literalIds.clear();
        }
        Op op = switch (code) {
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
            default -> throw new WireException("unknown op code " + code, start);
        };
        expectEnd(r, FrameDescriptor.opName(code));
        return op;
    }

    private Object readValue(ValueReader r, int depth) {
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
        if (replica.node(id) != null || !literalIds.add(id)) {
            throw new WireException("node id " + id + " already exists", start);
        }
        replica.noteNodeId(id);
        int fields = n - 2;
        switch (tag) {
            case FrameDescriptor.LITERAL_MAP -> {
                if (fields % 2 != 0) {
                    throw new WireException("a map literal needs key/value pairs, got " + fields + " elements", start);
                }
                MapNode node = new MapNode(replica, id);
                for (int i = 0; i < fields; i += 2) {
                    Object key = values.read(r);
                    node.load(key, readValue(r, depth + 1));
                }
                return node;
            }
            case FrameDescriptor.LITERAL_LIST -> {
                ListNode node = new ListNode(replica, id);
                for (int i = 0; i < fields; i++) {
                    node.load(readValue(r, depth + 1));
                }
                return node;
            }
            default -> {
                SetNode node = new SetNode(replica, id);
                for (int i = 0; i < fields; i++) {
                    node.load(values.read(r));
                }
                return node;
            }
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
