package io.ipos;

import io.ipos.serialization.ClassRegistry;
import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;
import io.ipos.serialization.WireFormat;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A child's link to its parent, and the child's side of replication.
 *
 * <p>The child applies its own writes at once and keeps them <em>pending</em>, each with what
 * undoes it, until the parent acknowledges them. When a batch from the parent holds a foreign op
 * while writes are pending, the child re-bases: it undoes the pending writes (newest first),
 * applies the parent's stream in order (foreign ops, and its own ops as their ACKs confirm them),
 * then redoes the writes still pending. Its view is then exactly what the parent will hold once it
 * has applied those pending writes too.
 *
 * <p><b>No lost updates.</b> A compute-family write (a {@link MapOps.Compute}, or a unit holding one)
 * applies only if its key still holds the value its function read. The parent says when one did
 * not: LOST in the place of its ACK. It then skips every later op of this process's until a RETRY,
 * so the child takes the lost write and every write it sent after it off its pending list, and at
 * the end of the batch sends RETRY, the lost write run again on the current view, then the later
 * writes again in their order ({@link #resend}): go-back-N, so that this process's writes are
 * applied everywhere in the order it made them. A {@code flush()} covering any of them waits for
 * the new sends.
 */
final class ParentLink implements Replicator, Runnable {
    private final FrameReader frames;
    private final Outbox outbox;
    private final Consumer<IposException> errors;
    private final CompletableFuture<Replica> handshake = new CompletableFuture<>();
    private Replica replica;
    private OpCodec codec;
    private WireFormat format;
    private ValueWriter opWriter;
    /** The parent's frame limit, from WELCOME: a local write larger than it is refused. */
    private int maxFrameBytes;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final List<FlushWait> flushes = new ArrayList<>();
    private long sent;
    private long acked;
    /** True while the reader has undone the pending writes within one batch; they are redone at its end. */
    private boolean undone;
    private volatile boolean connected;

    private static final class Pending {
        /** The op; a compute coalesced with the next one on its key becomes the two as one ({@link #coalesce}). */
        Op op;
        final Node target;
        Op.Undo undo;
        /** Its frame's mark in the outbox ({@link Outbox#frameReplaceable}). */
        long mark = -1;

        Pending(Op op, Node target, Op.Undo undo) {
            this.op = op;
            this.target = target;
            this.undo = undo;
        }
    }

    /** A child's {@code flush()}: done once ACKs cover {@code upTo} ops (raised when a write it covers is re-run). */
    private static final class FlushWait {
        long upTo;
        final CompletableFuture<Void> done;

        FlushWait(long upTo, CompletableFuture<Void> done) {
            this.upTo = upTo;
            this.done = done;
        }
    }

    /**
     * After a LOST in this batch: the lost write, then every write sent after it (the parent skips
     * them), in order; {@link #resend} sends them again at the batch's end. Reader thread, under the lock.
     */
    private final List<Pending> retry = new ArrayList<>();
    /** The number (1 = the first op sent) of the lost one: flushes from there on wait for the new sends. */
    private long firstLost = Long.MAX_VALUE;
    /**
     * Ops sent again after a LOST, and the calls they carried (a compute call, a unit or a plain
     * write counts as one): for tests, coalescing shows as fewer ops than calls.
     */
    private long reruns;
    private long rerunCalls;

    /** What carries the link, for messages: "stdin" or "the socket". */
    private final String carrier;
    /** Who is connected, from WELCOME and PEER frames (null until the handshake). */
    private volatile Membership membership;
    /** Where messages and calls from the parent go (null until the instance is made: none can be for it yet). */
    private volatile Talk talk;

    private ParentLink(Connection connection, Consumer<IposException> errors) {
        this.frames = new FrameReader(connection.in, "the parent", FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
        this.outbox = new Outbox(connection.out, "the parent", Hub.SOFT_LIMIT, Long.MAX_VALUE, this::lost, this::lost);
        this.errors = errors;
        boolean socket = connection.kind == Connection.Kind.UNIX || connection.kind == Connection.Kind.TCP;
        this.carrier = socket ? "the " + connection.kind.label + " to the parent" : "stdin";
        this.socketEnded = socket ? new java.util.concurrent.CountDownLatch(1) : null;
        if (socket) {
            lingerAtExit();
        }
    }

    /**
     * Says HELLO, with {@code name} and {@code secret} (each may be null), and waits for the
     * parent's WELCOME and SNAPSHOT.
     *
     * @throws IposException on timeout, end of stream, garbage, a version mismatch or a refusal
     */
    static ParentLink connect(Connection connection, String name, byte[] secret, Duration timeout,
            Consumer<IposException> errors) {
        ParentLink link = new ParentLink(connection, errors);
        link.outbox.raw(FrameDescriptor.MAGIC);
        link.outbox.frame(FrameDescriptor.HELLO, FrameDescriptor.hello(ProcessHandle.current().pid(), name, secret));
        link.outbox.start("ipos-writer-parent");
        Thread reader = new Thread(link, "ipos-reader-parent");
        reader.setDaemon(true);
        reader.start();
        try {
            link.handshake.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            link.outbox.close();
            throw new IposException("no handshake from the parent within " + timeout.toMillis()
                    + " ms: start this program with IPOS.spawn(...) or IPOS.addProcess(...) from a parent that called IPOS.start()");
        } catch (ExecutionException e) {
            link.outbox.close();
            Throwable cause = e.getCause();
            throw cause instanceof IposException ie ? new IposException(ie.getMessage(), ie)
                    : new IposException("connecting to the parent failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            link.outbox.close();
            throw new IposException("interrupted while connecting to the parent");
        }
        return link; // the outbox's exit hook sends what is queued when the JVM ends
    }

    /**
     * At exit, once everything queued is sent (the outbox's own hook sends it, then ends the
     * stream), waits up to a second for the parent to end its side, so the socket is not reset
     * while the parent still reads this process's last writes.
     */
    private void lingerAtExit() {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (!outbox.awaitDrained(Outbox.EXIT_DRAIN_NANOS)) {
                    return;
                }
                try {
                    socketEnded.await(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ipos-exit-linger"));
        } catch (IllegalStateException exiting) {
            // the JVM is exiting already
        }
    }

    Replica replica() {
        return replica;
    }

    boolean isConnected() {
        return connected;
    }

    /** Bytes queued for the parent and not yet handed to the stream (for tests). */
    long queuedBytes() {
        return outbox.pendingBytes();
    }

    // ---------------------------------------------------------------- local writes

    @Override
    public Object encode(Op op) {
        opWriter.reset();
        codec.encode(opWriter, op);
        Hub.checkFits(opWriter.size(), maxFrameBytes);
        codec.checkBudget(opWriter.size());
        return opWriter;
    }

    @Override
    public boolean recordsUndo() {
        return true;
    }

    @Override
    public void ship(Op op, Node target, Object encoded, Op.Undo undo) {
        if (!connected) {
            return;
        }
        if (op instanceof MapOps.Compute c && coalesce(c, target, undo)) {
            return;
        }
        Pending p = new Pending(op, target, undo);
        pending.addLast(p);
        p.mark = outbox.frameReplaceable(FrameDescriptor.OP, (ValueWriter) encoded);
        sent++;
        if (opWriter.size() > Hub.KEEP_WRITER_BYTES) {
            opWriter = format.newWriter(); // a writer keeps its largest buffer: let a big op's go
        }
    }

    /**
     * A compute on the key of the write sent last, itself a compute whose frame the writer thread
     * has not taken yet (and that holds in the view): the two become one op, what the first
     * expected and what the second left, in that frame's place. A hot counter's increments made
     * while the writer is busy travel as one op; nothing is held back, so no write is reordered.
     *
     * @return whether it did; if not, {@code next} is sent as it is
     */
    private boolean coalesce(MapOps.Compute next, Node target, Op.Undo undo) {
        Pending last = pending.peekLast();
        if (last == null || last.mark < 0 || last.target != target || !(last.op instanceof MapOps.Compute prev)
                || !prev.held() || prev.steps() == null || next.steps() == null
                || !Objects.equals(prev.key(), next.key())) {
            return false;
        }
        if (coalesceWriter == null) {
            coalesceWriter = format.newWriter();
        }
        coalesceWriter.reset();
        codec.encode(coalesceWriter, prev.then(next, null)); // the calls don't travel
        if (coalesceWriter.size() + 1 > maxFrameBytes || !outbox.replaceLast(last.mark, FrameDescriptor.OP, coalesceWriter)) {
            return false;
        }
        MapOps.Compute both = prev.then(next, prev.stepsThen(next));
        // the view shows both already: trade their two undos for the one op's (one undo per pending
        // write however many computes it holds), with listeners muted, since nothing changes
        replica.feed.mute(true);
        try {
            if (undo != null) {
                replica.undo(undo, replica.self);
            }
            if (last.undo != null) {
                replica.undo(last.undo, replica.self);
            }
            last.undo = replica.applyReceived(both, target, true, replica.self);
        } finally {
            replica.feed.mute(false);
        }
        last.op = both;
        coalesced++;
        return true;
    }

    /** Encodes the coalesced op while {@code opWriter} still holds the one {@link Replica#submit} encoded. */
    private ValueWriter coalesceWriter;
    /** Computes sent as part of the op before them ({@link #coalesce}), for tests. */
    private long coalesced;
    /** Batches from the parent that undid the pending writes to apply a foreign op ({@link #undoPending}), for tests. */
    private long reBases;

    /**
     * Waits, with the replica's lock released, while more than the soft limit is queued for the
     * parent: the reader thread must stay free to apply what the parent sends meanwhile, or two
     * processes writing hard would each wait for the other.
     */
    @Override
    public void throttle(Replica r) {
        if (outbox.queued() <= Hub.SOFT_LIMIT || r.lock.getHoldCount() != 1) {
            return;
        }
        r.lock.unlock();
        try {
            outbox.awaitBelow(Long.MAX_VALUE);
        } finally {
            r.lock.lock();
        }
    }

    CompletableFuture<Void> flush() {
        replica.acquire();
        try {
            if (!connected) {
                return CompletableFuture.failedFuture(new IposException("not connected to the parent; nothing can be flushed"));
            }
            if (acked == sent) {
                return CompletableFuture.completedFuture(null);
            }
            FlushWait w = new FlushWait(sent, new CompletableFuture<>());
            flushes.add(w);
            return w.done;
        } finally {
            replica.release();
        }
    }

    // ---------------------------------------------------------------- the reader thread

    @Override
    public void run() {
        try {
            readHandshake();
        } catch (IposException e) {
            handshake.completeExceptionally(e);
            return;
        } catch (EOFException e) {
            handshake.completeExceptionally(new IposException("no ipos parent: " + carrier + " ended before the handshake; "
                    + "start this program with IPOS.spawn(...) or IPOS.addProcess(...), or join a parent's address()"));
            return;
        } catch (IOException | RuntimeException e) {
            handshake.completeExceptionally(new IposException("the handshake with the parent failed: " + e.getMessage(), e));
            return;
        }
        handshake.complete(replica);
        try {
            ValueReader reader = format.newReader();
            List<Runnable> after = new ArrayList<>();
            while (frames.next()) {
                try {
                    receive(reader, after);
                } finally {
                    // also when the batch ended in an error: flushes it completed must not hang
                    after.forEach(Runnable::run);
                    after.clear();
                }
                if (!connected) {
                    drainToEnd();
                    return;
                }
            }
            lost(new IposException("lost the parent: end of stream on " + carrier + "; this process keeps its last state "
                    + "and further writes stay local"));
        } catch (IposException e) {
            lost(parentTold ? e : tellParent(e.getMessage() + (carrier.equals("stdin") ? STOLEN_STDIN_HINT : ""), e));
        } catch (IOException e) {
            lost(new IposException("lost the parent: reading " + carrier + " failed (" + e.getMessage() + "); this process keeps "
                    + "its last state and further writes stay local", e));
        } catch (RuntimeException e) {
            lost(tellParent("internal error while reading from the parent: " + e, e));
        } finally {
            if (socketEnded != null) {
                socketEnded.countDown();
            }
        }
    }

    /**
     * After this side closed, over a socket: reads (and drops) what the parent still sends until it
     * closes too, which it does once it has read this side's end of stream. A socket closed with
     * unread input is reset, and a TCP reset may discard what the parent had received but not yet
     * read: this process's last writes. The exit hook waits for this ({@link #socketEnded}).
     */
    private void drainToEnd() {
        if (socketEnded == null) {
            return;
        }
        try {
            while (frames.next()) {
                // dropped: this process closed its side
            }
        } catch (IOException | RuntimeException ignored) {
            // the parent is gone either way
        } finally {
            socketEnded.countDown();
        }
    }

    /** Over a socket: counted down when the parent's side has ended after this side closed. */
    private final java.util.concurrent.CountDownLatch socketEnded;

    /**
     * Why a corrupt stream from the parent may not be the parent's fault: a program this child
     * started that shares its stdin reads bytes meant for ipos, and the frames after them fall apart.
     */
    static final String STOLEN_STDIN_HINT = ". If this process started a program that reads its stdin (one started with "
            + "ProcessBuilder.inheritIO() or redirectInput(Redirect.INHERIT)), that program takes bytes meant for ipos: "
            + "give it Redirect.PIPE or a file as stdin";

    /** Set when the parent already knows why the link ends: it dropped this process, or this process told it. Reader thread only. */
    private boolean parentTold;

    /**
     * Tells the parent in an ERROR frame why this process drops the link (after everything queued),
     * so the parent's error handler hears which child broke and why.
     *
     * @return the error to report here
     */
    private IposException tellParent(String why, Throwable cause) {
        outbox.frame(FrameDescriptor.ERROR, FrameDescriptor.utf8("dropped its link to the parent: " + why,
                FrameDescriptor.MAX_REASON_BYTES));
        parentTold = true;
        return new IposException(why + "; the parent was told", cause);
    }

    private void readHandshake() throws IOException {
        frames.expectMagic();
        if (!frames.next()) {
            throw new EOFException();
        }
        byte[] b = frames.buffer();
        int off = frames.bodyOffset();
        if (frames.type() == FrameDescriptor.ERROR) {
            throw new IposException("the parent refused this child: " + FrameReader.peerText(b, off, frames.bodyLength()));
        }
        if (frames.type() != FrameDescriptor.WELCOME || frames.bodyLength() < 11) {
            throw new IposException("expected WELCOME from the parent, got " + FrameDescriptor.typeName(frames.type()));
        }
        int version = FrameDescriptor.getShort(b, off);
        if (version != FrameDescriptor.VERSION) {
            String message = "protocol version mismatch: the parent speaks ipos protocol " + version
                    + ", this child speaks " + FrameDescriptor.VERSION + "; use the same ipos version in both";
            outbox.frame(FrameDescriptor.ERROR, message.getBytes(StandardCharsets.UTF_8));
            outbox.close();
            throw new IposException(message);
        }
        int childId = FrameDescriptor.getInt(b, off + 2);
        int maxFrame = FrameDescriptor.getInt(b, off + 6);
        java.nio.ByteBuffer w = java.nio.ByteBuffer.wrap(b, off, frames.bodyLength());
        String formatName;
        boolean readOnly;
        Peer me;
        List<Peer> others = new ArrayList<>();
        try {
            w.position(off + 10);
            formatName = new String(bytes(w), StandardCharsets.US_ASCII);
            readOnly = w.get() == 1;
            me = new ChangeEvents.KnownPeer(childId, new String(bytes(w), StandardCharsets.UTF_8));
            int n = w.getShort() & 0xFFFF;
            for (int i = 0; i < n; i++) {
                int id = w.getInt();
                others.add(new ChangeEvents.KnownPeer(id, new String(bytes(w), StandardCharsets.UTF_8)));
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IposException("malformed WELCOME from the parent");
        }
        if (w.hasRemaining() || childId < 1 || childId > Node.MAX_CREATOR || maxFrame < 1) {
            throw new IposException("malformed WELCOME from the parent");
        }
        try {
            format = WireFormat.byName(formatName);
        } catch (IllegalArgumentException e) {
            throw new IposException("the parent uses wire format '" + formatName + "', which this child lacks: " + e.getMessage());
        }
        frames.maxFrameBytes(maxFrame);
        maxFrameBytes = maxFrame;
        opWriter = format.newWriter();
        Replica r = new Replica(new ValueCodec(ClassRegistry.global()), me, readOnly);
        Membership m = new Membership(r.feed, me);
        m.welcome(me, others);
        membership = m;
        codec = new OpCodec(r);
        if (!frames.next()) {
            throw new EOFException();
        }
        if (frames.type() != FrameDescriptor.SNAPSHOT) {
            throw new IposException("expected SNAPSHOT from the parent, got " + FrameDescriptor.typeName(frames.type()));
        }
        ValueReader reader = format.newReader();
        reader.reset(frames.buffer(), frames.bodyOffset(), frames.bodyLength());
        try {
            codec.decodeSnapshot(reader);
        } catch (WireException | StackOverflowError e) {
            throw new IposException("the parent's SNAPSHOT is malformed: " + OpCodec.whyUndecodable(e), e);
        }
        r.continueCounter(); // a rejoin under a name keeps its id: its node ids go on from the last one seen
        replica = r;
        r.replicator = this;
        connected = true;
        outbox.frame(FrameDescriptor.READY, new byte[0]);
    }

    /** A u8-length-prefixed byte string. */
    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.get() & 0xFF];
        b.get(out);
        return out;
    }

    Membership membership() {
        return membership;
    }

    WireFormat format() {
        return format;
    }

    int maxFrameBytes() {
        return maxFrameBytes;
    }

    void talk(Talk t) {
        this.talk = t;
    }

    /** A message or call for the parent, after every write so far (under the replica's lock); false if the link is gone. */
    boolean send(int type, byte[] body) {
        if (!connected) {
            return false;
        }
        outbox.frame(type, body);
        return true;
    }

    private void receive(ValueReader reader, List<Runnable> after) throws IOException {
        replica.acquire();
        undone = false;
        boolean whole = false;
        try {
            int n = 0;
            // a batch ends early for threads queued on the lock, but not once it has undone the
            // pending writes: ending it then costs a redo and an undo of every pending write, so
            // a reader in a tight loop would make a burst of foreign ops re-base once per op
            do {
                handle(reader, after);
            } while (connected && ++n < FrameReader.MAX_BATCH && (undone || !replica.lock.hasQueuedThreads())
                    && frames.hasBufferedFrame() && frames.next());
            whole = true;
        } finally {
            if (undone) {
                undone = false;
                redo(pending);
            }
            try {
                if (!retry.isEmpty()) {
                    if (whole && connected) {
                        resend(after);
                    } else {
                        redo(retry); // the link is gone: this process keeps its own writes, as it would have
                    }
                }
            } finally {
                retry.clear();
                firstLost = Long.MAX_VALUE;
                replica.release();
            }
        }
    }

    /** Applies {@code writes} again, in order, after the pending writes were undone. */
    private void redo(Iterable<Pending> writes) {
        for (Pending p : writes) {
            p.undo = p.target.attached() ? replica.applyReceived(p.op, p.target, true, replica.self) : null;
        }
    }

    /**
     * Sends again, after a LOST, the lost write and every write sent after it, which the parent
     * skipped: first RETRY (the parent skips until it), then each in its order on the current view
     * (the parent's, as of this batch, since they are all undone): a compute-family write run
     * again, its function on the value that won (a run of computes on one key as one call of all
     * their functions, one op: a hot counter's many increments travel as one); a unit as a new
     * unit, its plain writes as they were and its computes run again; a plain write as it was. A
     * write whose container was detached meanwhile changes nothing and is not sent. A function
     * that throws is reported, and its write (for a unit: the unit) dropped; the link stays up.
     * Runs on the reader thread, under the lock, at the end of the batch. Flushes that covered
     * any of them now wait for the new sends.
     */
    private void resend(List<Runnable> after) {
        outbox.frame(FrameDescriptor.RETRY, new byte[0]);
        long before = sent;
        for (int i = 0; i < retry.size(); ) {
            String lost = i == 0 ? "lost its race at the parent"
                    : "was skipped at the parent after a write before it lost its race";
            Pending p = retry.get(i++);
            if (p.op instanceof MapOps.Compute c && c.steps() != null) {
                List<MapOps.Step> steps = new ArrayList<>(c.steps());
                while (i < retry.size() && retry.get(i).op instanceof MapOps.Compute next && next.steps() != null
                        && retry.get(i).target == p.target && Objects.equals(next.key(), c.key())) {
                    steps.addAll(next.steps());
                    i++;
                }
                rerunCalls += steps.size();
                if (p.target.attached()) {
                    String what = "a compute/computeIfPresent/merge on key " + c.key() + " of " + p.target.describe();
                    try {
                        ((MapNode) p.target).computeSteps(c.key(), c.key(), steps, failure -> after.add(
                                () -> errors.accept(rerunFailed(what, lost, failure, "that write was dropped"))));
                    } catch (IllegalArgumentException failure) {
                        after.add(() -> errors.accept(rerunFailed(what, lost, failure,
                                "its outcome can't be sent and was dropped")));
                    }
                }
            } else if (p.op instanceof UnitOp unit) {
                rerunCalls++;
                rerunUnit(unit, lost, after);
            } else {
                rerunCalls++;
                if (p.target.attached()) {
                    try {
                        replica.submit(p.op, p.target);
                    } catch (IllegalArgumentException failure) {
                        after.add(() -> errors.accept(new IposException("a write of this process ("
                                + FrameDescriptor.opName(p.op.code()) + " on " + p.target.describe() + ") " + lost
                                + ", and can't be sent again now (" + failure.getMessage()
                                + "); it was dropped, the link to the parent stays up", failure)));
                    }
                }
            }
        }
        reruns += sent - before;
        outbox.frame(FrameDescriptor.RESENT, new byte[0]); // the parent routes the messages and calls it held since the LOST
        for (FlushWait w : flushes) {
            if (w.upTo >= firstLost) {
                w.upTo = Math.max(w.upTo, sent);
            }
        }
        firstLost = Long.MAX_VALUE;
        acknowledged(0, after);
    }

    /**
     * Sends a unit again as a new unit: its writes in order, its computes run again; all of it, or
     * (if one fails) none. {@code lost} says why it is sent again, for the report.
     */
    private void rerunUnit(UnitOp unit, String lost, List<Runnable> after) {
        Replica.UnitMark mark = replica.openUnit();
        boolean ok = false;
        try {
            for (Op op : unit.ops()) {
                Node target = op.localTarget();
                if (target == null || !target.attached()) {
                    continue;
                }
                if (op instanceof MapOps.Compute c) {
                    ((MapNode) target).computeSteps(c.key(), c.key(), c.steps(), null);
                } else {
                    replica.submit(op, target);
                }
            }
            ok = true;
        } catch (RuntimeException failure) {
            after.add(() -> errors.accept(rerunFailed("an atomic unit", lost, failure, "the unit was dropped")));
        } finally {
            try {
                replica.closeUnit(mark, ok);
            } catch (IllegalArgumentException failure) {
                after.add(() -> errors.accept(rerunFailed("an atomic unit", lost, failure, "it can't be sent and was dropped")));
            }
        }
    }

    /**
     * What the handler hears when a write sent again after a LOST fails to run again: {@code what}
     * names it, {@code lost} says why it ran again, {@code outcome} what became of it.
     */
    private static IposException rerunFailed(String what, String lost, Throwable failure, String outcome) {
        return new IposException(what + " " + lost + " and failed when it ran again on the value that won ("
                + failure + "); " + outcome + ", the link to the parent stays up", failure);
    }

    /**
     * Ops sent to the parent, those sent again after a LOST among them, the calls they carried,
     * computes sent inside the op before them, and re-bases (batches that undid the pending writes):
     * for tests in this package.
     */
    long[] writeCounts() {
        replica.acquire();
        try {
            return new long[] {sent, reruns, rerunCalls, coalesced, reBases};
        } finally {
            replica.release();
        }
    }

    /** Applies the frame just read; may undo the pending writes (see {@link #undone}). */
    private void handle(ValueReader reader, List<Runnable> after) {
        byte[] b = frames.buffer();
        int off = frames.bodyOffset();
        int len = frames.bodyLength();
        switch (frames.type()) {
            case FrameDescriptor.OP -> applyForeign(reader, b, off, len, PARENT);
            case FrameDescriptor.RELAY -> {
                int origin = len >= 4 ? FrameDescriptor.getInt(b, off) : 0;
                if (origin < 1 || origin > Node.MAX_CREATOR) {
                    throw corrupt("malformed RELAY (origin " + origin + ")", null);
                }
                applyForeign(reader, b, off + 4, len - 4, membership.byId(origin));
            }
            case FrameDescriptor.PEER -> {
                java.nio.ByteBuffer w = java.nio.ByteBuffer.wrap(b, off, len);
                Peer p;
                boolean joined;
                try {
                    joined = w.get() == 1;
                    int id = w.getInt();
                    p = new ChangeEvents.KnownPeer(id, new String(bytes(w), StandardCharsets.UTF_8));
                } catch (java.nio.BufferUnderflowException e) {
                    throw corrupt("malformed PEER", null);
                }
                if (w.hasRemaining() || p.id() < 0 || p.id() > Node.MAX_CREATOR) {
                    throw corrupt("malformed PEER", null);
                }
                membership.changed(p, joined);
            }
            case FrameDescriptor.ACK -> {
                if (len != 4) {
                    throw corrupt("malformed ACK", null);
                }
                int n = FrameDescriptor.getInt(b, off);
                if (n < 1 || n > pending.size()) {
                    throw corrupt("ACK for " + n + " ops, but " + pending.size() + " are pending", null);
                }
                for (int i = 0; i < n; i++) {
                    Pending p = pending.removeFirst();
                    if (undone && p.target.attached()) {
                        replica.applyReceived(p.op, p.target, false, replica.self);
                    }
                }
                acknowledged(n, after);
            }
            case FrameDescriptor.LOST -> {
                if (len != 0 || pending.isEmpty() || !retry.isEmpty()) {
                    throw corrupt(len != 0 ? "malformed LOST" : pending.isEmpty() ? "LOST, but no op is pending"
                            : "a second LOST before this process's RETRY", null);
                }
                // the oldest pending write changed nothing at the parent, which skips the rest until
                // our RETRY: all of them leave the view here and are sent again at the batch's end
                undoPending();
                firstLost = acked + 1;
                int n = pending.size();
                retry.addAll(pending);
                pending.clear();
                acknowledged(n, after);
            }
            case FrameDescriptor.RESYNC -> {
                int settled = len >= 4 ? FrameDescriptor.getInt(b, off) : -1;
                if (settled < 0 || settled > pending.size()) {
                    throw corrupt("RESYNC settles " + settled + " ops, but " + pending.size() + " are pending", null);
                }
                MapNode state;
                try {
                    reader.reset(b, off + 4, len - 4);
                    state = codec.decodeResync(reader);
                } catch (WireException | StackOverflowError e) {
                    throw corrupt("RESYNC", e);
                }
                undoPending();
                for (int i = 0; i < settled; i++) {
                    pending.removeFirst();
                }
                acknowledged(settled, after);
                replica.replaceState(state, PARENT);
            }
            case FrameDescriptor.REJECT -> {
                if (pending.isEmpty()) {
                    throw corrupt("REJECT, but no op is pending", null);
                }
                undoPending();
                Pending p = pending.removeFirst();
                String reason = FrameReader.peerText(b, off, len);
                acknowledged(1, after);
                after.add(() -> errors.accept(new IposException("the parent refused a write of this process ("
                        + reason + "); it was applied nowhere and is rolled back here")));
            }
            case FrameDescriptor.MSG, FrameDescriptor.CALL, FrameDescriptor.RESULT, FrameDescriptor.CANCEL,
                    FrameDescriptor.EXPOSED -> {
                Talk t = talk;
                if (t != null) {
                    t.receiveFromParent(frames.type(), b, off, len, reader);
                }
            }
            case FrameDescriptor.SYNC -> {
                if (len != 8) {
                    throw corrupt("malformed SYNC", null);
                }
                outbox.frame(FrameDescriptor.SYNC_ACK, b, off, len);
            }
            case FrameDescriptor.ERROR -> {
                // the parent sends ERROR only when it drops this process: one report, and the link is gone
                parentTold = true;
                throw new IposException("the parent dropped this process: " + FrameReader.peerText(b, off, len)
                        + "; this process keeps its last state and further writes stay local");
            }
            default -> throw corrupt("unexpected " + FrameDescriptor.typeName(frames.type()) + " frame", null);
        }
    }

    private static final Peer PARENT = ChangeEvents.KnownPeer.of(0);

    /** Applies an op another process wrote (the parent, or a sibling it relays), re-basing the pending writes first. */
    private void applyForeign(ValueReader reader, byte[] b, int off, int len, Peer origin) {
        Op op;
        try {
            reader.reset(b, off, len);
            op = codec.decode(reader, len);
        } catch (WireException | StackOverflowError e) {
            throw corrupt("OP", e);
        }
        undoPending();
        Node target = replica.node(op.targetId());
        if (target == null && !replica.mayHaveExisted(op.targetId())) {
            throw corrupt(FrameDescriptor.opName(op.code()) + " names node " + op.targetId() + ", which never existed", null);
        }
        if (target != null && !op.fits(target)) {
            throw corrupt(FrameDescriptor.opName(op.code()) + " does not apply to " + target.describe(), null);
        }
        if (target != null) {
            try {
                replica.applyReceived(op, target, false, origin);
            } catch (Replica.RefusedOp refused) {
                String why = "cannot apply the parent's " + FrameDescriptor.opName(op.code()) + " on "
                        + target.describe() + " at stream offset " + frames.frameOffset() + ": " + refused.getMessage();
                outbox.frame(FrameDescriptor.ERROR, FrameDescriptor.utf8(why + "; this child left so as not to "
                        + "hold a different state", FrameDescriptor.MAX_REASON_BYTES));
                parentTold = true;
                throw new IposException(why + "; left the parent so as not to hold a different state "
                        + "(this process keeps its last state, further writes stay local)", refused);
            }
        }
    }

    /** Undoes the pending writes, newest first, once per batch; {@link #receive} redoes those still pending at its end. */
    private void undoPending() {
        if (undone || pending.isEmpty()) {
            return;
        }
        Iterator<Pending> newestFirst = pending.descendingIterator();
        while (newestFirst.hasNext()) {
            Pending p = newestFirst.next();
            if (p.undo != null) {
                replica.undo(p.undo, replica.self);
            }
        }
        undone = true;
        reBases++;
    }

    /** {@code n} more of this process's ops are settled at the parent (applied or refused). */
    private void acknowledged(int n, List<Runnable> after) {
        acked += n;
        for (Iterator<FlushWait> it = flushes.iterator(); it.hasNext(); ) {
            FlushWait w = it.next();
            if (w.upTo <= acked && w.upTo < firstLost) {
                it.remove();
                after.add(() -> w.done.complete(null));
            }
        }
    }

    private IposException corrupt(String what, Throwable cause) {
        String detail = cause == null ? what : cause instanceof StackOverflowError ? what + " nested too deeply" : cause.getMessage();
        return new IposException("bad frame from the parent at stream offset " + frames.frameOffset() + ": " + detail
                + "; dropped the link, this process keeps its last state", cause);
    }

    /** The link is gone: writes from now on stay local, waits fail, the error is reported. */
    private void lost(IposException why) {
        List<FlushWait> failed;
        Replica r = replica;
        if (r == null) {
            handshake.completeExceptionally(why);
            return;
        }
        r.acquire();
        try {
            if (!connected) {
                return;
            }
            connected = false;
            r.replicator = Replicator.LOCAL;
            failed = new ArrayList<>(flushes);
            flushes.clear();
        } finally {
            r.release();
        }
        outbox.close();
        for (FlushWait w : failed) {
            w.done.completeExceptionally(why);
        }
        Membership m = membership;
        if (m != null) {
            m.allLeft();
        }
        Talk t = talk;
        if (t != null) {
            t.disconnected(why);
        }
        errors.accept(why);
    }

    /**
     * Sends what is queued, then closes stdout: the parent sees this child leave. Idempotent.
     * Waits at most {@link Outbox#EXIT_DRAIN_NANOS} for the parent to take it, then tells the error
     * handler what it could not send.
     */
    void close() {
        Replica r = replica;
        List<FlushWait> failed;
        r.acquire();
        try {
            if (!connected) {
                return;
            }
            connected = false;
            r.replicator = Replicator.LOCAL;
            failed = new ArrayList<>(flushes);
            flushes.clear();
        } finally {
            r.release();
        }
        outbox.close();
        if (!outbox.awaitDrained(Outbox.EXIT_DRAIN_NANOS)) {
            String left = Outbox.undelivered(List.of(outbox));
            if (!left.isEmpty()) {
                errors.accept(new IposException("close() gave up after " + Outbox.EXIT_DRAIN_NANOS / 1_000_000
                        + " ms (-Dipos.exitDrainMillis) on sending what was queued for " + left + ": it stopped reading"));
            }
        }
        for (FlushWait w : failed) {
            w.done.completeExceptionally(new IposException("closed before the parent acknowledged these writes"));
        }
        Talk t = talk;
        if (t != null) {
            t.disconnected(null);
        }
    }
}
