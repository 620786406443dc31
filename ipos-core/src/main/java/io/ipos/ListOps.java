package io.ipos;

import io.ipos.serialization.ValueWriter;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * The ops on a {@link ListNode}. Indices are resolved against the list as it is when the op is
 * applied, by one rule in every process: an insert index of {@link #APPEND} appends, any other
 * insert index is clamped to {@code [0, size]}, a set
 * index outside {@code [0, size)} is skipped, a removed range is clipped to the list, a permutation
 * of the wrong length is skipped.
 */
final class ListOps {
    private ListOps() {
    }

    /** The insert index of {@code add(e)} and {@code addAll(c)}: the end of the list when the op is applied. */
    static final int APPEND = -1;

    static int clamp(long value, int min, int max) {
        return (int) Math.max(min, Math.min(max, value));
    }

    /** Inserts {@code values} at {@code index}. */
    record Insert(Node localTarget, long targetId, int index, Object[] values) implements Op {
        Insert(ListNode target, int index, Object[] values) {
            this(target, target.id(), index, values);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_LIST_INSERT;
        }

        @Override
        public void forEachValue(java.util.function.Consumer<Object> action) {
            for (Object v : values) {
                action.accept(v);
            }
        }

        @Override
        public int valueHeight() {
            return Op.heightOf(values, 0, 1);
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof ListNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            ListNode list = (ListNode) target;
            int size = list.backing().size();
            int at = index == APPEND ? size : clamp(index, 0, size);
            list.rawInsert(at, values);
            for (Object v : values) {
                replica.attach(v, target);
            }
            if (!record) {
                return null;
            }
            return r -> {
                list.rawRemove(at, at + values.length);
                for (Object v : values) {
                    r.detach(v);
                }
            };
        }

        @Override
        public int fieldCount() {
            return 1 + values.length;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            w.writeLong(index);
            for (Object v : values) {
                codec.writeValue(w, v);
            }
        }
    }

    /** Replaces the elements at the given indices; {@code indices[i]} gets {@code values[i]}. */
    record Set(Node localTarget, long targetId, int[] indices, Object[] values) implements Op {
        Set(ListNode target, int[] indices, Object[] values) {
            this(target, target.id(), indices, values);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_LIST_SET;
        }

        @Override
        public void forEachValue(java.util.function.Consumer<Object> action) {
            for (Object v : values) {
                action.accept(v);
            }
        }

        @Override
        public int valueHeight() {
            return Op.heightOf(values, 0, 1);
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof ListNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            ListNode list = (ListNode) target;
            Object[] previous = record ? new Object[indices.length] : null;
            boolean[] applied = record ? new boolean[indices.length] : null;
            for (int i = 0; i < indices.length; i++) {
                int at = indices[i];
                if (at < 0 || at >= list.backing().size()) {
                    continue;
                }
                Object old = list.rawSet(at, values[i]);
                replica.detach(old);
                replica.attach(values[i], target);
                if (record) {
                    previous[i] = old;
                    applied[i] = true;
                }
            }
            if (!record) {
                return null;
            }
            return r -> {
                for (int i = indices.length - 1; i >= 0; i--) {
                    if (applied[i]) {
                        list.rawSet(indices[i], previous[i]);
                        r.detach(values[i]);
                        r.attach(previous[i], target);
                    }
                }
            };
        }

        @Override
        public int fieldCount() {
            return 2 * indices.length;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            for (int i = 0; i < indices.length; i++) {
                w.writeLong(indices[i]);
                codec.writeValue(w, values[i]);
            }
        }
    }

    /** Removes the ranges {@code [ranges[2i], ranges[2i+1])} in order, each clipped to the list. */
    record Remove(Node localTarget, long targetId, int[] ranges) implements Op {
        Remove(ListNode target, int[] ranges) {
            this(target, target.id(), ranges);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_LIST_REMOVE;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof ListNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            ListNode list = (ListNode) target;
            int[] starts = record ? new int[ranges.length / 2] : null;
            Object[][] removed = record ? new Object[ranges.length / 2][] : null;
            for (int i = 0; i < ranges.length; i += 2) {
                int size = list.backing().size();
                int from = clamp(ranges[i], 0, size);
                int to = clamp(ranges[i + 1], from, size);
                Object[] gone = list.rawRemove(from, to);
                for (Object v : gone) {
                    replica.detach(v);
                }
                if (record) {
                    starts[i / 2] = from;
                    removed[i / 2] = gone;
                }
            }
            if (!record) {
                return null;
            }
            return r -> {
                for (int i = starts.length - 1; i >= 0; i--) {
                    if (removed[i].length > 0) {
                        list.rawInsert(starts[i], removed[i]);
                    }
                    for (Object v : removed[i]) {
                        r.attach(v, target);
                    }
                }
            };
        }

        @Override
        public int fieldCount() {
            return ranges.length;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            for (int bound : ranges) {
                w.writeLong(bound);
            }
        }
    }

    /** Removes every element. */
    record Clear(Node localTarget, long targetId) implements Op {
        Clear(ListNode target) {
            this(target, target.id());
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_LIST_CLEAR;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof ListNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            ListNode node = (ListNode) target;
            ArrayList<Object> old = node.swapBacking(new ArrayList<>());
            old.forEach(replica::detach);
            if (!record) {
                return null;
            }
            return r -> {
                node.swapBacking(old);
                old.forEach(v -> r.attach(v, target));
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

    /** Reorders the list: the element at {@code j} becomes the one that was at {@code permutation[j]}. */
    record Permute(Node localTarget, long targetId, int[] permutation) implements Op {
        Permute(ListNode target, int[] permutation) {
            this(target, target.id(), permutation);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_LIST_PERMUTE;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof ListNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            ListNode node = (ListNode) target;
            ArrayList<Object> old = node.backing();
            if (old.size() != permutation.length) {
                return null;
            }
            ArrayList<Object> sorted = new ArrayList<>(old.size());
            for (int from : permutation) {
                sorted.add(old.get(from));
            }
            node.swapBacking(sorted);
            return record ? r -> node.swapBacking(old) : null;
        }

        @Override
        public int fieldCount() {
            return permutation.length;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            for (int from : permutation) {
                w.writeLong(from);
            }
        }
    }
}
