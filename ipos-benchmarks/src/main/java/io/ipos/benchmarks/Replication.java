package io.ipos.benchmarks;

import io.ipos.IposException;
import io.ipos.SharedList;
import io.ipos.SharedMap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * Replicated writes end to end, between this JVM (the parent) and one {@link WorkChild}.
 *
 * <p><b>Throughput</b> ({@code p2c.put}, {@code c2p.put}, {@code p2c.listAdd}): one process makes
 * {@value #WRITES} small writes to a field created empty for the run, and the clock stops when the
 * other process has applied the last one. Parent to child: the parent's {@code flush()} completes
 * when every child applied every write so far. Child to parent: the child times its own puts up to
 * its {@code flush()} completing, which it does once the parent has applied them all. Each run is
 * then checked (the receiver's size must be {@value #WRITES}) and its field deleted.
 *
 * <p><b>Round trip</b> ({@code rtt.*}): the parent sets field {@code ping} to {@code i}; the child,
 * polling, sees it and sets field {@code pong} to {@code i}; the parent, polling, sees that. One
 * sample is the time from the parent's write until it sees the answer. The raw pipe's round trip
 * ({@code pipe.rtt.*}) is measured here too, interleaved.
 */
final class Replication {
    static final int WRITES = 1_000_000;
    static final int WARMUP_WRITES = 200_000;
    static final int PUT_RUNS = 3;
    /** After this long in the measured put runs, no new run starts (keeps the whole benchmark under 3 minutes). */
    static final long PUT_BUDGET_NANOS = 30_000_000_000L;
    static final int RTT_WARMUP = 10_000;
    static final int RTT_ROUNDS = PipeBaseline.ROUNDS;
    static final int RTT_RUNS = 5;
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    private Replication() {
    }

    /** The throughput figures. */
    static void puts(Figures figures) throws Exception {
        try (WorkDriver d = WorkDriver.start()) {
            p2cPut(d, "warm.p2c", WARMUP_WRITES);
            c2pPut(d, "warm.c2p", WARMUP_WRITES);
            p2cListAdd(d, "warm.list", WARMUP_WRITES);
            double[][] rates = new double[3][PUT_RUNS];
            int runs = 0;
            long start = System.nanoTime();
            while (runs < PUT_RUNS && (runs == 0 || System.nanoTime() - start < PUT_BUDGET_NANOS)) {
                rates[0][runs] = p2cPut(d, "p2c." + runs, WRITES);
                rates[1][runs] = c2pPut(d, "c2p." + runs, WRITES);
                rates[2][runs] = p2cListAdd(d, "list." + runs, WRITES);
                runs++;
            }
            if (runs < PUT_RUNS) {
                figures.note("put figures: median of " + runs + " runs, not " + PUT_RUNS + " (time budget)");
            }
            figures.add("p2c.put", Stats.median(java.util.Arrays.copyOf(rates[0], runs)), "ops/s");
            figures.add("c2p.put", Stats.median(java.util.Arrays.copyOf(rates[1], runs)), "ops/s");
            figures.add("p2c.listAdd", Stats.median(java.util.Arrays.copyOf(rates[2], runs)), "ops/s");
        }
    }

    private static double p2cPut(WorkDriver d, String field, int n) throws Exception {
        SharedMap<Integer, Integer> map = d.ipos.create(field, new HashMap<Integer, Integer>());
        d.flush(TIMEOUT.toSeconds());
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            map.put(i, i);
        }
        d.flush(TIMEOUT.toSeconds());
        long elapsed = System.nanoTime() - t0;
        expectSize(d, field, n, d.call("size", Map.of("field", field), TIMEOUT), "child");
        d.ipos.delete(field);
        return n * 1e9 / elapsed;
    }

    private static double c2pPut(WorkDriver d, String field, int n) throws Exception {
        SharedMap<Integer, Integer> map = d.ipos.create(field, new HashMap<Integer, Integer>());
        long elapsed = ((Number) d.call("c2p", Map.of("field", field, "n", n), TIMEOUT)).longValue();
        expectSize(d, field, n, map.size(), "parent");
        d.ipos.delete(field);
        return n * 1e9 / elapsed;
    }

    private static double p2cListAdd(WorkDriver d, String field, int n) throws Exception {
        SharedList<Integer> list = d.ipos.create(field, new ArrayList<Integer>());
        d.flush(TIMEOUT.toSeconds());
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            list.add(i);
        }
        d.flush(TIMEOUT.toSeconds());
        long elapsed = System.nanoTime() - t0;
        expectSize(d, field, n, d.call("size", Map.of("field", field), TIMEOUT), "child");
        d.ipos.delete(field);
        return n * 1e9 / elapsed;
    }

    private static void expectSize(WorkDriver d, String field, int n, Object size, String where) {
        if (!(size instanceof Integer s) || s != n) {
            throw new IposException("after " + n + " writes to field " + field + " and a completed flush, the " + where
                    + " holds " + size + " elements");
        }
    }

    /**
     * The round-trip figures, ipos and raw pipe alike: after a warm-up of each, {@value #RTT_RUNS}
     * runs, each a block of {@value #RTT_ROUNDS} raw-pipe round trips then a block of as many ipos
     * round trips, so that both see the same machine; each figure is the median of its runs'
     * percentiles.
     */
    static void roundTrip(Figures figures, Spin wait) throws Exception {
        try (PipeBaseline.Link pipe = PipeBaseline.Link.start(); WorkDriver d = WorkDriver.start()) {
            d.ipos.create("ping", 0);
            d.ipos.create("pong", 0);
            d.flush(TIMEOUT.toSeconds());
            pipe.pingPong(PipeBaseline.WARMUP_ROUNDS, null);
            pipe.pingPong(PipeBaseline.WARMUP_ROUNDS, wait);
            int next = iposRoundTrips(d, wait, 1, RTT_WARMUP, new long[RTT_WARMUP]);
            double[][] p = new double[6][RTT_RUNS];
            long[] nanos = new long[RTT_ROUNDS];
            for (int r = 0; r < RTT_RUNS; r++) {
                pipe.roundTripRun(p, r, wait);
                next = iposRoundTrips(d, wait, next, RTT_ROUNDS, nanos);
                p[4][r] = Stats.percentile(nanos, 0.50) / 1e3;
                p[5][r] = Stats.percentile(nanos, 0.99) / 1e3;
            }
            figures.note("round-trip p50 per run (us): pipe " + Lifecycle.runs(p[0]) + "; pipe blocking "
                    + Lifecycle.runs(p[2]) + "; ipos " + Lifecycle.runs(p[4]));
            figures.note("round-trip p99 per run (us): pipe " + Lifecycle.runs(p[1]) + "; pipe blocking "
                    + Lifecycle.runs(p[3]) + "; ipos " + Lifecycle.runs(p[5]));
            PipeBaseline.addRoundTrips(figures, p);
            figures.add("rtt.p50", Stats.median(p[4]), "us");
            figures.add("rtt.p99", Stats.median(p[5]), "us");
        }
    }

    /**
     * Rounds {@code from .. from + rounds - 1} through fields {@code ping} and {@code pong}.
     *
     * @return the next round's number
     */
    private static int iposRoundTrips(WorkDriver d, Spin wait, int from, int rounds, long[] nanos) throws Exception {
        int to = from + rounds - 1;
        int id = d.send("rtt", Map.of("from", from, "to", to, "wait", wait.name()));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (int i = from; i <= to; i++) {
            long t0 = System.nanoTime();
            d.ipos.create("ping", i);
            while (!(d.ipos.get("pong") instanceof Integer v && v == i)) {
                wait.pause();
                if (System.nanoTime() > deadline) {
                    throw new IposException("round trip " + i + " did not come back within " + TIMEOUT.toSeconds()
                            + " s; pong=" + d.ipos.get("pong") + ", child alive=" + d.child.isAlive());
                }
            }
            nanos[i - from] = System.nanoTime() - t0;
        }
        d.await(id, TIMEOUT);
        return to + 1;
    }
}
