package io.ipos;

/**
 * How a replica ships the ops made in its process: the parent's {@link Hub} sequences and
 * broadcasts them, a child's {@link ParentLink} keeps them pending until acknowledged, and
 * {@link #LOCAL} (a closed parent, a child whose parent left) only applies them.
 *
 * <p>{@link Replica#submit} drives a local write through it in three steps, under the replica's
 * lock: {@link #encode} (which may refuse the write: nothing has changed yet), the apply (in the
 * replica), then {@link #ship}.
 */
interface Replicator {

    /**
     * Encodes a local op for sending, before it is applied.
     *
     * @return what {@link #ship} sends (null when nothing is sent)
     * @throws IllegalArgumentException if the op can't be sent: a value that can't be encoded,
     *     or more bytes than a frame may carry
     */
    Object encode(Op op);

    /** Whether a local op's undo must be recorded when it is applied (a child keeps it pending). */
    boolean recordsUndo();

    /** Sends a local op that was just applied; {@code encoded} is what {@link #encode} returned. */
    void ship(Op op, Node target, Object encoded, Op.Undo undo);

    /**
     * Called by the outermost holder of the replica's lock just before it releases it: may wait
     * until outgoing queues are below their limits, and must release the lock while it waits
     * (a link's reader needs the lock to drain what the other side sends).
     */
    default void throttle(Replica replica) {
    }

    /** Applies ops and ships nothing. */
    Replicator LOCAL = new Replicator() {
        @Override
        public Object encode(Op op) {
            return null;
        }

        @Override
        public boolean recordsUndo() {
            return false;
        }

        @Override
        public void ship(Op op, Node target, Object encoded, Op.Undo undo) {
        }
    };
}
