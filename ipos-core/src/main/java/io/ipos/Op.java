package io.ipos;

import io.ipos.serialization.ValueWriter;

/**
 * One replicated change, addressed to a container by node id.
 *
 * <p>Applying an op is deterministic: the same op applied to the same state gives the same state
 * in every process, whatever the op's indices or keys turn out to address by then. That is what
 * lets the parent sequence ops and a child re-base its pending ops over foreign ones.
 */
interface Op {

    /** The op code on the wire (see {@link FrameDescriptor}). */
    int code();

    /** The id of the container this op changes. */
    long targetId();

    /** The container this op was made on, when it was made in this process; else null. */
    Node localTarget();

    /** Whether this op can apply to {@code node} (right kind of container, right key types). */
    boolean fits(Node node);

    /**
     * Runs, before anything changes, the user code that applying would run and that may fail:
     * the {@code hashCode()} of every key or element. A receiver calls it first, so an op whose
     * key can't be hashed here is refused whole instead of half-applied.
     */
    default void prepare() {
    }

    /** Calls {@code action} for each value (not key) this op stores: where container literals sit. */
    default void forEachValue(java.util.function.Consumer<Object> action) {
    }

    /** The most levels of containers one of this op's values holds (0: no container among them). */
    default int valueHeight() {
        return 0;
    }

    /** {@link #valueHeight} over {@code values[from], values[from + stride]...}. */
    static int heightOf(Object[] values, int from, int stride) {
        int max = 0;
        for (int i = from; i < values.length; i += stride) {
            Node n = Node.of(values[i]);
            if (n != null) {
                max = Math.max(max, Replica.height(n));
            }
        }
        return max;
    }

    /**
     * Applies this op to {@code target}, which is attached and {@link #fits fits}. Called only by
     * {@link Replica}, the one place where ops are applied.
     *
     * @param record whether to return what undoes it
     * @return what undoes the op (null when not recording, or when nothing changed)
     */
    Undo apply(Replica replica, Node target, boolean record);

    /** Writes the op's fields after its code and target (see {@link OpCodec}). */
    void encodeFields(OpCodec codec, ValueWriter w);

    /** Number of wire elements {@link #encodeFields} writes. */
    int fieldCount();

    /** Reverts one applied op exactly: same objects back in the same places. */
    @FunctionalInterface
    interface Undo {
        void undo(Replica replica);
    }
}
