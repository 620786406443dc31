package io.ipos;

import io.ipos.serialization.ValueWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * The outgoing side of a link: frames are appended to a buffer, and one writer thread sends
 * everything queued with one write and one flush, so a burst of small ops costs one system call.
 *
 * <p>Appending never blocks (it may run under the replica's lock). Producers call
 * {@link #awaitBelow} after releasing the lock to wait while more than {@code softLimit} bytes are
 * queued; that is the back-pressure. The buffer is bounded by {@code hardLimit}: past it the link
 * is failed rather than grow without bound (the policy for a peer that stops reading).
 */
final class Outbox implements Runnable {
    private final OutputStream out;
    private final String peer;
    private final long softLimit;
    private final long hardLimit;
    private final Consumer<IposException> onFailure;
    private final Consumer<IposException> onPeerGone;
    private byte[] fill = new byte[64 << 10];
    private int fillSize;
    private byte[] drain = new byte[64 << 10];
    private boolean closing;
    private boolean failed;
    private boolean writerDone;
    private long written;
    /** {@code fillSize} for readers without the monitor: the spinning writer and {@link #queued()}. */
    private volatile int queuedView;
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
        Thread t = new Thread(this, threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }

    synchronized void raw(byte[] bytes) {
        if (reserve(bytes.length)) {
            System.arraycopy(bytes, 0, fill, fillSize, bytes.length);
            fillSize += bytes.length;
            appended();
        }
    }

    synchronized void frame(int type, byte[] body, int off, int len) {
        if (reserve(FrameDescriptor.HEADER_LENGTH + len)) {
            header(type, len);
            System.arraycopy(body, off, fill, fillSize, len);
            fillSize += len;
            appended();
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
            appended();
        }
    }

    /** Wakes the writer: a spinning one sees {@code queuedView} move, a sleeping one is notified. */
    private void appended() {
        queuedView = fillSize;
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
            fill = java.util.Arrays.copyOf(fill, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, fill.length * 2L)));
        }
        return true;
    }

    /** Bytes queued and not yet handed to the stream (without the monitor: producers ask on every write). */
    int queued() {
        return queuedView;
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

    /** Waits until everything queued so far is written (or the outbox fails or its writer ends), at most {@code timeoutNanos}. */
    synchronized boolean awaitDrained(long timeoutNanos) {
        long target = written + fillSize;
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
     * Before the writer sleeps, it polls for a new frame for up to {@link Hub#SPIN_NANOS}:
     * waking a sleeping thread costs tens of microseconds on an idle machine, more than a whole
     * round trip over the pipe, so a reply that follows soon after a write goes out at once.
     */
    private void spinForAppend() {
        long spin = Hub.SPIN_NANOS;
        if (spin <= 0) {
            return;
        }
        long until = System.nanoTime() + spin;
        while (queuedView == 0 && !closing && System.nanoTime() < until) {
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
                    queuedView = 0;
                    notifyAll();
                }
                out.write(drain, 0, n);
                out.flush();
                synchronized (this) {
                    written += n;
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
            try {
                out.close();
            } catch (IOException ignored) {
                // the peer is gone already; nothing to tell
            }
        }
    }
}
