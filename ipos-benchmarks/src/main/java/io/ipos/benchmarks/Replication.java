package io.ipos.benchmarks;

import io.ipos.IposException;
import io.ipos.SharedList;
import io.ipos.SharedMap;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replicated writes end to end, between this JVM (the parent) and a {@link WorkChild} over each
 * link ({@link Drivers}): the figures without a link in their name are over the link
 * {@code spawn} gives by default, its private Unix socket, and {@code <figure>.<link>} over each
 * ({@code unix}, {@code stdio}, {@code tcp}).
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
 * sample is the time from the parent's write until it sees the answer. The raw pipe's and the raw
 * Unix socket's round trips ({@code pipe.rtt.*}, {@code raw.unix.rtt.*}) are measured here too,
 * interleaved.
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

    /**
     * The throughput figures: {@code p2c.put}, {@code c2p.put} and {@code p2c.listAdd} over the link
     * {@code spawn} gives by default (a Unix socket), and {@code p2c.put.<link>}, {@code c2p.put.<link>}
     * over each link of {@link Drivers}. Each run measures every link, one after the other.
     */
    static void puts(Figures figures) throws Exception {
        try (Drivers ds = Drivers.start(figures)) {
            List<WorkDriver> links = ds.all;
            int n = links.size();
            for (WorkDriver d : links) {
                p2cPut(d, "warm.p2c", WARMUP_WRITES);
                c2pPut(d, "warm.c2p", WARMUP_WRITES);
            }
            p2cListAdd(ds.first(), "warm.list", WARMUP_WRITES);
            double[][] p2c = new double[n][PUT_RUNS];
            double[][] c2p = new double[n][PUT_RUNS];
            double[] list = new double[PUT_RUNS];
            int runs = 0;
            long start = System.nanoTime();
            while (runs < PUT_RUNS && (runs == 0 || System.nanoTime() - start < PUT_BUDGET_NANOS)) {
                for (int i = 0; i < n; i++) {
                    p2c[i][runs] = p2cPut(links.get(i), "p2c." + runs, WRITES);
                    c2p[i][runs] = c2pPut(links.get(i), "c2p." + runs, WRITES);
                }
                list[runs] = p2cListAdd(ds.first(), "list." + runs, WRITES);
                runs++;
            }
            if (runs < PUT_RUNS) {
                figures.note("put figures: median of " + runs + " runs, not " + PUT_RUNS + " (time budget)");
            }
            for (int i = 0; i < n; i++) {
                String link = links.get(i).link;
                double p = Stats.median(Arrays.copyOf(p2c[i], runs));
                double c = Stats.median(Arrays.copyOf(c2p[i], runs));
                figures.note("p2c.put." + link + " per run (ops/s): " + Lifecycle.runs(Arrays.copyOf(p2c[i], runs))
                        + "; c2p.put." + link + ": " + Lifecycle.runs(Arrays.copyOf(c2p[i], runs)));
                if (i == 0) {
                    figures.add("p2c.put", p, "ops/s");
                    figures.add("c2p.put", c, "ops/s");
                    figures.add("p2c.listAdd", Stats.median(Arrays.copyOf(list, runs)), "ops/s");
                }
                figures.add("p2c.put." + link, p, "ops/s");
                figures.add("c2p.put." + link, c, "ops/s");
            }
        }
    }

    /**
     * One {@link WorkChild} per link, the default first: {@code spawn}'s (its private Unix
     * socket), then {@code addProcess}'s stdin/stdout ({@code spawn}'s link under
     * {@code -Dipos.childLink=stdio}, and what every figure used before the socket), then a TCP
     * joiner. Where {@code spawn} fell back to stdio itself, that one stands for both.
     */
    static final class Drivers implements AutoCloseable {
        final List<WorkDriver> all = new ArrayList<>();

        static Drivers start(Figures figures) throws Exception {
            Drivers ds = new Drivers();
            try {
                ds.all.add(WorkDriver.start(WorkDriver.Transport.SPAWN));
                if (ds.first().link.equals("stdio")) {
                    figures.note("spawn linked its child over stdio (no Unix domain sockets here): no *.unix figures");
                } else {
                    ds.all.add(WorkDriver.start(WorkDriver.Transport.STDIO));
                }
                ds.all.add(WorkDriver.start(WorkDriver.Transport.TCP));
                return ds;
            } catch (Exception e) {
                ds.close();
                throw e;
            }
        }

        /** The default link's: the figures without a link in their name. */
        WorkDriver first() {
            return all.get(0);
        }

        @Override
        public void close() throws IOException {
            IOException failed = null;
            for (WorkDriver d : all) {
                try {
                    d.close();
                } catch (IOException e) {
                    failed = e;
                }
            }
            if (failed != null) {
                throw failed;
            }
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
     * The round-trip figures, ipos and raw links alike: after a warm-up of each, {@value #RTT_RUNS}
     * runs, each a block of {@value #RTT_ROUNDS} raw-pipe round trips, then as many over the raw Unix
     * socket, then as many ipos round trips over each link of {@link Drivers}, so that all see the
     * same machine; each figure is the median of its runs' percentiles. {@code rtt.*} and
     * {@code listener.rtt.*} are over the default link ({@code spawn}'s), {@code rtt.*.<link>} over each.
     */
    static void roundTrip(Figures figures, Spin wait) throws Exception {
        try (PipeBaseline.Link pipe = PipeBaseline.Link.pipe(); PipeBaseline.Link unix = PipeBaseline.Link.unix();
                Drivers ds = Drivers.start(figures)) {
            List<WorkDriver> links = ds.all;
            int n = links.size();
            int[] next = new int[n];
            for (int i = 0; i < n; i++) {
                WorkDriver d = links.get(i);
                d.ipos.create("ping", 0);
                d.ipos.create("pong", 0);
                d.flush(TIMEOUT.toSeconds());
            }
            pipe.warmUp(wait);
            unix.warmUp(wait);
            for (int i = 0; i < n; i++) {
                next[i] = iposRoundTrips(links.get(i), wait, 1, RTT_WARMUP, new long[RTT_WARMUP]);
            }
            double[][] p = new double[4][RTT_RUNS];
            double[][] u = new double[4][RTT_RUNS];
            double[][][] ipos = new double[n][2][RTT_RUNS];
            long[] nanos = new long[RTT_ROUNDS];
            for (int r = 0; r < RTT_RUNS; r++) {
                pipe.roundTripRun(p, r, wait);
                unix.roundTripRun(u, r, wait);
                for (int i = 0; i < n; i++) {
                    next[i] = iposRoundTrips(links.get(i), wait, next[i], RTT_ROUNDS, nanos);
                    ipos[i][0][r] = Stats.percentile(nanos, 0.50) / 1e3;
                    ipos[i][1][r] = Stats.percentile(nanos, 0.99) / 1e3;
                }
            }
            StringBuilder p50 = new StringBuilder("round-trip p50 per run (us): pipe " + Lifecycle.runs(p[0])
                    + "; pipe blocking " + Lifecycle.runs(p[2]) + "; raw unix " + Lifecycle.runs(u[0])
                    + "; raw unix blocking " + Lifecycle.runs(u[2]));
            StringBuilder p99 = new StringBuilder("round-trip p99 per run (us): pipe " + Lifecycle.runs(p[1])
                    + "; pipe blocking " + Lifecycle.runs(p[3]) + "; raw unix " + Lifecycle.runs(u[1])
                    + "; raw unix blocking " + Lifecycle.runs(u[3]));
            for (int i = 0; i < n; i++) {
                p50.append("; ipos ").append(links.get(i).link).append(' ').append(Lifecycle.runs(ipos[i][0]));
                p99.append("; ipos ").append(links.get(i).link).append(' ').append(Lifecycle.runs(ipos[i][1]));
            }
            figures.note(p50.toString());
            figures.note(p99.toString());
            pipe.addRoundTrips(figures, p);
            unix.addRoundTrips(figures, u);
            for (int i = 0; i < n; i++) {
                String link = links.get(i).link;
                if (i == 0) {
                    figures.add("rtt.p50", Stats.median(ipos[i][0]), "us");
                    figures.add("rtt.p99", Stats.median(ipos[i][1]), "us");
                }
                figures.add("rtt.p50." + link, Stats.median(ipos[i][0]), "us");
                figures.add("rtt.p99." + link, Stats.median(ipos[i][1]), "us");
            }
            WorkDriver d = ds.first();
            double[] l50 = new double[RTT_RUNS];
            double[] l99 = new double[RTT_RUNS];
            next[0] = listenerRoundTrips(d, next[0], RTT_WARMUP, new long[RTT_WARMUP]);
            for (int r = 0; r < RTT_RUNS; r++) {
                next[0] = listenerRoundTrips(d, next[0], RTT_ROUNDS, nanos);
                l50[r] = Stats.percentile(nanos, 0.50) / 1e3;
                l99[r] = Stats.percentile(nanos, 0.99) / 1e3;
            }
            figures.note("listener round-trip p50 per run (us): " + Lifecycle.runs(l50));
            figures.add("listener.rtt.p50", Stats.median(l50), "us");
            figures.add("listener.rtt.p99", Stats.median(l99), "us");
        }
    }

    /**
     * Rounds {@code from .. from + rounds - 1} through fields {@code ping} and {@code pong}, driven
     * by listeners on both sides: the child answers each ping from its {@code onChange} listener,
     * and the parent's listener sends the next ping when a pong arrives. Nobody polls.
     *
     * @return the next round's number
     */
    private static int listenerRoundTrips(WorkDriver d, int from, int rounds, long[] nanos) throws Exception {
        int to = from + rounds - 1;
        int id = d.send("listenerRtt", Map.of("from", from, "to", to));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (d.ctl.get("listening." + from) == null) {
            Thread.sleep(1);
            if (System.nanoTime() > deadline) {
                throw new IposException("the child did not start listening for round trips from " + from);
            }
        }
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        long[] sent = new long[1];
        io.ipos.Subscription sub = d.ipos.onChange(c -> {
            if (c instanceof io.ipos.FieldChange f && f.added().get("pong") instanceof Integer v && v >= from && v <= to) {
                long now = System.nanoTime();
                nanos[v - from] = now - sent[0];
                if (v == to) {
                    done.countDown();
                } else {
                    sent[0] = System.nanoTime();
                    d.ipos.create("ping", v + 1);
                }
            }
        });
        try {
            sent[0] = System.nanoTime();
            d.ipos.create("ping", from);
            if (!done.await(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IposException("listener round trips " + from + ".." + to + " did not come back within "
                        + TIMEOUT.toSeconds() + " s; pong=" + d.ipos.get("pong"));
            }
        } finally {
            sub.close();
        }
        d.await(id, TIMEOUT);
        return to + 1;
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
