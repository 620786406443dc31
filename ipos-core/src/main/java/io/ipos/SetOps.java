package io.ipos;

import io.ipos.serialization.ValueWriter;


/** The ops on a {@link SetNode}: add (one or many), remove (one or many), clear. */
final class SetOps {
    private SetOps() {
    }

    /** Adds elements (those already present are skipped). */
    record Add(Node localTarget, long targetId, Object[] elements) implements Op {
        Add(SetNode target, Object[] elements) {
            this(target, target.id(), elements);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_SET_ADD;
        }

        @Override
        public void prepare() {
            MapOps.hashAll(elements, 1);
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof SetNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            SetNode set = (SetNode) target;
            boolean[] added = record ? new boolean[elements.length] : null;
            for (int i = 0; i < elements.length; i++) {
                boolean changed = set.rawAdd(elements[i]);
                if (record) {
                    added[i] = changed;
                }
            }
            if (!record) {
                return null;
            }
            return r -> {
                for (int i = elements.length - 1; i >= 0; i--) {
                    if (added[i]) {
                        set.rawRemove(elements[i]);
                    }
                }
            };
        }

        @Override
        public int fieldCount() {
            return elements.length;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            for (Object e : elements) {
                codec.writeKey(w, e);
            }
        }
    }

    /** Removes elements (those absent are skipped). */
    record Remove(Node localTarget, long targetId, Object[] elements) implements Op {
        Remove(SetNode target, Object[] elements) {
            this(target, target.id(), elements);
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_SET_REMOVE;
        }

        @Override
        public void prepare() {
            MapOps.hashAll(elements, 1);
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof SetNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            SetNode set = (SetNode) target;
            Object[] before = record ? new Object[elements.length] : null;
            boolean[] removed = record ? new boolean[elements.length] : null;
            for (int i = 0; i < elements.length; i++) {
                if (record && set.rawContains(elements[i])) {
                    before[i] = set.elementBefore(elements[i]);
                }
                boolean changed = set.rawRemove(elements[i]);
                if (record) {
                    removed[i] = changed;
                }
            }
            if (!record) {
                return null;
            }
            return r -> {
                for (int i = elements.length - 1; i >= 0; i--) {
                    if (removed[i]) {
                        set.rawAddAfter(before[i], elements[i]);
                    }
                }
            };
        }

        @Override
        public int fieldCount() {
            return elements.length;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
            for (Object e : elements) {
                codec.writeKey(w, e);
            }
        }
    }

    /** Removes every element. */
    record Clear(Node localTarget, long targetId) implements Op {
        Clear(SetNode target) {
            this(target, target.id());
        }

        @Override
        public int code() {
            return FrameDescriptor.OP_SET_CLEAR;
        }

        @Override
        public boolean fits(Node node) {
            return node instanceof SetNode;
        }

        @Override
        public Undo apply(Replica replica, Node target, boolean record) {
            SetNode node = (SetNode) target;
            LinkedTable old = node.swapBacking(new LinkedTable());
            return record ? r -> node.swapBacking(old) : null;
        }

        @Override
        public int fieldCount() {
            return 0;
        }

        @Override
        public void encodeFields(OpCodec codec, ValueWriter w) {
        }
    }
}
