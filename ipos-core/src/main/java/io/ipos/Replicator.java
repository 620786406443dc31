package io.ipos;

/**
 * How a replica ships the ops made in its process: the parent's {@link Hub} sequences and
 * broadcasts them, a child's {@link ParentLink} keeps them pending until acknowledged, and
 * {@link #LOCAL} (a closed parent, a child whose parent left) only applies them.
 */
interface Replicator {

    /** Applies a local op to the replica and ships it; called under the replica's lock. */
    void submit(Replica replica, Op op, Node target);

    /**
     * Called by the outermost holder of the replica's lock just before it releases it: may wait
     * until outgoing queues are below their limits, and must release the lock while it waits
     * (a link's reader needs the lock to drain what the other side sends).
     */
    default void throttle(Replica replica) {
    }

    /** Applies ops and ships nothing. */
    Replicator LOCAL = (replica, op, target) -> op.apply(replica, target, false);
}
