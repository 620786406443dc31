package io.ipos;

import io.ipos.serialization.ValueWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The outgoing side of a link: frames are appended to a buffer, and one writer thread sends
 * everything queued with one write and one flush, so a burst of small ops costs one system call.
 *
 * <p>Appending never blocks (it may run under the replica's lock). Producers call
 * {@link #awaitBelow} after releasing the lock to wait while more than {@code softLimit} bytes are
 * queued; that is the back-pressure. The buffer is bounded by {@code hardLimit}: past it the link
 * is failed rather than grow without bound (the policy for a peer that stops reading).
 *
 * <p><b>Exit drain.</b> A frame appended before {@link #close()} is sent before the stream is
 * closed, and {@link #awaitDrained} waits for every byte appended before it was called, the chunk
 * the writer is sending included. The writer thread is a daemon, so a JVM that ends would cut it
 * off: one shutdown hook (registered when the first outbox starts) closes every outbox still open
 * and waits, at most {@link #EXIT_DRAIN_NANOS} for all of them together, until each has handed what
 * it holds to its stream. An outbox closed before the JVM ended (its link closed or dropped) is
 * not waited for again.
 *
 * <p><b>Memory.</b> The fill and drain buffers start at {@value #INITIAL_BUFFER} bytes and grow to
 * the largest burst queued; when the writer goes idle, buffers that grew go back to that size, so
 * one big frame holds no memory once it is sent.
 *
 * <p><b>Progress.</b> {@link #pendingBytes()} and {@link #lastProgressNanos()} tell, without the
 * monitor, how much is waiting and when the peer last took some: the writer hands a chunk to the
 * stream in slices of at most {@value #SLICE} bytes and notes the time after each.
 */
final class Outbox implements Runnable {
    /** The size the fill and drain buffers start at, and go back to when the writer is idle. */
    static final int INITIAL_BUFFER = 64 << 10;
    /** The most the writer hands to the stream in one call: a slow but live reader shows progress this often. */
    static final int SLICE = 256 << 10;
    /**
     * How long {@code close()} of an instance, and the exit hook, wait for queued frames to reach
     * the peers: {@code -Dipos.exitDrainMillis}, 10 s by default.
     */
    static final long EXIT_DRAIN_NANOS = Long.getLong("ipos.exitDrainMillis", 10_000L) * 1_000_000L;
    /** Outboxes whose writer thread runs: what the exit hook drains. */
    private static final Set<Outbox> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean EXIT_HOOK = new AtomicBoolean();

    private final OutputStream out;
    private final String peer;
    private final long softLimit;
    private final long hardLimit;
    private final Consumer<IposException> onFailure;
    private final Consumer<IposException> onPeerGone;
    private byte[] fill = new byte[INITIAL_BUFFER];
    private int fillSize;
    private byte[] drain = new byte[INITIAL_BUFFER];
    private boolean closing;
    private boolean failed;
    private boolean writerDone;
    /*
     * Byte counts since the start, each written by one side and read by anyone without the monitor:
     * appended (producers, under the monitor) >= taken (the writer, when it swaps the buffers, under
     * the monitor) >= written (the writer, after each slice it handed to the stream).
     */
    private volatile long appended;
    private volatile long taken;
    private volatile long written;
    private volatile long lastProgress = System.nanoTime();
    /** Whether the writer sleeps in {@code wait()}: only then does an append need to notify. */
    private boolean writerWaiting;

    /**
     * @param onFailure hears that the peer stopped reading (the hard limit was hit)
     * @param onPeerGone hears that writing failed: the peer closed its end or ended
     */
    Outbox(OutputStream out, String peer, long softLimit, long hardLimit, Consumer<IposException> onFailure,
            Consumer<IposException> onPeerGone) {
        this.out = out;
        this.peer = peer;
        this.softLimit = softLimit;
        this.hardLimit = hardLimit;
        this.onFailure = onFailure;
        this.onPeerGone = onPeerGone;
    }

    Thread start(String threadName) {
        registerExitHook();
        RUNNING.add(this);
        Thread t = new Thread(this, threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }

    synchronized void raw(byte[] bytes) {
        if (reserve(bytes.length)) {
            System.arraycopy(bytes, 0, fill, fillSize, bytes.length);
            fillSize += bytes.length;
            appended(bytes.length);
        }
    }

    synchronized void frame(int type, byte[] body, int off, int len) {
        if (reserve(FrameDescriptor.HEADER_LENGTH + len)) {
            header(type, len);
            System.arraycopy(body, off, fill, fillSize, len);
            fillSize += len;
            appended(FrameDescriptor.HEADER_LENGTH + len);
        }
    }

    /** A frame whose body is a u32 {@code prefix} and then {@code body[off, off + len)}: a relayed op with its origin. */
    synchronized void frame(int type, int prefix, byte[] body, int off, int len) {
        if (reserve(FrameDescriptor.HEADER_LENGTH + 4 + len)) {
            header(type, 4 + len);
            FrameDescriptor.putInt(fill, fillSize, prefix);
            fillSize += 4;
            System.arraycopy(body, off, fill, fillSize, len);
            fillSize += len;
            appended(FrameDescriptor.HEADER_LENGTH + 4 + len);
        }
    }

    synchronized void frame(int type, byte[] body) {
        frame(type, body, 0, body.length);
    }

    synchronized void frame(int type, ValueWriter body) {
        int len = body.size();
        if (reserve(FrameDescriptor.HEADER_LENGTH + len)) {
            header(type, len);
            body.copyTo(fill, fillSize);
            fillSize += len;
            appended(FrameDescriptor.HEADER_LENGTH + len);
        }
    }

    /** The last frame {@link #frameReplaceable} appended: its {@code appended} count at start and end, and its place in {@link #fill}. */
    private long lastMark = -1;
    private long lastMarkEnd;
    private int lastMarkFill;

    /**
     * Appends a frame that {@link #replaceLast} may replace while the writer has not taken it.
     *
     * @return the frame's mark, or -1 if it was dropped (the outbox is closing or failed)
     */
    synchronized long frameReplaceable(int type, ValueWriter body) {
        long mark = appended;
        int at = fillSize;
        frame(type, body);
        if (appended == mark) {
            return -1;
        }
        lastMark = mark;
        lastMarkEnd = appended;
        lastMarkFill = at;
        return mark;
    }

    /**
     * Replaces the frame {@code mark} names with another if the writer has not taken it yet and no
     * frame came after it: a child's compute and the next one on the same key then travel as one.
     * Only bytes nobody has seen change; {@code appended} goes back to the frame's start first.
     *
     * @return whether it did; if not, nothing changed
     */
    synchronized boolean replaceLast(long mark, int type, ValueWriter body) {
        // taken <= mark: the writer's last swap was before the frame, so it is still in the fill buffer
        if (mark < 0 || mark != lastMark || appended != lastMarkEnd || taken > mark || closing || failed) {
            return false;
        }
        fillSize = lastMarkFill;
        appended = mark;
        frame(type, body);
        lastMarkEnd = appended;
        return true;
    }

    /** Counts {@code n} bytes appended and wakes the writer: a spinning one sees {@code appended} move, a sleeping one is notified. */
    private void appended(int n) {
        if (appended == written) {
            lastProgress = System.nanoTime(); // data waits for the peer from now on
        }
        appended += n; // under the monitor: one producer at a time
        if (writerWaiting) {
            notifyAll();
        }
    }

    private void header(int type, int bodyLength) {
        FrameDescriptor.putInt(fill, fillSize, bodyLength + 1);
        fill[fillSize + 4] = (byte) type;
        fillSize += FrameDescriptor.HEADER_LENGTH;
    }

    /** Makes room for {@code n} more bytes; false if the outbox is failed, closing, or over its hard limit. */
    private boolean reserve(int n) {
        if (failed || closing) {
            return false;
        }
        long need = (long) fillSize + n;
        if (need > hardLimit) {
            fail(new IposException(peer + " is not reading: " + need + " bytes queued would exceed the limit of "
                    + hardLimit + " bytes; the link was dropped (raise ipos.outboxHardLimit if the peer is only slow)"),
                    onFailure);
            return false;
        }
        if (need > fill.length) {
            fill = Arrays.copyOf(fill, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, fill.length * 2L)));
        }
        return true;
    }

    /**
     * Bytes queued and not yet taken by the writer, the chunk it is sending left out (without the
     * monitor: producers ask on every write).
     */
    int queued() {
        long t = taken;
        return (int) (appended - t);
    }

    /**
     * Bytes appended and not yet handed to the stream, the chunk the writer is sending included;
     * read without the monitor (never less than what was pending at some moment of the call).
     * Once the outbox failed, what will never be sent.
     */
    long pendingBytes() {
        long w = written;
        return appended - w;
    }

    /**
     * {@link System#nanoTime()} of the last time the writer handed bytes to the stream (at most
     * {@value #SLICE} at a time), or the queue went from empty to non-empty; read without the
     * monitor. With {@link #pendingBytes()} above 0, how long ago that was is how long the peer has
     * taken nothing while data waited for it.
     */
    long lastProgressNanos() {
        return lastProgress;
    }

    /** The bytes the fill and drain buffers hold on to (tests). */
    synchronized long bufferBytes() {
        return (long) fill.length + drain.length;
    }

    synchronized boolean isOpen() {
        return !failed && !closing;
    }

    /**
     * Waits while more than the soft limit is queued.
     *
     * @return false if still over the limit when {@code timeoutNanos} ran out
     */
    synchronized boolean awaitBelow(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (fillSize > softLimit && !failed && !writerDone) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return true;
    }

    /**
     * Waits until every byte appended before this call, the chunk the writer is sending included,
     * is handed to the stream (or the outbox fails or its writer ends), at most {@code timeoutNanos}.
     *
     * @return whether all of it was handed to the stream
     */
    synchronized boolean awaitDrained(long timeoutNanos) {
        long target = appended;
        long deadline = System.nanoTime() + timeoutNanos;
        while (written < target && !failed && !writerDone) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return written >= target;
    }

    /** Sends what is queued, then closes the stream; appends after this are dropped. */
    synchronized void close() {
        closing = true;
        notifyAll();
    }

    /** Like {@link #close()}; @return false if it was closed or failed already. */
    private synchronized boolean closeIfOpen() {
        if (closing || failed) {
            return false;
        }
        close();
        return true;
    }

    /**
     * Waits until each outbox has handed to its stream what was appended to it before this call,
     * at most {@code timeoutNanos} for all of them together (close them first, so nothing is added).
     *
     * @return whether every one did
     */
    static boolean awaitAllDrained(Collection<Outbox> outboxes, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        boolean all = true;
        for (Outbox o : outboxes) {
            all &= o.awaitDrained(Math.max(0, deadline - System.nanoTime()));
        }
        return all;
    }

    /** The outboxes whose writer runs now (tests). */
    static List<Outbox> running() {
        return new ArrayList<>(RUNNING);
    }

    /**
     * For a report after {@link #awaitAllDrained} gave up: the peers whose outbox still waits to
     * send (failed ones left out: their peer is gone), with the bytes each holds; empty if none.
     */
    static String undelivered(Collection<Outbox> outboxes) {
        StringBuilder sb = new StringBuilder();
        for (Outbox o : outboxes) {
            long pending = o.pendingBytes();
            boolean waiting;
            synchronized (o) {
                waiting = !o.failed && !o.writerDone;
            }
            if (waiting && pending > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(o.peer).append(" (").append(pending).append(" bytes)");
            }
        }
        return sb.toString();
    }

    /**
     * The exit hook: closes every outbox still open and waits for them, at most
     * {@link #EXIT_DRAIN_NANOS}; says on stderr what it could not send (there is no error handler
     * left to tell).
     */
    private static void drainAtExit() {
        List<Outbox> open = new ArrayList<>();
        for (Outbox o : RUNNING) {
            if (o.closeIfOpen()) {
                open.add(o);
            }
        }
        if (!awaitAllDrained(open, EXIT_DRAIN_NANOS)) {
            String left = undelivered(open);
            if (!left.isEmpty()) {
                System.err.println("[ipos] exiting: gave up after " + EXIT_DRAIN_NANOS / 1_000_000 + " ms (-Dipos.exitDrainMillis) "
                        + "on sending what was queued for " + left + "; those writes are lost there");
            }
        }
    }

    private static void registerExitHook() {
        if (EXIT_HOOK.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(Outbox::drainAtExit, "ipos-exit-drain"));
            } catch (IllegalStateException e) {
                // the JVM is exiting already: this outbox starts too late to be drained
            }
        }
    }

    private synchronized void fail(IposException e, Consumer<IposException> listener) {
        if (failed) {
            return;
        }
        failed = true;
        notifyAll();
        // reported from a thread of its own: the caller may hold this monitor or the replica's lock
        Thread reporter = new Thread(() -> listener.accept(e), "ipos-link-failure");
        reporter.setDaemon(true);
        reporter.start();
    }

    /**
     * Before the writer sleeps, it polls for a new frame for up to {@link FrameReader#SPIN_NANOS}:
     * waking a sleeping thread costs tens of microseconds on an idle machine, more than a whole
     * round trip over the pipe, so a reply that follows soon after a write goes out at once.
     */
    private void spinForAppend() {
        long spin = FrameReader.SPIN_NANOS;
        if (spin <= 0) {
            return;
        }
        long until = System.nanoTime() + spin;
        while (appended == taken && !closing && System.nanoTime() < until) {
            Thread.yield();
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                int n;
                spinForAppend();
                synchronized (this) {
                    while (fillSize == 0 && !closing && !failed) {
                        shrinkBuffers();
                        writerWaiting = true;
                        try {
                            wait();
                        } finally {
                            writerWaiting = false;
                        }
                    }
                    if (failed || fillSize == 0) {
                        break;
                    }
                    byte[] full = fill;
                    fill = drain;
                    drain = full;
                    n = fillSize;
                    fillSize = 0;
                    taken += n;
                    notifyAll();
                }
                for (int off = 0; off < n; ) {
                    int len = Math.min(SLICE, n - off);
                    out.write(drain, off, len);
                    out.flush();
                    off += len;
                    written += len; // only this thread writes it
                    lastProgress = System.nanoTime();
                }
                synchronized (this) {
                    notifyAll();
                }
            }
        } catch (IOException e) {
            fail(new IposException(peer + ": write failed (" + e.getMessage() + "); the peer has gone", e), onPeerGone);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                writerDone = true;
                notifyAll();
            }
            RUNNING.remove(this);
            try {
                out.close();
            } catch (IOException ignored) {
                // the peer is gone already; nothing to tell
            }
        }
    }

    /**
     * Before the writer sleeps: buffers that grew for a burst or a big frame go back to their first
     * size. Only when idle, so steady heavy traffic keeps its buffers instead of growing them again.
     */
    private void shrinkBuffers() {
        if (fill.length > INITIAL_BUFFER) {
            fill = new byte[INITIAL_BUFFER];
        }
        if (drain.length > INITIAL_BUFFER) {
            drain = new byte[INITIAL_BUFFER];
        }
    }
}
