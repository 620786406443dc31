package io.ipos;

import io.ipos.serialization.ValueWriter;

import java.util.HashMap;

/** The ops on a {@link MapNode}: put (one or many entries), remove (one or many keys), clear, and the conditional put/replace/remove. */
final class MapOps {
    private MapOps() {
    }

    /** Puts entries in order; {@code kv} alternates stored keys and stored values. */
    record Put(Node localTarget, long targetId, Object[] kv) implements Op {
        Put(MapNode target, Object[] kv) {
            this(target, target.id(), kv);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_MAP_PUT;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof MapNode m && (m.id() != 0 || keysAreStrings(kv, 2));
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            MapNode map = (MapNode) target;
            Object[] previous = record ? new Object[kv.length / 2] : null;
            for (int i = 0; i < kv.length; i += 2) {
                Object old = map.rawPut(kv[i], kv[i + 1]);
                replica.detach(old);
                replica.attach(kv[i + 1]);
                if (record) {
                    previous[i / 2] = old;
                }
            }
            if (!record) {
                return null;
            }
            return r -> {
                for (int i = kv.length - 2; i >= 0; i -= 2) {
                    r.detach(kv[i + 1]);
                    Object old = previous[i / 2];
                    if (old == MapNode.ABSENT) {
                        map.rawRemove(kv[i]);
                    } else {
                        map.rawPut(kv[i], old);
                        r.attach(old);
                    }
                }
            };
        }

        @Override
        public int fieldCount() {
            return kv.length;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            for (int i = 0; i < kv.length; i += 2) {
                codec.writeKey(w, kv[i]);
                codec.writeValue(w, kv[i + 1]);
            }
        }
    }

    /** Removes keys in order (absent keys are skipped). */
    record Remove(Node localTarget, long targetId, Object[] keys) implements Op {
        Remove(MapNode target, Object[] keys) {
            this(target, target.id(), keys);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_MAP_REMOVE;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof MapNode m && (m.id() != 0 || keysAreStrings(keys, 1));
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            MapNode map = (MapNode) target;
            Object[] previous = record ? new Object[keys.length] : null;
            for (int i = 0; i < keys.length; i++) {
                Object old = map.rawRemove(keys[i]);
                replica.detach(old);
                if (record) {
                    previous[i] = old;
                }
            }
            if (!record) {
                return null;
            }
            return r -> {
                for (int i = keys.length - 1; i >= 0; i--) {
                    if (previous[i] != MapNode.ABSENT) {
                        map.rawPut(keys[i], previous[i]);
                        r.attach(previous[i]);
                    }
                }
            };
        }

        @Override
        public int fieldCount() {
            return keys.length;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            for (Object key : keys) {
                codec.writeKey(w, key);
            }
        }
    }

    /** Removes every entry. */
    record Clear(Node localTarget, long targetId) implements Op {
        Clear(MapNode target) {
            this(target, target.id());
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_MAP_CLEAR;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof MapNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            MapNode map = (MapNode) target;
            HashMap<Object, Object> old = map.swapBacking(new HashMap<>());
            old.values().forEach(replica::detach);
            if (!record) {
                return null;
            }
            return r -> {
                map.swapBacking(old);
                old.values().forEach(r::attach);
            };
        }

        @Override
        public int fieldCount() {
            return 0;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
        }
    }

    /**
     * Puts {@code value} under {@code key} only if, when the op is applied, the key is absent or
     * mapped to null: the condition is decided where the op is sequenced, so of two processes
     * racing to claim a key, the first to reach the parent wins in every process.
     */
    record PutIfAbsent(Node localTarget, long targetId, Object key, Object value) implements Op {
        PutIfAbsent(MapNode target, Object key, Object value) {
            this(target, target.id(), key, value);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_MAP_PUT_IF_ABSENT;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof MapNode m && (m.id() != 0 || key instanceof String);
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            MapNode map = (MapNode) target;
            Object old = map.rawGet(key);
            if (old != MapNode.ABSENT && old != null) {
                return null;
            }
            return put(replica, map, key, value, old, record);
        }

        @Override
        public int fieldCount() {
            return 2;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            codec.writeKey(w, key);
            codec.writeValue(w, value);
        }
    }

    /**
     * Replaces the value under {@code key} only if, when the op is applied, the key is present and
     * its value equals {@code expected} (compare-and-set, decided at the sequencer).
     */
    record ReplaceIf(Node localTarget, long targetId, Object key, Object expected, Object value) implements Op {
        ReplaceIf(MapNode target, Object key, Object expected, Object value) {
            this(target, target.id(), key, expected, value);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_MAP_REPLACE_IF;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof MapNode m && (m.id() != 0 || key instanceof String);
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            MapNode map = (MapNode) target;
            Object old = map.rawGet(key);
            if (old == MapNode.ABSENT || !Replica.sameValue(old, expected)) {
                return null;
            }
            return put(replica, map, key, value, old, record);
        }

        @Override
        public int fieldCount() {
            return 3;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            codec.writeKey(w, key);
            codec.writeKey(w, expected);
            codec.writeValue(w, value);
        }
    }

    /** Removes {@code key} only if, when the op is applied, its value equals {@code expected}. */
    record RemoveIf(Node localTarget, long targetId, Object key, Object expected) implements Op {
        RemoveIf(MapNode target, Object key, Object expected) {
            this(target, target.id(), key, expected);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_MAP_REMOVE_IF;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof MapNode m && (m.id() != 0 || key instanceof String);
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            MapNode map = (MapNode) target;
            Object old = map.rawGet(key);
            if (old == MapNode.ABSENT || !Replica.sameValue(old, expected)) {
                return null;
            }
            map.rawRemove(key);
            replica.detach(old);
            if (!record) {
                return null;
            }
            return r -> {
                map.rawPut(key, old);
                r.attach(old);
            };
        }

        @Override
        public int fieldCount() {
            return 2;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            codec.writeKey(w, key);
            codec.writeKey(w, expected);
        }
    }

    /** Puts one entry whose old stored value ({@code old}, or ABSENT) is known; the undo restores it. */
    private static Op.Undo put(Replica replica, MapNode map, Object key, Object value, Object old, boolean record) {
        map.rawPut(key, value);
        replica.detach(old);
        replica.attach(value);
        if (!record) {
            return null;
        }
        return r -> {
            r.detach(value);
            if (old == MapNode.ABSENT) {
                map.rawRemove(key);
            } else {
                map.rawPut(key, old);
                r.attach(old);
            }
        };
    }

    /** Whether every key (the even items of {@code kv}, or all items when {@code stride} is 1) is a String: the root's keys are field names. */
    static boolean keysAreStrings(Object[] items, int stride) {
        for (int i = 0; i < items.length; i += stride) {
            if (!(items[i] instanceof String)) {
                return false;
            }
        }
        return true;
    }
}
