package io.ipos;

import io.ipos.serialization.ValueWriter;

import java.util.HashMap;

/** The ops on a {@link MapNode}: put (one or many entries), remove (one or many keys), clear. */
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
