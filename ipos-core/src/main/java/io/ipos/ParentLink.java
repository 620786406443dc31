package io.ipos;

import io.ipos.serialization.ClassRegistry;
import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;
import io.ipos.serialization.WireFormat;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final List<FlushWait> flushes = new ArrayList<>();
    private long sent;
    private long acked;
    /** True while the reader has undone the pending writes within one batch; they are redone at its end. */
    private boolean undone;
    private volatile boolean connected;

    private static final class Pending {
        final Op op;
        final Node target;
        Op.Undo undo;

        Pending(Op op, Node target, Op.Undo undo) {
            this.op = op;
            this.target = target;
            this.undo = undo;
        }
    }

    private record FlushWait(long upTo, CompletableFuture<Void> done) {
    }

    private ParentLink(InputStream in, OutputStream out, Consumer<IposException> errors) {
        this.frames = new FrameReader(in, "the parent", FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
        this.outbox = new Outbox(out, "the parent", Hub.SOFT_LIMIT, Long.MAX_VALUE, this::lost, this::lost);
        this.errors = errors;
    }

    /**
     * Says HELLO on {@code out} and waits for the parent's WELCOME and SNAPSHOT on {@code in}.
     *
     * @throws IposException on timeout, end of stream, garbage or a version mismatch
     */
    static ParentLink connect(InputStream in, OutputStream out, Duration timeout, Consumer<IposException> errors) {
        ParentLink link = new ParentLink(in, out, errors);
        link.outbox.raw(FrameDescriptor.MAGIC);
        link.outbox.frame(FrameDescriptor.HELLO, FrameDescriptor.hello(ProcessHandle.current().pid()));
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
        Thread hook = new Thread(link::drainOnExit, "ipos-exit-drain");
        Runtime.getRuntime().addShutdownHook(hook);
        return link;
    }

    Replica replica() {
        return replica;
    }

    boolean isConnected() {
        return connected;
    }

    // ---------------------------------------------------------------- local writes

    @Override
    public void submit(Replica r, Op op, Node target) {
        if (!connected) {
            op.apply(r, target, false);
            return;
        }
        Op.Undo undo = op.apply(r, target, true);
        pending.addLast(new Pending(op, target, undo));
        opWriter.reset();
        codec.encode(opWriter, op);
        outbox.frame(FrameDescriptor.OP, opWriter);
        sent++;
    }

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
            handshake.completeExceptionally(new IposException("no ipos parent: stdin ended before the handshake; "
                    + "start this program with IPOS.spawn(...) or IPOS.addProcess(...)"));
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
                receive(reader, after);
                after.forEach(Runnable::run);
                after.clear();
                if (!connected) {
                    return;
                }
            }
            lost(new IposException("lost the parent: end of stream on stdin; this process keeps its last state "
                    + "and further writes stay local"));
        } catch (IposException e) {
            lost(e);
        } catch (IOException e) {
            lost(new IposException("lost the parent: reading stdin failed (" + e.getMessage() + "); this process keeps "
                    + "its last state and further writes stay local", e));
        } catch (RuntimeException e) {
            lost(new IposException("internal error while reading from the parent: " + e, e));
        }
    }

    private void readHandshake() throws IOException {
        frames.expectMagic();
        if (!frames.next()) {
            throw new EOFException();
        }
        byte[] b = frames.buffer();
        int off = frames.bodyOffset();
        if (frames.type() == FrameDescriptor.ERROR) {
            throw new IposException("the parent refused this child: "
                    + new String(b, off, frames.bodyLength(), StandardCharsets.UTF_8));
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
        int nameLength = b[off + 10] & 0xFF;
        if (frames.bodyLength() < 11 + nameLength || childId < 1 || childId > Node.MAX_CREATOR || maxFrame < 1) {
            throw new IposException("malformed WELCOME from the parent");
        }
        String formatName = new String(b, off + 11, nameLength, StandardCharsets.US_ASCII);
        try {
            format = WireFormat.byName(formatName);
        } catch (IllegalArgumentException e) {
            throw new IposException("the parent uses wire format '" + formatName + "', which this child lacks: " + e.getMessage());
        }
        frames.maxFrameBytes(maxFrame);
        opWriter = format.newWriter();
        Replica r = new Replica(new ValueCodec(ClassRegistry.global()), childId);
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
            throw new IposException("the parent's SNAPSHOT is malformed: " + e.getMessage(), e);
        }
        replica = r;
        r.replicator = this;
        connected = true;
        outbox.frame(FrameDescriptor.READY, new byte[0]);
    }

    private void receive(ValueReader reader, List<Runnable> after) throws IOException {
        replica.acquire();
        undone = false;
        try {
            do {
                handle(reader, after);
            } while (connected && frames.hasBufferedFrame() && frames.next());
        } finally {
            if (undone) {
                undone = false;
                for (Pending p : pending) {
                    p.undo = p.target.attached() ? p.op.apply(replica, p.target, true) : null;
                }
            }
            replica.release();
        }
    }

    /** Applies the frame just read; may undo the pending writes (see {@link #undone}). */
    private void handle(ValueReader reader, List<Runnable> after) {
        byte[] b = frames.buffer();
        int off = frames.bodyOffset();
        int len = frames.bodyLength();
        switch (frames.type()) {
            case FrameDescriptor.OP -> {
                Op op;
                try {
                    reader.reset(b, off, len);
                    op = codec.decode(reader);
                } catch (WireException | StackOverflowError e) {
                    throw corrupt("OP", e);
                }
                if (!undone && !pending.isEmpty()) {
                    Iterator<Pending> newestFirst = pending.descendingIterator();
                    while (newestFirst.hasNext()) {
                        Pending p = newestFirst.next();
                        if (p.undo != null) {
                            p.undo.undo(replica);
                        }
                    }
                    undone = true;
                }
                Node target = replica.node(op.targetId());
                if (target == null && !replica.mayHaveExisted(op.targetId())) {
                    throw corrupt(FrameDescriptor.opName(op.code()) + " names node " + op.targetId() + ", which never existed", null);
                }
                if (target != null && !op.fits(target)) {
                    throw corrupt(FrameDescriptor.opName(op.code()) + " does not apply to " + target.describe(), null);
                }
                if (target != null) {
                    op.apply(replica, target, false);
                }
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
                        p.op.apply(replica, p.target, false);
                    }
                }
                acked += n;
                for (Iterator<FlushWait> it = flushes.iterator(); it.hasNext(); ) {
                    FlushWait w = it.next();
                    if (w.upTo <= acked) {
                        it.remove();
                        after.add(() -> w.done.complete(null));
                    }
                }
            }
            case FrameDescriptor.SYNC -> {
                if (len != 8) {
                    throw corrupt("malformed SYNC", null);
                }
                outbox.frame(FrameDescriptor.SYNC_ACK, b, off, len);
            }
            case FrameDescriptor.ERROR -> {
                String text = new String(b, off, len, StandardCharsets.UTF_8);
                after.add(() -> errors.accept(new IposException("the parent reported: " + text)));
            }
            default -> throw corrupt("unexpected " + FrameDescriptor.typeName(frames.type()) + " frame", null);
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
        errors.accept(why);
    }

    /** Sends what is queued, then closes stdout: the parent sees this child leave. Idempotent. */
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
        outbox.awaitDrained(2_000_000_000L);
        for (FlushWait w : failed) {
            w.done.completeExceptionally(new IposException("closed before the parent acknowledged these writes"));
        }
    }

    private void drainOnExit() {
        outbox.close();
        outbox.awaitDrained(2_000_000_000L);
    }
}
