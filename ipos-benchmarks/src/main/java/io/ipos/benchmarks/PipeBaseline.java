package io.ipos.benchmarks;

import io.ipos.IPOS;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * The raw baselines: this JVM and a child JVM ({@link RawChild}, started with the same java,
 * class path and flags as the ipos children) exchanging 32-byte messages with no ipos involved,
 * over the child's stdin and stdout (the raw pipe: {@code pipe.*}) or over a Unix domain socket
 * ({@code raw.unix.*}), each driven and waited for the same way ({@link RawLink}).
 *
 * <p>The round trips are measured by the {@code rtt} section, in blocks interleaved with the ipos
 * round trips so that all see the same machine (on a small VM the pipe's wake-up latency moves
 * by an order of magnitude with what else runs); this section measures them only when {@code rtt}
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

    /** {@code pipe.msgs} and {@code raw.unix.msgs}, and both round trips when {@code withRoundTrip}. */
    static void run(Figures figures, boolean withRoundTrip, Spin wait) throws IOException {
        try (Link pipe = Link.pipe(); Link unix = Link.unix()) {
            if (withRoundTrip) {
                pipe.warmUp(wait);
                unix.warmUp(wait);
                double[][] p = new double[4][RTT_RUNS];
                double[][] u = new double[4][RTT_RUNS];
                for (int r = 0; r < RTT_RUNS; r++) {
                    pipe.roundTripRun(p, r, wait);
                    unix.roundTripRun(u, r, wait);
                }
                pipe.addRoundTrips(figures, p);
                unix.addRoundTrips(figures, u);
            }
            pipe.stream(STREAM_WARMUP);
            unix.stream(STREAM_WARMUP);
            double[] pipeRate = new double[STREAM_RUNS];
            double[] unixRate = new double[STREAM_RUNS];
            for (int r = 0; r < STREAM_RUNS; r++) {
                pipeRate[r] = STREAM_MESSAGES * 1e9 / pipe.stream(STREAM_MESSAGES);
                unixRate[r] = STREAM_MESSAGES * 1e9 / unix.stream(STREAM_MESSAGES);
            }
            figures.add(pipe.prefix + ".msgs", Stats.median(pipeRate), "ops/s");
            figures.add(unix.prefix + ".msgs", Stats.median(unixRate), "ops/s");
        }
    }

    /** A running {@link RawChild} and the parent's end of the link to it. */
    static final class Link implements AutoCloseable {
        /** The figures' prefix: {@code pipe} or {@code raw.unix}. */
        final String prefix;
        private final Process child;
        private final RawLink link;

        private Link(String prefix, Process child, RawLink link) {
            this.prefix = prefix;
            this.child = child;
            this.link = link;
        }

        /** A child echoing over its stdin and stdout. */
        static Link pipe() throws IOException {
            Process child = Children.start(IPOS.javaProcess(RawChild.class).redirectOutput(Redirect.PIPE));
            return new Link("pipe", child, RawLink.pipes(child.getInputStream(), child.getOutputStream()));
        }

        /**
         * A child echoing over a Unix domain socket: this JVM listens at a socket in a directory of
         * its own (owner only), the child connects, and both files are gone once it has.
         */
        static Link unix() throws IOException {
            Path dir = Files.createTempDirectory("ipos-bench-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path path = dir.resolve("raw.sock");
            Process child = null;
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path));
                server.configureBlocking(false);
                child = Children.start(IPOS.javaProcess(RawChild.class, "unix:" + path)
                        .redirectError(Redirect.INHERIT).redirectOutput(Redirect.INHERIT));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                SocketChannel channel;
                while ((channel = server.accept()) == null) {
                    if (!child.isAlive() || System.nanoTime() > deadline) {
                        throw new IOException("the raw socket child (pid " + child.pid() + ") did not connect to unix:" + path
                                + (child.isAlive() ? " within 30 s" : "; it exited with code " + child.exitValue()));
                    }
                    sleep(1);
                }
                channel.configureBlocking(true);
                return new Link("raw.unix", child, RawLink.socket(channel));
            } catch (IOException | RuntimeException e) {
                Children.end(child, 0);
                throw e;
            } finally {
                Files.deleteIfExists(path);
                Files.deleteIfExists(dir);
            }
        }

        private static void sleep(long millis) throws IOException {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the raw socket child", e);
            }
        }

        private void command(char command, long count) throws IOException {
            byte[] header = ByteBuffer.allocate(RawChild.HEADER).put((byte) command).putLong(count).array();
            link.write(header, 0, header.length);
        }

        /** The round trip's warm-up: a block of blocking rounds, then one of rounds waited for by {@code wait}. */
        void warmUp(Spin wait) throws IOException {
            pingPong(WARMUP_ROUNDS, null);
            pingPong(WARMUP_ROUNDS, wait);
        }

        /**
         * @param wait how both ends wait for a message: null to block in {@code read}, else polling
         *     ({@link RawLink#ready}) as the ipos round trip polls its fields
         * @return each round's time in nanoseconds: write one message and flush, read the echo
         */
        long[] pingPong(int rounds, Spin wait) throws IOException {
            link.polling(false);
            command(wait == null ? 'P' : wait == Spin.YIELD ? 'Y' : 'B', rounds);
            link.flush();
            link.polling(wait != null);
            byte[] message = new byte[RawChild.MESSAGE];
            byte[] reply = new byte[RawChild.MESSAGE];
            ByteBuffer m = ByteBuffer.wrap(message);
            ByteBuffer r = ByteBuffer.wrap(reply);
            long[] nanos = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                m.putLong(0, i);
                long t0 = System.nanoTime();
                link.write(message, 0, message.length);
                link.flush();
                if (wait != null) {
                    while (!link.ready(reply.length)) {
                        wait.pause();
                    }
                }
                link.readFully(reply);
                nanos[i] = System.nanoTime() - t0;
                if (r.getLong(0) != i) {
                    throw new IOException(prefix + ": ping " + i + " came back as " + r.getLong(0));
                }
            }
            link.polling(false);
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

        /**
         * Adds {@code <prefix>.rtt.*}: the medians over runs of the percentiles that
         * {@link #roundTripRun} recorded in rows 0-3 of {@code p}.
         */
        void addRoundTrips(Figures figures, double[][] p) {
            figures.add(prefix + ".rtt.p50", Stats.median(p[0]), "us");
            figures.add(prefix + ".rtt.p99", Stats.median(p[1]), "us");
            figures.add(prefix + ".rtt.blocking.p50", Stats.median(p[2]), "us");
            figures.add(prefix + ".rtt.blocking.p99", Stats.median(p[3]), "us");
        }

        /** @return nanoseconds from the first write until the child acknowledged the last message */
        long stream(int messages) throws IOException {
            BufferedOutputStream buffered = new BufferedOutputStream(link.output(), 1 << 16);
            byte[] header = ByteBuffer.allocate(RawChild.HEADER).put((byte) 'S').putLong(messages).array();
            buffered.write(header);
            byte[] message = new byte[RawChild.MESSAGE];
            ByteBuffer m = ByteBuffer.wrap(message);
            long t0 = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                m.putLong(0, i);
                buffered.write(message, 0, message.length);
            }
            buffered.flush();
            byte[] ack = new byte[8];
            link.readFully(ack);
            long sum = ByteBuffer.wrap(ack).getLong();
            long elapsed = System.nanoTime() - t0;
            long expected = (long) messages * (messages - 1) / 2;
            if (sum != expected) {
                throw new IOException(prefix + ": stream of " + messages + " messages acknowledged with sum " + sum
                        + ", expected " + expected);
            }
            return elapsed;
        }

        @Override
        public void close() throws IOException {
            try {
                if (child.isAlive()) {
                    command('Q', 0);
                    link.flush();
                }
            } catch (IOException e) {
                // the child is gone already; end() below reaps it
            } finally {
                Children.end(child, 5_000);
                link.close();
            }
        }
    }
}
