package io.ipos;

import static io.ipos.ChildMain.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The outbox in one JVM, against a stream the test controls write by write: what
 * {@code awaitDrained} waits for (the chunk in flight included), what {@code pendingBytes} and
 * {@code lastProgressNanos} say, and that buffers grown for a big frame go back to their first size.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OutboxTest {
    private static final long LONG = TimeUnit.SECONDS.toNanos(30);
    private final List<GatedStream> gates = new ArrayList<>();
    private final List<Outbox> outboxes = new ArrayList<>();

    /** A stream whose every write waits for a permit; the test sees each write begin, with its length. */
    static final class GatedStream extends OutputStream {
        final BlockingQueue<Integer> began = new LinkedBlockingQueue<>();
        final Semaphore permits = new Semaphore(0);
        private final ByteArrayOutputStream got = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            began.add(len);
            permits.acquireUninterruptibly();
            synchronized (got) {
                got.write(b, off, len);
            }
        }

        /** Waits until the writer is inside a write; its length. */
        int awaitWrite() throws InterruptedException {
            Integer len = began.poll(30, TimeUnit.SECONDS);
            assertNotNull(len, "the writer did not start a write");
            return len;
        }

        void letOneThrough() {
            permits.release();
        }

        void open() {
            permits.release(1_000_000);
        }

        byte[] received() {
            synchronized (got) {
                return got.toByteArray();
            }
        }
    }

    private GatedStream gate() {
        GatedStream g = new GatedStream();
        gates.add(g);
        return g;
    }

    private Outbox outbox(OutputStream out) {
        Outbox o = new Outbox(out, "test peer", Long.MAX_VALUE, Long.MAX_VALUE, e -> { }, e -> { });
        o.start("ipos-writer-test");
        outboxes.add(o);
        return o;
    }

    @AfterEach
    void letEverythingEnd() {
        for (GatedStream g : gates) {
            g.open();
        }
        for (Outbox o : outboxes) {
            o.close();
        }
    }

    private static byte[] frame(int bodyLength, int fill) {
        byte[] f = new byte[FrameDescriptor.HEADER_LENGTH + bodyLength];
        FrameDescriptor.putInt(f, 0, bodyLength + 1);
        f[4] = (byte) FrameDescriptor.OP;
        java.util.Arrays.fill(f, FrameDescriptor.HEADER_LENGTH, f.length, (byte) fill);
        return f;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    // ---------------------------------------------------------------- awaitDrained

    @Test
    void awaitDrainedWaitsForTheChunkInFlight() throws Exception {
        GatedStream g = gate();
        Outbox o = outbox(g);
        o.frame(FrameDescriptor.OP, new byte[1_000]);
        assertEquals(1_005, g.awaitWrite());
        // nothing is queued behind the chunk, but the chunk itself is not written yet
        assertFalse(o.awaitDrained(TimeUnit.MILLISECONDS.toNanos(50)), "drained while its only chunk was still being written");
        g.letOneThrough();
        assertTrue(o.awaitDrained(LONG));
        assertEquals(1_005, g.received().length);
    }

    @Test
    void awaitDrainedWaitsForTheFillQueuedBehindTheChunkInFlight() throws Exception {
        GatedStream g = gate();
        Outbox o = outbox(g);
        o.frame(FrameDescriptor.OP, frame(10_000, 1), FrameDescriptor.HEADER_LENGTH, 10_000);
        assertEquals(10_005, g.awaitWrite());
        o.frame(FrameDescriptor.OP, frame(100, 2), FrameDescriptor.HEADER_LENGTH, 100);
        CompletableFuture<Boolean> drained = new CompletableFuture<>();
        Thread waiter = new Thread(() -> drained.complete(o.awaitDrained(LONG)), "test-awaitDrained");
        waiter.setDaemon(true);
        waiter.start();
        g.letOneThrough(); // the big chunk is written: more bytes than the fill holds, yet not everything
        assertEquals(105, g.awaitWrite());
        assertThrows(TimeoutException.class, () -> drained.get(200, TimeUnit.MILLISECONDS),
                "awaitDrained returned while the frame behind the first chunk was still being written");
        g.letOneThrough();
        assertTrue(drained.get(30, TimeUnit.SECONDS));
        assertArrayEquals(concat(frame(10_000, 1), frame(100, 2)), g.received());
    }

    @Test
    void awaitAllDrainedReturnsAfterItsTimeoutWhenOnePeerStoppedReading() throws Exception {
        GatedStream stuck = gate();
        ByteArrayOutputStream healthy = new ByteArrayOutputStream();
        Outbox a = outbox(stuck);
        Outbox b = outbox(healthy);
        a.frame(FrameDescriptor.OP, new byte[100]);
        b.frame(FrameDescriptor.OP, new byte[100]);
        stuck.awaitWrite();
        a.close();
        b.close();
        assertFalse(Outbox.awaitAllDrained(List.of(a, b), TimeUnit.MILLISECONDS.toNanos(300)));
        assertTrue(b.awaitDrained(LONG));
        assertEquals(105, healthy.size());
        stuck.open();
        assertTrue(Outbox.awaitAllDrained(List.of(a, b), LONG));
    }

    @Test
    void framesAppendedBeforeCloseAreSentThenTheStreamClosesAndLaterOnesAreDropped() throws Exception {
        GatedStream g = gate();
        boolean[] closed = new boolean[1];
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                g.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                g.write(b, off, len);
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        Outbox o = outbox(out);
        o.frame(FrameDescriptor.OP, new byte[10]);
        g.awaitWrite();
        o.frame(FrameDescriptor.OP, new byte[20]);
        o.close();
        o.frame(FrameDescriptor.OP, new byte[30]);
        g.open();
        assertTrue(o.awaitDrained(LONG));
        await("the stream closed", () -> closed[0]);
        assertEquals(15 + 25, g.received().length);
        assertEquals(0, o.pendingBytes());
    }

    // ---------------------------------------------------------------- progress

    @Test
    void pendingBytesCountsTheChunkInFlightAndWhatIsQueuedBehindIt() throws Exception {
        GatedStream g = gate();
        Outbox o = outbox(g);
        assertEquals(0, o.pendingBytes());
        o.frame(FrameDescriptor.OP, new byte[10_000]);
        g.awaitWrite();
        assertEquals(10_005, o.pendingBytes());
        assertEquals(0, o.queued(), "queued() leaves the chunk in flight out");
        o.frame(FrameDescriptor.OP, new byte[100]);
        assertEquals(10_110, o.pendingBytes());
        assertEquals(105, o.queued());
        g.letOneThrough();
        g.awaitWrite();
        assertEquals(105, o.pendingBytes());
        g.letOneThrough();
        await("everything handed to the stream", () -> o.pendingBytes() == 0);
    }

    @Test
    void aBigFrameGoesOutInSlicesOfAtMost256KiBAndEachSliceIsProgress() throws Exception {
        GatedStream g = gate();
        Outbox o = outbox(g);
        int body = 1 << 20;
        o.frame(FrameDescriptor.OP, new byte[body]);
        // appending to an empty queue starts the clock (data waits from then on); no slice has been written yet
        long progress = o.lastProgressNanos();
        long pending = FrameDescriptor.HEADER_LENGTH + body;
        List<Integer> slices = new ArrayList<>();
        while (pending > 0) {
            int len = g.awaitWrite();
            slices.add(len);
            assertTrue(len <= Outbox.SLICE, "a write of " + len + " bytes");
            assertEquals(pending, o.pendingBytes());
            assertEquals(progress, o.lastProgressNanos(), "no progress while the slice is being written");
            g.letOneThrough();
            pending -= len;
            long before = progress;
            await("progress after a slice", () -> o.lastProgressNanos() != before);
            progress = o.lastProgressNanos();
            assertTrue(progress - before > 0, "lastProgressNanos moves forward");
            long expected = pending;
            await("pendingBytes after a slice", () -> o.pendingBytes() == expected);
        }
        assertEquals(List.of(Outbox.SLICE, Outbox.SLICE, Outbox.SLICE, Outbox.SLICE, FrameDescriptor.HEADER_LENGTH), slices);
        assertTrue(o.awaitDrained(LONG));
    }

    // ---------------------------------------------------------------- memory

    @Test
    void buffersGoBackToTheirFirstSizeOnceABigFrameIsSent() throws Exception {
        GatedStream g = gate();
        Outbox o = outbox(g);
        long start = o.bufferBytes();
        assertEquals(2L * Outbox.INITIAL_BUFFER, start);
        o.frame(FrameDescriptor.OP, new byte[8 << 20]);
        g.awaitWrite();
        long grown = o.bufferBytes();
        assertTrue(grown > 8 << 20, grown + " bytes");
        g.open();
        assertTrue(o.awaitDrained(LONG));
        await("the buffers back to " + start + " bytes", () -> o.bufferBytes() == start);
        System.out.println("[outbox] buffers: " + start + " bytes at start, " + grown + " with an 8 MiB frame queued, "
                + o.bufferBytes() + " once it was sent");
        // and it still works
        o.frame(FrameDescriptor.OP, new byte[100]);
        assertTrue(o.awaitDrained(LONG));
        assertEquals(0, o.pendingBytes());
    }

    /**
     * The case: one 32 MiB value written by the parent to 4 children, and one written by a
     * child (to the parent, and relayed to its 3 siblings). Once it is everywhere, every outbox's
     * buffers are back at their first size.
     */
    @Test
    void a32MiBValueSentToFourChildrenLeavesNoLinkBufferGrown() throws Exception {
        Set<Outbox> before = new HashSet<>(Outbox.running());
        try (InProcessPair pair = new InProcessPair(4)) {
            List<Outbox> links = new ArrayList<>(Outbox.running());
            links.removeAll(before);
            assertEquals(8, links.size(), "4 children: an outbox each way");
            long start = total(links);
            byte[] big = new byte[32 << 20];
            big[big.length - 1] = 7;
            SharedMap<String, Object> m = pair.parent.create("m", Map.of());
            m.put("fromParent", big);
            long peak = total(links);
            pair.settle();
            long afterParent = settledTotal(links, start);
            SharedMap<String, Object> inChild = pair.child(0).get("m");
            inChild.put("fromChild", big);
            peak = Math.max(peak, total(links));
            pair.settle();
            for (IPOS c : pair.children) {
                SharedMap<String, Object> cm = c.get("m");
                assertEquals(7, ((byte[]) cm.get("fromParent"))[big.length - 1]);
                assertEquals(7, ((byte[]) cm.get("fromChild"))[big.length - 1]);
            }
            long afterChild = settledTotal(links, start);
            System.out.println("[outbox] a 32 MiB value from the parent to 4 children, then one from a child: the 8 link "
                    + "outboxes' buffers held " + mib(start) + " MiB at start, " + mib(peak) + " MiB seen while sending, "
                    + mib(afterParent) + " MiB once the parent's value was everywhere, " + mib(afterChild)
                    + " MiB once the child's was");
            assertEquals(start, afterParent);
            assertEquals(start, afterChild);
            assertEquals(List.of(), pair.parentErrors);
            assertEquals(List.of(), pair.childErrors);
        }
    }

    /** The outboxes' buffer bytes once they are back to {@code start}, or after 20 s if they never are. */
    private static long settledTotal(List<Outbox> links, long start) {
        long deadline = System.nanoTime() + ChildMain.PATIENCE.toNanos();
        while (total(links) != start && System.nanoTime() - deadline < 0) {
            ChildMain.sleep(2);
        }
        return total(links);
    }

    private static long total(List<Outbox> links) {
        long sum = 0;
        for (Outbox o : links) {
            sum += o.bufferBytes();
        }
        return sum;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f", bytes / 1048576.0);
    }
}
