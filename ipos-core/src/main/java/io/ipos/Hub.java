package io.ipos;

import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;
import io.ipos.serialization.WireFormat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The parent's side of replication: the sequencer. It applies ops in the order they reach it (its
 * own at once), then sends each to every child: a child's op goes verbatim to its siblings, and
 * the origin gets an ACK in the same place in its stream.
 */
final class Hub implements Replicator {
    /** How long a writer waits for a child that stopped reading before that child is dropped. */
    static final long STALL_NANOS = Long.getLong("ipos.stallTimeoutMillis", 30_000L) * 1_000_000L;
    static final long SOFT_LIMIT = Long.getLong("ipos.outboxSoftLimit", 8L << 20);
    static final long HARD_LIMIT = Long.getLong("ipos.outboxHardLimit", 512L << 20);
    /**
     * How long a link thread polls for work before it sleeps (both directions, both sides): a
     * sleeping thread takes tens of microseconds to wake, so polling briefly after each frame keeps
     * a conversation near the pipe's own latency. 0 turns it off; it is off by default on a single
     * core, where a polling thread can only take time from the one it waits for.
     */
    static final long SPIN_NANOS = Long.getLong("ipos.spinMicros",
            Runtime.getRuntime().availableProcessors() > 1 ? 100L : 0L) * 1_000L;

    final Replica replica;
    final WireFormat format;
    final int maxFrameBytes;
    private final OpCodec codec;
    private final ValueWriter opWriter;
    private final Consumer<IposException> errors;
    private volatile ChildLink[] children = new ChildLink[0];
    private final List<SyncWait> syncs = new ArrayList<>();
    private int nextChildId = 1;
    private long nextSyncToken = 1;
    private boolean closed;

    private record SyncWait(long token, HashSet<ChildLink> waiting, CompletableFuture<Void> done) {
    }

    Hub(Replica replica, WireFormat format, int maxFrameBytes, Consumer<IposException> errors) {
        this.replica = replica;
        this.format = format;
        this.maxFrameBytes = maxFrameBytes;
        this.codec = new OpCodec(replica);
        this.opWriter = format.newWriter();
        this.errors = errors;
    }

    // ---------------------------------------------------------------- local writes

    @Override
    public void submit(Replica r, Op op, Node target) {
        op.apply(r, target, false);
        ChildLink[] cs = children;
        if (cs.length == 0) {
            return;
        }
        opWriter.reset();
        codec.encode(opWriter, op);
        for (ChildLink c : cs) {
            c.outbox.frame(FrameDescriptor.OP, opWriter);
        }
    }

    /**
     * Waits, with the replica's lock released, while a child's queue is over the soft limit; a
     * child that stays over it for {@link #STALL_NANOS} is dropped. Waiting under the lock would
     * deadlock two processes that both write hard: each one's reader needs its lock to drain the
     * other's queue.
     */
    @Override
    public void throttle(Replica r) {
        ChildLink[] cs = children;
        boolean over = false;
        for (ChildLink c : cs) {
            over |= c.outbox.queued() > SOFT_LIMIT;
        }
        if (!over || r.lock.getHoldCount() != 1) {
            return;
        }
        r.lock.unlock();
        try {
            for (ChildLink c : cs) {
                if (!c.outbox.awaitBelow(STALL_NANOS)) {
                    lost(c, new IposException(c.name + " stopped reading: over " + SOFT_LIMIT + " bytes stayed queued for "
                            + STALL_NANOS / 1_000_000 + " ms; dropped its link (raise -Dipos.stallTimeoutMillis for slow children)"));
                }
            }
        } finally {
            r.lock.lock();
        }
    }

    // ---------------------------------------------------------------- children

    ChildLink[] children() {
        return children;
    }

    /** Admits a child that said HELLO: gives it an id, the state, and every op from now on. */
    void admit(ChildLink link) {
        replica.acquire();
        try {
            if (closed) {
                throw new IposException(link.name + " connected after the parent's IPOS was closed");
            }
            if (nextChildId > Node.MAX_CREATOR) {
                throw new IposException("no child ids left: " + Node.MAX_CREATOR + " children were admitted");
            }
            link.childId = nextChildId++;
            ValueWriter w = format.newWriter();
            codec.encodeSnapshot(w);
            if (w.size() + 1 > maxFrameBytes) {
                throw new IposException("the state takes " + w.size() + " bytes, above maxFrameBytes=" + maxFrameBytes
                        + "; raise -Dipos.maxFrameBytes in the parent to connect " + link.name);
            }
            link.outbox.raw(FrameDescriptor.MAGIC);
            link.outbox.frame(FrameDescriptor.WELCOME, FrameDescriptor.welcome(link.childId, maxFrameBytes, format.name()));
            link.outbox.frame(FrameDescriptor.SNAPSHOT, w);
            ChildLink[] cs = Arrays.copyOf(children, children.length + 1);
            cs[cs.length - 1] = link;
            children = cs;
            link.markAdmitted();
        } finally {
            replica.release();
        }
    }

    /**
     * Applies a batch of frames from {@code link}, starting with the one just read, for as long as
     * whole frames are buffered, under one hold of the lock. Runs on the link's reader thread.
     */
    void receive(ChildLink link, ValueReader reader, List<Runnable> after) {
        FrameReader frames = link.frames;
        replica.acquire();
        try {
            int acks = 0;
            try {
                acks += handle(link, frames, reader, after);
                while (frames.hasBufferedFrame() && frames.next()) {
                    acks += handle(link, frames, reader, after);
                }
            } catch (java.io.IOException e) {
                // the reader thread's next read reports it
            } finally {
                if (acks > 0 && link.admitted()) {
                    link.outbox.frame(FrameDescriptor.ACK, FrameDescriptor.u32(acks));
                }
            }
        } finally {
            replica.releaseWrite();
        }
    }

    /** @return 1 if the frame was an op (to acknowledge), else 0 */
    private int handle(ChildLink link, FrameReader frames, ValueReader reader, List<Runnable> after) {
        if (!link.admitted() || closed) {
            return 0;
        }
        byte[] buf = frames.buffer();
        int off = frames.bodyOffset();
        int len = frames.bodyLength();
        switch (frames.type()) {
            case FrameDescriptor.OP -> {
                Op op;
                try {
                    reader.reset(buf, off, len);
                    codec.literalCreator = link.childId;
                    op = codec.decode(reader);
                } catch (WireException | StackOverflowError e) {
                    throw link.corrupt("OP", frames.frameOffset(), e);
                }
                Node target = resolve(link, op, frames.frameOffset());
                if (target != null) {
                    op.apply(replica, target, false);
                    for (ChildLink c : children) {
                        if (c != link) {
                            c.outbox.frame(FrameDescriptor.OP, buf, off, len);
                        }
                    }
                }
                return 1;
            }
            case FrameDescriptor.SYNC_ACK -> {
                if (len != 8) {
                    throw link.corrupt("SYNC_ACK", frames.frameOffset(), null);
                }
                syncAcked(link, FrameDescriptor.getLong(buf, off), after);
                return 0;
            }
            case FrameDescriptor.READY -> {
                after.add(() -> link.ready.complete(null));
                return 0;
            }
            case FrameDescriptor.ERROR -> {
                String text = new String(buf, off, len, java.nio.charset.StandardCharsets.UTF_8);
                after.add(() -> errors.accept(new IposException(link.name + " reported: " + text)));
                return 0;
            }
            default -> throw link.corrupt(FrameDescriptor.typeName(frames.type()), frames.frameOffset(), null);
        }
    }

    /** The node an op from a child changes; null if it was detached (the op changes nothing). */
    private Node resolve(ChildLink link, Op op, long frameOffset) {
        Node target = replica.node(op.targetId());
        if (target == null) {
            if (replica.mayHaveExisted(op.targetId())) {
                return null;
            }
            throw new IposException(link.name + ": " + FrameDescriptor.opName(op.code()) + " at offset " + frameOffset
                    + " names node " + op.targetId() + ", which never existed; the stream can't be trusted");
        }
        if (!op.fits(target)) {
            throw new IposException(link.name + ": " + FrameDescriptor.opName(op.code()) + " at offset " + frameOffset
                    + " does not apply to " + target.describe() + "; the stream can't be trusted");
        }
        return target;
    }

    /** Drops a child: it gets nothing more, its stdin is closed, waits on it end. {@code error} may be null. */
    void lost(ChildLink link, IposException error) {
        List<Runnable> after = new ArrayList<>();
        replica.acquire();
        try {
            if (!link.markRemoved()) {
                return;
            }
            unlink(link, after);
        } finally {
            replica.release();
        }
        link.outbox.close();
        IposException why = error != null ? error : new IposException(link.name + " left before it was ready");
        link.ready.completeExceptionally(why);
        after.forEach(Runnable::run);
        if (error != null) {
            errors.accept(error);
        }
    }

    /**
     * Writing to a child failed: it closed its stdin or ended. It gets nothing more, but what it
     * sent before is still applied: its reader keeps going to the end of its stream and then
     * drops it (quietly if the stream ended cleanly), so a child's last writes are not lost when
     * it exits while the parent is writing to it.
     */
    void outputGone(ChildLink link) {
        List<Runnable> after = new ArrayList<>();
        replica.acquire();
        try {
            if (!link.admitted()) {
                return;
            }
            unlink(link, after);
        } finally {
            replica.release();
        }
        after.forEach(Runnable::run);
    }

    /** Sends nothing more to {@code link} and stops waiting for it. Under the lock. */
    private void unlink(ChildLink link, List<Runnable> after) {
        ChildLink[] cs = children;
        int i = Arrays.asList(cs).indexOf(link);
        if (i >= 0) {
            ChildLink[] fewer = new ChildLink[cs.length - 1];
            System.arraycopy(cs, 0, fewer, 0, i);
            System.arraycopy(cs, i + 1, fewer, i, cs.length - i - 1);
            children = fewer;
        }
        for (Iterator<SyncWait> it = syncs.iterator(); it.hasNext(); ) {
            SyncWait w = it.next();
            if (w.waiting.remove(link) && w.waiting.isEmpty()) {
                it.remove();
                after.add(() -> w.done.complete(null));
            }
        }
    }

    // ---------------------------------------------------------------- flush and close

    CompletableFuture<Void> flush() {
        replica.acquire();
        try {
            ChildLink[] cs = children;
            if (cs.length == 0 || closed) {
                return CompletableFuture.completedFuture(null);
            }
            long token = nextSyncToken++;
            SyncWait w = new SyncWait(token, new HashSet<>(Arrays.asList(cs)), new CompletableFuture<>());
            syncs.add(w);
            for (ChildLink c : cs) {
                c.outbox.frame(FrameDescriptor.SYNC, FrameDescriptor.u64(token));
            }
            return w.done;
        } finally {
            replica.release();
        }
    }

    private void syncAcked(ChildLink link, long token, List<Runnable> after) {
        for (Iterator<SyncWait> it = syncs.iterator(); it.hasNext(); ) {
            SyncWait w = it.next();
            if (w.token == token) {
                if (w.waiting.remove(link) && w.waiting.isEmpty()) {
                    it.remove();
                    after.add(() -> w.done.complete(null));
                }
                return;
            }
        }
    }

    /** Closes every child's link (each sees its parent leave); later writes stay local. Idempotent. */
    void close() {
        ChildLink[] cs;
        replica.acquire();
        try {
            if (closed) {
                return;
            }
            closed = true;
            replica.replicator = Replicator.LOCAL;
            cs = children;
        } finally {
            replica.release();
        }
        for (ChildLink c : cs) {
            lost(c, null);
        }
        for (ChildLink c : cs) {
            c.outbox.awaitDrained(1_000_000_000L);
        }
        replica.acquire();
        try {
            for (SyncWait w : syncs) {
                w.done.complete(null);
            }
            syncs.clear();
        } finally {
            replica.release();
        }
    }

    boolean isClosed() {
        replica.acquire();
        try {
            return closed;
        } finally {
            replica.release();
        }
    }
}
