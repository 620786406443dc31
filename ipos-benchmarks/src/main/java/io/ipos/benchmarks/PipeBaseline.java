package io.ipos.benchmarks;

import io.ipos.IPOS;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;

/**
 * The raw baseline: this JVM and a child JVM ({@link RawPipeChild}, started with the same java,
 * class path and flags as the ipos children) exchanging 32-byte messages over the child's stdin
 * and stdout, with no ipos involved.
 *
 * <p>The round trip is measured by the {@code rtt} section, in blocks interleaved with the ipos
 * round trip so that both see the same machine (on a small VM the pipe's wake-up latency moves
 * by an order of magnitude with what else runs); this section measures it only when {@code rtt}
 * does not run.
 */
final class PipeBaseline {
    static final int WARMUP_ROUNDS = 20_000;
    static final int ROUNDS = 20_000;
    static final int RTT_RUNS = 5;
    static final int STREAM_WARMUP = 1_000_000;
    static final int STREAM_MESSAGES = 5_000_000;
    static final int STREAM_RUNS = 5;

    private PipeBaseline() {
    }

    /** {@code pipe.msgs}, and {@code pipe.rtt.*} when {@code withRoundTrip}. */
    static void run(Figures figures, boolean withRoundTrip, Spin wait) throws IOException {
        try (Link pipe = Link.start()) {
            if (withRoundTrip) {
                pipe.pingPong(WARMUP_ROUNDS, null);
                pipe.pingPong(WARMUP_ROUNDS, wait);
                double[][] p = new double[4][RTT_RUNS];
                for (int r = 0; r < RTT_RUNS; r++) {
                    pipe.roundTripRun(p, r, wait);
                }
                addRoundTrips(figures, p);
            }
            pipe.stream(STREAM_WARMUP);
            double[] rate = new double[STREAM_RUNS];
            for (int r = 0; r < STREAM_RUNS; r++) {
                rate[r] = STREAM_MESSAGES * 1e9 / pipe.stream(STREAM_MESSAGES);
            }
            figures.add("pipe.msgs", Stats.median(rate), "ops/s");
        }
    }

    /**
     * Adds {@code pipe.rtt.*}: the medians over runs of the percentiles that
     * {@link Link#roundTripRun} recorded in rows 0-3 of {@code p}.
     */
    static void addRoundTrips(Figures figures, double[][] p) {
        figures.add("pipe.rtt.p50", Stats.median(p[0]), "us");
        figures.add("pipe.rtt.p99", Stats.median(p[1]), "us");
        figures.add("pipe.rtt.blocking.p50", Stats.median(p[2]), "us");
        figures.add("pipe.rtt.blocking.p99", Stats.median(p[3]), "us");
    }

    /** A running {@link RawPipeChild} and the parent's ends of its pipes. */
    static final class Link implements AutoCloseable {
        private final Process child;
        private final OutputStream out;
        private final DataInputStream in;

        private Link(Process child) {
            this.child = child;
            this.out = child.getOutputStream();
            this.in = new DataInputStream(child.getInputStream());
        }

        static Link start() throws IOException {
            return new Link(Children.start(IPOS.javaProcess(RawPipeChild.class).redirectError(Redirect.INHERIT)));
        }

        private static void command(OutputStream out, char command, long count) throws IOException {
            out.write(ByteBuffer.allocate(RawPipeChild.HEADER).put((byte) command).putLong(count).array());
        }

        /**
         * @param wait how both ends wait for a message: null to block in {@code read}, else polling
         *     {@code available()} as the ipos round trip polls its fields
         * @return each round's time in nanoseconds: write one message and flush, read the echo
         */
        long[] pingPong(int rounds, Spin wait) throws IOException {
            command(out, wait == null ? 'P' : wait == Spin.YIELD ? 'Y' : 'B', rounds);
            out.flush();
            byte[] message = new byte[RawPipeChild.MESSAGE];
            byte[] reply = new byte[RawPipeChild.MESSAGE];
            ByteBuffer m = ByteBuffer.wrap(message);
            ByteBuffer r = ByteBuffer.wrap(reply);
            long[] nanos = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                m.putLong(0, i);
                long t0 = System.nanoTime();
                out.write(message);
                out.flush();
                if (wait != null) {
                    while (in.available() < reply.length) {
                        wait.pause();
                    }
                }
                in.readFully(reply);
                nanos[i] = System.nanoTime() - t0;
                if (r.getLong(0) != i) {
                    throw new IOException("ping " + i + " came back as " + r.getLong(0));
                }
            }
            return nanos;
        }

        /**
         * One run of the round-trip baseline: {@link #ROUNDS} polled round trips, then as many
         * blocking ones; their p50 and p99 in microseconds go to {@code p[0..3][run]} (polled p50,
         * polled p99, blocking p50, blocking p99).
         */
        void roundTripRun(double[][] p, int run, Spin wait) throws IOException {
            long[] polled = pingPong(ROUNDS, wait);
            p[0][run] = Stats.percentile(polled, 0.50) / 1e3;
            p[1][run] = Stats.percentile(polled, 0.99) / 1e3;
            long[] blocking = pingPong(ROUNDS, null);
            p[2][run] = Stats.percentile(blocking, 0.50) / 1e3;
            p[3][run] = Stats.percentile(blocking, 0.99) / 1e3;
        }

        /** @return nanoseconds from the first write until the child acknowledged the last message */
        long stream(int messages) throws IOException {
            BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
            command(buffered, 'S', messages);
            byte[] message = new byte[RawPipeChild.MESSAGE];
            ByteBuffer m = ByteBuffer.wrap(message);
            long t0 = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                m.putLong(0, i);
                buffered.write(message, 0, message.length);
            }
            buffered.flush();
            long sum = in.readLong();
            long elapsed = System.nanoTime() - t0;
            long expected = (long) messages * (messages - 1) / 2;
            if (sum != expected) {
                throw new IOException("stream of " + messages + " messages acknowledged with sum " + sum + ", expected " + expected);
            }
            return elapsed;
        }

        @Override
        public void close() throws IOException {
            try {
                if (child.isAlive()) {
                    command(out, 'Q', 0);
                    out.flush();
                }
            } catch (IOException e) {
                // the child is gone already; end() below reaps it
            } finally {
                Children.end(child, 5_000);
            }
        }
    }
}
