package io.ipos.benchmarks;

import io.ipos.IPOS;
import io.ipos.IposException;
import io.ipos.SharedMap;

import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;

/** What joining costs: the state sync, the bytes of one change, and a child's start-up. */
final class Lifecycle {
    static final int SYNC_RUNS_100K = 5;
    static final int SYNC_RUNS_1M = 3;
    static final int DIFF_SAMPLES = 21;
    static final int CONNECT_RUNS = 7;

    private Lifecycle() {
    }

    /** {@code String -> Integer}, keys {@code "k0"..}, values their index. */
    static HashMap<String, Integer> bigMap(int n) {
        HashMap<String, Integer> map = new HashMap<>(n * 4 / 3 + 1);
        for (int i = 0; i < n; i++) {
            map.put("k" + i, i);
        }
        return map;
    }

    /**
     * {@code sync.*}: {@link SyncChild} times its own {@code IPOS.connect()} while the parent holds
     * field {@code big}, a map of 100,000 (then 1,000,000) entries, sent over the private Unix
     * socket that {@code spawn} gives the child. Also reported, as
     * {@code sync.*.spawn}: the parent's {@code spawn} call, from starting the JVM until the child
     * holds the state (JVM start-up included).
     */
    static void sync(Figures figures) throws Exception {
        try (IPOS ipos = IPOS.start()) {
            SharedMap<String, Object> ctl = ipos.create("ctl", new HashMap<String, Object>());
            syncRuns(figures, ipos, ctl, 100_000, SYNC_RUNS_100K, "sync.map100k");
            syncRuns(figures, ipos, ctl, 1_000_000, SYNC_RUNS_1M, "sync.map1m");
        }
    }

    private static void syncRuns(Figures figures, IPOS ipos, SharedMap<String, Object> ctl, int n, int runs, String name)
            throws Exception {
        ipos.create("big", bigMap(n));
        double[] connect = new double[runs];
        double[] spawn = new double[runs];
        for (int r = 0; r < runs; r++) {
            ctl.remove("connectNanos");
            ctl.remove("size");
            long t0 = System.nanoTime();
            Process child = Children.track(ipos.spawn(IPOS.javaProcess(SyncChild.class), Duration.ofSeconds(60)));
            spawn[r] = (System.nanoTime() - t0) / 1e6;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!(ctl.get("connectNanos") instanceof Long nanos)) {
                    if (System.nanoTime() > deadline || !child.isAlive() && ctl.get("connectNanos") == null) {
                        throw new IposException("sync child pid " + child.pid() + " did not report its connect time"
                                + (child.isAlive() ? " within 60 s" : "; it exited with code " + child.exitValue()));
                    }
                    Thread.sleep(1);
                }
                connect[r] = nanos / 1e6;
                if (!(ctl.get("size") instanceof Integer size) || size != n) {
                    throw new IposException("sync child received field big with " + ctl.get("size") + " entries, not " + n);
                }
            } finally {
                Children.end(child, 10_000);
            }
        }
        figures.note(name + " runs (ms): connect " + runs(connect) + "; spawn " + runs(spawn));
        figures.add(name, Stats.median(connect), "ms");
        figures.add(name + ".spawn", Stats.median(spawn), "ms");
    }

    /**
     * {@code diff.put.bytes}: the bytes the parent writes to a child's stdin for one {@code put}
     * into a synced map of 100,000 entries. The child's process is handed to {@code addProcess}
     * wrapped in a {@link CountingProcess}. A sample is the bytes written by {@code put + flush()}
     * minus those written by a {@code flush()} alone just before: the flush sends a SYNC frame
     * (13 bytes in protocol version 1: u32 length, u8 type, u64 token), measured rather than
     * assumed so the figure stays right if the frame changes. The child writes nothing meanwhile.
     */
    static void diff(Figures figures) throws Exception {
        CountingProcess[] counted = new CountingProcess[1];
        try (WorkDriver d = WorkDriver.start(p -> counted[0] = new CountingProcess(p))) {
            CountingProcess wire = counted[0];
            SharedMap<String, Integer> map = d.ipos.create("m", bigMap(100_000));
            d.flush(60);
            for (int i = 0; i < 2_000; i++) {
                map.put("k" + (i * 37 % 100_000), i);
                if (i % 100 == 99) {
                    d.flush(60);
                }
            }
            d.flush(60);
            double[] put = new double[DIFF_SAMPLES];
            double[] sync = new double[DIFF_SAMPLES];
            for (int j = 0; j < DIFF_SAMPLES; j++) {
                long b0 = wire.written();
                d.flush(60);
                long b1 = wire.written();
                String key = "k" + (50_000 + j * 1_999);
                map.put(key, map.get(key) + 1);
                d.flush(60);
                long b2 = wire.written();
                sync[j] = b1 - b0;
                put[j] = (b2 - b1) - (b1 - b0);
            }
            figures.add("diff.put.bytes", Stats.median(put), "B");
            figures.add("diff.flush.bytes", Stats.median(sync), "B");
        }
    }

    /**
     * {@code connect.overhead}: the median time from starting a {@link ConnectChild} until its
     * {@code connect()} completed, minus the median time from {@code ProcessBuilder.start()} until a
     * {@link TrivialChild}'s {@code main} ended (its one byte on stdout arrived). The ipos child is
     * started by {@code spawn} (its return: the child holds the state, here empty), so over the
     * private Unix socket, which costs the parent a socket to bind and accept on and the child the
     * socket classes to load; {@code connect.overhead.stdio} starts it with {@code start()} and
     * {@code addProcess} over its stdin and stdout (the figure before spawned children had a
     * socket). All are started the same way (same java, class path, no flags), alternately.
     */
    static void connect(Figures figures) throws Exception {
        try (IPOS ipos = IPOS.start()) {
            ProcessBuilder trivial = IPOS.javaProcess(TrivialChild.class).redirectOutput(Redirect.PIPE);
            ProcessBuilder child = IPOS.javaProcess(ConnectChild.class);
            ProcessBuilder piped = IPOS.javaProcess(ConnectChild.class).redirectOutput(Redirect.PIPE); // addProcess: stdio
            trivialOnce(trivial);
            spawnOnce(ipos, child);
            addOnce(ipos, piped);
            double[] jvm = new double[CONNECT_RUNS];
            double[] spawned = new double[CONNECT_RUNS];
            double[] added = new double[CONNECT_RUNS];
            for (int r = 0; r < CONNECT_RUNS; r++) {
                jvm[r] = trivialOnce(trivial);
                spawned[r] = spawnOnce(ipos, child);
                added[r] = addOnce(ipos, piped);
            }
            figures.note("connect runs (ms): trivial JVM " + runs(jvm) + "; ipos child, spawn " + runs(spawned)
                    + "; ipos child, addProcess (stdio) " + runs(added));
            figures.add("connect.overhead", Stats.median(spawned) - Stats.median(jvm), "ms");
            figures.add("connect.overhead.stdio", Stats.median(added) - Stats.median(jvm), "ms");
            figures.add("connect.jvm", Stats.median(jvm), "ms");
            figures.add("connect.child", Stats.median(spawned), "ms");
            figures.add("connect.child.stdio", Stats.median(added), "ms");
            appCds(figures, ipos, Stats.median(jvm));
        }
    }

    /**
     * {@code connect.overhead.appcds}: what class data sharing of the library's classes gives a
     * child. One spawned {@link ConnectChild} writes a dynamic archive of every class it loaded as it
     * exits ({@code -XX:ArchiveClassesAtExit}, JDK 13+); then {@link #CONNECT_RUNS} children started
     * with {@code -XX:SharedArchiveFile} of it are timed as {@code connect.child} is, and the bare
     * JVM's median of the same run ({@code connect.jvm}, default CDS of the JDK's classes) is taken
     * off. The archive lives in the results directory.
     */
    private static void appCds(Figures figures, IPOS ipos, double jvmMedian) throws Exception {
        java.nio.file.Path archive = java.nio.file.Files.createTempFile("ipos-child-", ".jsa");
        try {
            java.nio.file.Files.delete(archive);
            // -Xlog:cds=off: the dump's warnings about classes it skips go to stdout, which this child shares
            spawnOnce(ipos, withFlag(withFlag(IPOS.javaProcess(ConnectChild.class), "-XX:ArchiveClassesAtExit=" + archive),
                    "-Xlog:cds=off"));
            if (!java.nio.file.Files.isRegularFile(archive)) {
                figures.skip("connect.overhead.appcds", "ms", "the child wrote no class data archive at " + archive);
                return;
            }
            ProcessBuilder warm = withFlag(IPOS.javaProcess(ConnectChild.class), "-XX:SharedArchiveFile=" + archive);
            spawnOnce(ipos, warm);
            double[] spawned = new double[CONNECT_RUNS];
            for (int r = 0; r < CONNECT_RUNS; r++) {
                spawned[r] = spawnOnce(ipos, warm);
            }
            figures.note("connect runs with the library's classes archived (-XX:SharedArchiveFile, "
                    + java.nio.file.Files.size(archive) / 1024 + " KiB archive), ipos child, spawn (ms): " + runs(spawned));
            figures.add("connect.overhead.appcds", Stats.median(spawned) - jvmMedian, "ms");
            figures.add("connect.child.appcds", Stats.median(spawned), "ms");
        } finally {
            java.nio.file.Files.deleteIfExists(archive);
        }
    }

    /** {@code builder}'s command with {@code flag} as the JVM's first option. */
    private static ProcessBuilder withFlag(ProcessBuilder builder, String flag) {
        builder.command().add(1, flag);
        return builder;
    }

    static String runs(double[] values) {
        StringBuilder s = new StringBuilder();
        for (double v : values) {
            s.append(s.length() == 0 ? "" : " ").append(Figures.format(v));
        }
        return s.toString();
    }

    private static double trivialOnce(ProcessBuilder builder) throws Exception {
        long t0 = System.nanoTime();
        Process p = Children.start(builder);
        try (InputStream out = p.getInputStream()) {
            int b = out.read();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (b != '.') {
                throw new IllegalStateException("the trivial child wrote " + b + ", not '.'");
            }
            return ms;
        } finally {
            Children.end(p, 10_000);
        }
    }

    private static double spawnOnce(IPOS ipos, ProcessBuilder builder) throws Exception {
        long t0 = System.nanoTime();
        Process p = Children.track(ipos.spawn(builder, Duration.ofSeconds(30)));
        double ms = (System.nanoTime() - t0) / 1e6;
        Children.end(p, 10_000);
        return ms;
    }

    private static double addOnce(IPOS ipos, ProcessBuilder builder) throws Exception {
        long t0 = System.nanoTime();
        Process p = Children.start(builder);
        try {
            ipos.addProcess(p).get(30, TimeUnit.SECONDS);
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            Children.end(p, 10_000);
        }
    }
}
