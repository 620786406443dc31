package io.ipos.benchmarks;

import io.ipos.IposException;

import java.time.Duration;
import java.util.Map;

/**
 * The figures of messages and calls ({@code talk} section).
 *
 * <ul>
 *   <li>{@code call.rtt.p50}/{@code .p99}: a blocking proxy call from the parent to a method the
 *       child exposes, {@code int next(int x)} returning {@code x + 1}: from the call until it
 *       returns. Measured as the ipos round trip is: {@value #RUNS} runs, each a block of
 *       {@value PipeBaseline#ROUNDS} raw-pipe round trips between the same two kinds of JVM, then
 *       as many calls; each figure is the median of its runs' percentiles, and
 *       {@code ratio.call.rtt} is the call's p50 over the polled pipe's p50 of the same runs.</li>
 *   <li>{@code msg.throughput}: {@value #MESSAGES} small messages (an {@code Integer} on one
 *       topic) emitted by the parent, one way, to a child whose handler counts them: from the
 *       first {@code emit} until the child says its handler saw the last one, the median of
 *       {@value #RUNS} runs after one warm-up run.</li>
 * </ul>
 */
final class Talking {
    static final int RUNS = 5;
    static final int WARMUP_CALLS = 10_000;
    static final int MESSAGES = 1_000_000;
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** What the child exposes for the call figures. */
    public interface Bench {
        /** @param x a number @return {@code x + 1} */
        int next(int x);
    }

    private Talking() {
    }

    static void run(Figures figures, Spin wait) throws Exception {
        try (PipeBaseline.Link pipe = PipeBaseline.Link.pipe(); WorkDriver d = WorkDriver.start(WorkDriver.Transport.SPAWN)) {
            d.call("expose", Map.of(), TIMEOUT);
            Bench bench = d.ipos.proxy("bench", Bench.class);
            pipe.pingPong(PipeBaseline.WARMUP_ROUNDS, wait);
            calls(bench, WARMUP_CALLS);
            double[][] p = new double[6][RUNS];
            for (int r = 0; r < RUNS; r++) {
                pipe.roundTripRun(p, r, wait);
                long[] nanos = calls(bench, PipeBaseline.ROUNDS);
                p[4][r] = Stats.percentile(nanos, 0.50) / 1e3;
                p[5][r] = Stats.percentile(nanos, 0.99) / 1e3;
            }
            figures.note("call round-trip p50 per run (us): pipe " + Lifecycle.runs(p[0]) + "; call " + Lifecycle.runs(p[4]));
            figures.add("call.rtt.p50", Stats.median(p[4]), "us");
            figures.add("call.rtt.p99", Stats.median(p[5]), "us");
            figures.add("ratio.call.rtt", Stats.median(p[4]) / Stats.median(p[0]), "x");

            messages(d, MESSAGES); // warm-up: the handler path is compiled before the measured runs
            double[] rates = new double[RUNS];
            for (int r = 0; r < RUNS; r++) {
                rates[r] = MESSAGES / (messages(d, MESSAGES) / 1e9);
            }
            figures.note("msg.throughput per run (msgs/s): " + Lifecycle.runs(rates));
            figures.add("msg.throughput", Stats.median(rates), "msgs/s");
        }
    }

    private static long[] calls(Bench bench, int n) {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            int got = bench.next(i);
            nanos[i] = System.nanoTime() - t0;
            if (got != i + 1) {
                throw new IposException("next(" + i + ") returned " + got);
            }
        }
        return nanos;
    }

    /** @return nanoseconds from the first emit until the child's handler has counted {@code n} */
    private static long messages(WorkDriver d, int n) throws Exception {
        int id = d.send("messages", Map.of("n", n));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (d.ctl.get("listening." + id) == null) {
            if (System.nanoTime() > deadline) {
                throw new IposException("the child did not start listening for messages");
            }
            Thread.sleep(1);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            d.ipos.emit("m", i);
        }
        Object counted = d.await(id, TIMEOUT);
        long t = System.nanoTime() - t0;
        if (!Integer.valueOf(n).equals(counted)) {
            throw new IposException("the child counted " + counted + " messages of " + n);
        }
        return t;
    }
}
