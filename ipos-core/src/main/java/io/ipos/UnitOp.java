package io.ipos;

import io.ipos.serialization.ValueWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * An atomic unit ({@link IPOS#atomic}): the ops one block wrote, travelling as one op with one
 * sequence number, so every process applies all of them at once, between two other ops. It
 * targets the root; each op inside names its own container, found when the unit is applied (an op
 * may target a container that an earlier op of the unit created).
 *
 * <p>Applying it applies the ops in order through {@link Replica#applyReceived}; if one can't be
 * applied, those already applied are undone and the unit is refused whole. Its changes are held
 * back meanwhile, so a listener sees all of them, one after another, or none. A unit whose
 * compute-family write finds its key changed is skipped whole (see {@link #held}).
 */
final class UnitOp implements Op {
    private final List<Op> ops;

    UnitOp(List<Op> ops) {
        this.ops = List.copyOf(ops);
    }

    List<Op> ops() {
        return ops;
    }

    @Override
    public int code() {
        return FrameDescriptor.OP_UNIT;
    }

    @Override
    public long targetId() {
        return 0L;
    }

    @Override
    public Node localTarget() {
        return null;
    }

    @Override
    public boolean fits(Node node) {
        return node.id() == 0L;
    }

    /**
     * Whether the last apply applied the unit: false when one of its compute-family writes found its
     * key changed ({@link MapOps#lostRace}); the unit is then skipped whole, alike in every process,
     * and its writer sends it again with those computes run on the value that won. Under the lock.
     */
    boolean held() {
        return held;
    }

    /** True until applied as a whole: a unit made here was applied op by op as its block ran, each compute on what it read. */
    private boolean held = true;

    @Override
    public Undo apply(Replica replica, Node root, boolean record) {
        ArrayList<Undo> undos = new ArrayList<>(ops.size());
        replica.feed.hold();
        boolean whole = false;
        held = false;
        try {
            for (Op op : ops) {
                Node target = targetOf(replica, op);
                undos.add(target == null ? null : replica.applyReceived(op, target, true, replica.self));
                if (target != null && MapOps.lostRace(op)) {
                    return null; // skipped whole: undone below, heard by no listener
                }
            }
            whole = true;
            held = true;
        } finally {
            if (!whole) {
                replica.feed.mute(true);
                try {
                    undoAll(replica, undos);
                } finally {
                    replica.feed.mute(false);
                }
            }
            replica.feed.release(whole);
        }
        return record ? r -> undoAll(r, undos) : null;
    }

    /** The container {@code op} changes now: null if it was detached (the op changes nothing, as alone). */
    private static Node targetOf(Replica replica, Op op) {
        Node local = op.localTarget();
        if (local != null) {
            return local.attached() ? local : null;
        }
        Node target = replica.node(op.targetId());
        if (target == null) {
            if (replica.mayHaveExisted(op.targetId())) {
                return null;
            }
            throw new Replica.RefusedOp("an op of the unit (" + FrameDescriptor.opName(op.code()) + ") names node "
                    + op.targetId() + ", which never existed", null);
        }
        if (!op.fits(target)) {
            throw new Replica.RefusedOp("an op of the unit (" + FrameDescriptor.opName(op.code()) + ") does not apply to "
                    + target.describe(), null);
        }
        return target;
    }

    private static void undoAll(Replica replica, List<Undo> undos) {
        for (int i = undos.size() - 1; i >= 0; i--) {
            Undo u = undos.get(i);
            if (u != null) {
                replica.undo(u, replica.self);
            }
        }
    }

    @Override
    public int fieldCount() {
        return ops.size();
    }

    @Override
    public void encodeFields(OpCodec codec, ValueWriter w) {
        for (Op op : ops) {
            codec.encode(w, op);
        }
    }
}
