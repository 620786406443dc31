package io.ipos;

import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireFormat;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The ops on a {@link MapNode}: put (one or many entries), remove (one or many keys), clear, the
 * conditional put/replace/remove, and the result of the compute family (compute, merge...).
 */
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
        public void prepare() {
            hashAll(kv, 2);
        }

        @Override
        public void forEachValue(java.util.function.Consumer<Object> action) {
            for (int i = 1; i < kv.length; i += 2) {
                action.accept(kv[i]);
            }
        }

        @Override
        public int valueHeight() {
            return Op.heightOf(kv, 1, 2);
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
                replica.attach(kv[i + 1], map);
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
                        r.attach(old, map);
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
        public void prepare() {
            hashAll(keys, 1);
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof MapNode m && (m.id() != 0 || keysAreStrings(keys, 1));
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            MapNode map = (MapNode) target;
            Object[] previous = record ? new Object[keys.length] : null;
            Object[] before = record ? new Object[keys.length] : null;
            for (int i = 0; i < keys.length; i++) {
                if (record && map.rawGet(keys[i]) != MapNode.ABSENT) {
                    before[i] = map.keyBefore(keys[i]);
                }
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
                        map.rawPutAfter(before[i], keys[i], previous[i]);
                        r.attach(previous[i], map);
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
            LinkedTable old = map.swapBacking(new LinkedTable());
            old.values().forEach(replica::detach);
            if (!record) {
                return null;
            }
            return r -> {
                map.swapBacking(old);
                old.values().forEach(v -> r.attach(v, map));
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
        public void prepare() {
            Objects.hashCode(key);
        }

        @Override
        public void forEachValue(java.util.function.Consumer<Object> action) {
            action.accept(value);
        }

        @Override
        public int valueHeight() {
            Node n = Node.of(value);
            return n == null ? 0 : Replica.height(n);
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
        public void prepare() {
            Objects.hashCode(key);
        }

        @Override
        public void forEachValue(java.util.function.Consumer<Object> action) {
            action.accept(value);
        }

        @Override
        public int valueHeight() {
            Node n = Node.of(value);
            return n == null ? 0 : Replica.height(n);
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
        public void prepare() {
            Objects.hashCode(key);
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
            return remove(replica, map, key, old, record);
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

    // ---------------------------------------------------------------- compute, computeIfPresent, merge

    /**
     * One call of the compute family ({@code compute}, {@code computeIfPresent}, {@code merge}) as a
     * function of the value it finds. The op the call wrote keeps it (it never travels), so that the
     * writer can run it again on the value that won when another process changed the key first.
     */
    @FunctionalInterface
    interface Step {
        /** What {@link #next} returns when the call writes nothing (computeIfPresent on an absent key, say). */
        Object UNCHANGED = new Object() {
            @Override
            public String toString() {
                return "unchanged";
            }
        };

        /**
         * @param key the key as the caller gave it (the stored key when it runs again)
         * @param current the value found, as a user reads it, or {@link MapNode#ABSENT}
         * @return the new value (as a user gives it), {@link MapNode#ABSENT} to remove the key, or
         *     {@link #UNCHANGED}
         */
        Object next(Object key, Object current);

        /** {@link java.util.Map#compute}: a null result removes the key (if present). */
        static Step compute(BiFunction<? super Object, ? super Object, ?> f) {
            return (key, current) -> {
                Object v = f.apply(key, current == MapNode.ABSENT ? null : current);
                return v != null ? v : current == MapNode.ABSENT ? UNCHANGED : MapNode.ABSENT;
            };
        }

        /** {@link java.util.Map#computeIfPresent}: runs only on a non-null value; a null result removes the key. */
        static Step computeIfPresent(BiFunction<? super Object, ? super Object, ?> f) {
            return (key, current) -> {
                if (current == MapNode.ABSENT || current == null) {
                    return UNCHANGED;
                }
                Object v = f.apply(key, current);
                return v != null ? v : MapNode.ABSENT;
            };
        }

        /** {@link java.util.Map#merge}: {@code value} where there is none (or null), else the function's result; null removes. */
        static Step merge(Object value, BiFunction<? super Object, ? super Object, ?> f) {
            return (key, current) -> {
                if (current == MapNode.ABSENT || current == null) {
                    return value;
                }
                Object v = f.apply(current, value);
                return v != null ? v : MapNode.ABSENT;
            };
        }
    }

    /**
     * The outcome of compute-family calls on one key (one call, or a writer's lost calls run again
     * together), applied only if, when the op is applied, the key still holds what their functions
     * read: nothing ({@code expectPresent} false), or a value that {@link #matches} {@code expected}
     * (a container by its contents, {@code byte[]} by content). The outcome is a value to put or,
     * when {@code removes}, a removal. The condition is decided where the op is sequenced, so every
     * process applies it or skips it alike; a skipped one changed nothing, the parent does not relay
     * it, and its writer runs its {@link #steps} again on the value that won (see {@link ParentLink}).
     *
     * <p>Not a record: {@link #held} records, under the lock, whether the last apply found the
     * expected value. The steps are kept by the writer's own op only (null when decoded).
     */
    static final class Compute implements Op {
        private final Node localTarget;
        private final long targetId;
        private final Object key;
        private final boolean expectPresent;
        private final Object expected;
        private final boolean removes;
        private final Object value;
        private final List<Step> steps;
        private boolean held;

        /**
         * A local write.
         *
         * @param old the stored value the steps read, or {@link MapNode#ABSENT}
         * @param expected {@code old} in the form an op compares and carries (a container frozen)
         * @param result the stored value to put, or {@link MapNode#ABSENT} to remove the key
         */
        Compute(MapNode target, Object key, Object old, Object expected, Object result, List<Step> steps) {
            this(target, target.id(), key, old != MapNode.ABSENT, old != MapNode.ABSENT ? expected : null,
                    result == MapNode.ABSENT, result == MapNode.ABSENT ? null : result, steps);
        }

        Compute(Node localTarget, long targetId, Object key, boolean expectPresent, Object expected, boolean removes,
                Object value, List<Step> steps) {
            this.localTarget = localTarget;
            this.targetId = targetId;
            this.key = key;
            this.expectPresent = expectPresent;
            this.expected = expected;
            this.removes = removes;
            this.value = value;
            this.steps = steps;
        }

        /** The mode field on the wire: bit 0, a value was expected; bit 1, the outcome is a removal. */
        static final int EXPECT_PRESENT = 1;
        static final int REMOVES = 2;

        @Override
        public int code() {
            return FrameDescriptor.OP_MAP_COMPUTE;
        }

        @Override
        public long targetId() {
            return targetId;
        }

        @Override
        public Node localTarget() {
            return localTarget;
        }

        Object key() {
            return key;
        }

        /** The calls this op is the outcome of, in order; null for an op that arrived. */
        List<Step> steps() {
            return steps;
        }

        /** Whether the last apply found the expected value (and so applied the outcome). Under the lock. */
        boolean held() {
            return held;
        }

        /** This write and then {@code next} on the same key as one op: what this one expected, what {@code next} left, and {@code steps}. */
        Compute then(Compute next, List<Step> steps) {
            return new Compute(localTarget, targetId, key, expectPresent, expected, next.removes, next.value, steps);
        }

        /** This write's calls, then {@code next}'s: reuses this op's list if it has its own, so only once this op is dropped. */
        List<Step> stepsThen(Compute next) {
            List<Step> all = steps instanceof java.util.ArrayList<Step> own ? own : new java.util.ArrayList<>(steps);
            all.addAll(next.steps);
            return all;
        }

        @Override
        public void prepare() {
            Objects.hashCode(key);
        }

        @Override
        public void forEachValue(java.util.function.Consumer<Object> action) {
            if (!removes) {
                action.accept(value);
            }
        }

        @Override
        public int valueHeight() {
            Node n = removes ? null : Node.of(value);
            return n == null ? 0 : Replica.height(n);
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof MapNode m && (m.id() != 0 || key instanceof String);
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            MapNode map = (MapNode) target;
            Object old = map.rawGet(key);
            held = expectPresent ? old != MapNode.ABSENT && matches(replica, old, expected) : old == MapNode.ABSENT;
            if (!held) {
                return null;
            }
            if (!removes) {
                return put(replica, map, key, value, old, record);
            }
            if (old == MapNode.ABSENT) {
                return null;
            }
            return remove(replica, map, key, old, record);
        }

        @Override
        public int fieldCount() {
            return 4;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            codec.writeKey(w, key);
            w.writeLong((expectPresent ? EXPECT_PRESENT : 0) | (removes ? REMOVES : 0));
            codec.writeKey(w, expected);
            if (removes) {
                w.writeNil();
            } else {
                codec.writeValue(w, value);
            }
        }

        @Override
        public String toString() {
            return "MAP_COMPUTE " + key + (expectPresent ? " if " + expected : " if absent") + (removes ? ": remove" : ": " + value);
        }
    }

    /**
     * Whether {@code op} is a compute-family write (or an atomic unit holding one) that found its
     * key changed when it was last applied, and so changed nothing. Under the lock.
     */
    static boolean lostRace(Op op) {
        return op instanceof Compute c ? !c.held() : op instanceof UnitOp u && !u.held();
    }

    /**
     * Whether the stored value {@code old} still is the value a compute read: {@link Replica#sameValue}
     * (the rule of every conditional op), or else, for anything but a scalar, the same encoding. The
     * second test is for registered classes whose {@code equals} is identity: a decoded copy is never
     * the same object, and without it such a compute would lose at the parent, and run again, forever.
     */
    static boolean matches(Replica replica, Object old, Object expected) {
        if (Replica.sameValue(old, expected)) {
            return true;
        }
        if (ValueCodec.isScalar(old) || expected == null || ValueCodec.isScalar(expected)) {
            return false;
        }
        ValueWriter[] w = SCRATCH.get();
        try {
            w[0].reset();
            replica.values.write(w[0], old);
            w[1].reset();
            replica.values.write(w[1], expected);
            return Arrays.equals(w[0].toByteArray(), w[1].toByteArray());
        } catch (RuntimeException unwritable) {
            return false;
        }
    }

    /** Writers for {@link #matches}, per thread (it runs under one replica's lock, but replicas of one JVM run in parallel). */
    private static final ThreadLocal<ValueWriter[]> SCRATCH = ThreadLocal.withInitial(() -> {
        WireFormat msgpack = WireFormat.byName("msgpack");
        return new ValueWriter[] {msgpack.newWriter(), msgpack.newWriter()};
    });

    /** Removes one present entry whose stored value is {@code old}; the undo puts it back at its place in the order. */
    private static Op.Undo remove(Replica replica, MapNode map, Object key, Object old, boolean record) {
        Object before = record ? map.keyBefore(key) : null;
        map.rawRemove(key);
        replica.detach(old);
        if (!record) {
            return null;
        }
        return r -> {
            map.rawPutAfter(before, key, old);
            r.attach(old, map);
        };
    }

    /** Puts one entry whose old stored value ({@code old}, or ABSENT) is known; the undo restores it. */
    private static Op.Undo put(Replica replica, MapNode map, Object key, Object value, Object old, boolean record) {
        map.rawPut(key, value);
        replica.detach(old);
        replica.attach(value, map);
        if (!record) {
            return null;
        }
        return r -> {
            r.detach(value);
            if (old == MapNode.ABSENT) {
                map.rawRemove(key);
            } else {
                map.rawPut(key, old);
                r.attach(old, map);
            }
        };
    }

    /** Hashes every key (the even items of {@code kv}, or all items when {@code stride} is 1): see {@link Op#prepare}. */
    static void hashAll(Object[] items, int stride) {
        for (int i = 0; i < items.length; i += stride) {
            Objects.hashCode(items[i]);
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
