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
        public boolean fits(Node node) {
            return node instanceof ListNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            ArrayList<Object> list = ((ListNode) target).backing();
            int at = index == APPEND ? list.size() : clamp(index, 0, list.size());
            if (values.length == 1) {
                list.add(at, values[0]);
            } else {
                list.addAll(at, Arrays.asList(values));
            }
            for (Object v : values) {
                replica.attach(v);
            }
            if (!record) {
                return null;
            }
            return r -> {
                ArrayList<Object> l = ((ListNode) target).backing();
                l.subList(at, at + values.length).clear();
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
        public boolean fits(Node node) {
            return node instanceof ListNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            ArrayList<Object> list = ((ListNode) target).backing();
            Object[] previous = record ? new Object[indices.length] : null;
            boolean[] applied = record ? new boolean[indices.length] : null;
            for (int i = 0; i < indices.length; i++) {
                int at = indices[i];
                if (at < 0 || at >= list.size()) {
                    continue;
                }
                Object old = list.set(at, values[i]);
                replica.detach(old);
                replica.attach(values[i]);
                if (record) {
                    previous[i] = old;
                    applied[i] = true;
                }
            }
            if (!record) {
                return null;
            }
            return r -> {
                ArrayList<Object> l = ((ListNode) target).backing();
                for (int i = indices.length - 1; i >= 0; i--) {
                    if (applied[i]) {
                        l.set(indices[i], previous[i]);
                        r.detach(values[i]);
                        r.attach(previous[i]);
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
            ArrayList<Object> list = ((ListNode) target).backing();
            int[] starts = record ? new int[ranges.length / 2] : null;
            Object[][] removed = record ? new Object[ranges.length / 2][] : null;
            for (int i = 0; i < ranges.length; i += 2) {
                int from = clamp(ranges[i], 0, list.size());
                int to = clamp(ranges[i + 1], from, list.size());
                java.util.List<Object> range = list.subList(from, to);
                Object[] gone = range.toArray();
                range.clear();
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
                ArrayList<Object> l = ((ListNode) target).backing();
                for (int i = starts.length - 1; i >= 0; i--) {
                    l.addAll(starts[i], Arrays.asList(removed[i]));
                    for (Object v : removed[i]) {
                        r.attach(v);
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
                old.forEach(r::attach);
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
