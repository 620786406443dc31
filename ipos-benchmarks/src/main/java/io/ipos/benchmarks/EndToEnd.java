package io.ipos.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The end-to-end benchmark: ipos-java between this JVM and child JVMs, against the raw pipe
 * between the same JVMs, in one run. Prints one line per figure, {@code name value unit}, writes
 * them to {@code results.txt} and draws {@code chart.svg} next to it.
 *
 * <pre>
 * java -jar ipos-benchmarks.jar [section...] [--results DIR] [--wait spin|yield]
 * java -jar ipos-benchmarks.jar jmh [JMH options]      (the JMH benchmarks of this module)
 * </pre>
 *
 * <p>Sections (all by default, in this order): {@code pipe} (raw baselines, the pipe and a Unix
 * socket: the batched stream; their round trips too unless {@code rtt} runs), {@code rtt} (the
 * ipos round trip over each link, interleaved with the raw ones, and {@code ratio.rtt}),
 * {@code put} (throughput over each link), {@code sync}, {@code node} (Node {@code ipos} 0.2.6
 * with the workloads of {@code put}, {@code rtt} and {@code sync}, see {@link NodePeer}:
 * {@code peer.ipos.*}, and {@code vs.ipos.*}, how many times better ours is, from this run's
 * figures only), {@code diff},
 * {@code connect}, {@code mem}, {@code merge} ({@code merge.counter}: three children merging into
 * one key at once, correct increments per second), {@code talk} ({@code ratio.call.rtt}: a blocking
 * proxy call against the raw pipe's round trip; {@code msg.throughput}: small messages parent to
 * child, see {@link Talking}), {@code hazelcast} ({@code peer.hazelcast.*} and {@code vs.hazelcast.*}:
 * Hazelcast's {@code ReplicatedMap} between two JVMs, see {@link HazelcastPeer}). The results directory
 * defaults to {@code results/} beside the jar ({@code -Dipos.bench.results} also sets it).
 *
 * <p>Figures without a link in their name are over the link {@code spawn} gives a child by
 * default, its private Unix socket ({@code diff.*} over stdio, since it counts the child's stdin;
 * {@code merge.counter} over stdio, as before); {@code <figure>.unix}, {@code .stdio} and
 * {@code .tcp} name theirs. {@code ratio.rtt}, the budget's, is {@code rtt.p50 / pipe.rtt.p50}.
 *
 * <p>Every child JVM, baseline or ipos, is started the same way ({@code IPOS.javaProcess}: this
 * JVM's java and class path, and the options {@code javaProcess} passes on: none when the jar
 * runs without options). Noisy figures are medians of several runs; each class
 * says how its figures are measured. A figure that fails prints {@code name n/a unit}, its reason
 * goes to stderr and {@code results.txt}, and the exit code is 1. A skipped figure prints the same
 * and says why, but does not make the exit code 1: the peer's when {@code node} or {@code npm} is
 * absent or npm can't reach the registry, and a {@code vs.*} ratio whose two figures were not both
 * measured in this run.
 */
public final class EndToEnd {
    private interface Body {
        void run(Figures figures) throws Exception;
    }

    private record Section(String name, Body body, String... figures) {
    }

    /** The section names, in the order they run. */
    private static final List<String> SECTIONS = List.of("pipe", "rtt", "put", "sync", "node", "diff", "connect", "mem", "merge", "talk",
            "hazelcast");

    private EndToEnd() {
    }

    /**
     * Runs the benchmark.
     *
     * @param args section names, options, or {@code jmh} followed by JMH's own options
     * @throws Exception if the results can't be written, or JMH fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Spin wait = Spin.valueOf(System.getProperty("ipos.bench.wait", "yield").toUpperCase(Locale.ROOT));
        String resultsOption = System.getProperty("ipos.bench.results");
        Set<String> chosen = new LinkedHashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--results") && i + 1 < args.length) {
                resultsOption = args[++i];
            } else if (a.startsWith("--results=")) {
                resultsOption = a.substring("--results=".length());
            } else if (a.equals("--wait") && i + 1 < args.length) {
                wait = Spin.valueOf(args[++i].toUpperCase(Locale.ROOT));
            } else if (a.startsWith("--wait=")) {
                wait = Spin.valueOf(a.substring("--wait=".length()).toUpperCase(Locale.ROOT));
            } else if (SECTIONS.contains(a)) {
                chosen.add(a);
            } else {
                System.err.println("unknown argument " + a + "\nusage: java -jar ipos-benchmarks.jar ["
                        + String.join("|", SECTIONS) + "]... [--results DIR] [--wait spin|yield]\n"
                        + "       java -jar ipos-benchmarks.jar jmh [JMH options]");
                System.exit(2);
            }
        }
        if (chosen.isEmpty()) {
            chosen.addAll(SECTIONS);
        }
        Spin rttWait = wait;
        boolean rttChosen = chosen.contains("rtt");
        Path results = resultsOption != null ? Path.of(resultsOption) : defaultResults();
        String[] rawRtt = {"pipe.rtt.p50 us", "pipe.rtt.p99 us", "raw.unix.rtt.p50 us", "raw.unix.rtt.p99 us"};
        String[] rawMsgs = {"pipe.msgs ops/s", "raw.unix.msgs ops/s"};
        List<Section> sections = List.of(
                new Section("pipe", f -> PipeBaseline.run(f, !rttChosen, rttWait), rttChosen ? rawMsgs : concat(rawRtt, rawMsgs)),
                new Section("rtt", f -> Replication.roundTrip(f, rttWait), concat(rawRtt, new String[] {"rtt.p50 us", "rtt.p99 us",
                        "rtt.p50.unix us", "rtt.p50.stdio us", "rtt.p50.tcp us", "listener.rtt.p50 us", "listener.rtt.p99 us"})),
                new Section("put", Replication::puts, "p2c.put ops/s", "c2p.put ops/s", "p2c.listAdd ops/s",
                        "p2c.put.unix ops/s", "p2c.put.stdio ops/s", "p2c.put.tcp ops/s"),
                new Section("sync", Lifecycle::sync, "sync.map100k ms", "sync.map1m ms"),
                new Section("node", f -> NodePeer.run(f, results), NodePeer.FIGURES),
                new Section("diff", Lifecycle::diff, "diff.put.bytes B"),
                new Section("connect", Lifecycle::connect, "connect.overhead ms", "connect.overhead.stdio ms"),
                new Section("mem", Memory::run, "mem.map1m.ratio x"),
                new Section("merge", MergeCounter::run, "merge.counter /s"),
                new Section("talk", f -> Talking.run(f, rttWait), "call.rtt.p50 us", "call.rtt.p99 us", "ratio.call.rtt x",
                        "msg.throughput msgs/s"),
                new Section("hazelcast", HazelcastPeer::run, HazelcastPeer.FIGURES));

        Figures figures = new Figures();
        String loadBefore = loadAverage();
        long start = System.nanoTime();
        for (Section s : sections) {
            if (!chosen.contains(s.name())) {
                continue;
            }
            long t0 = System.nanoTime();
            try {
                s.body().run(figures);
            } catch (Exception | Error e) {
                System.err.println("[bench] section " + s.name() + " failed:");
                e.printStackTrace();
                for (String figure : s.figures()) {
                    String[] nameUnit = figure.split(" ");
                    figures.fail(nameUnit[0], nameUnit[1], "section " + s.name() + " failed: " + e);
                }
            }
            System.err.printf(Locale.ROOT, "[bench] %s: %.1f s%n", s.name(), (System.nanoTime() - t0) / 1e9);
        }
        if (rttChosen) {
            double rtt = figures.get("rtt.p50");
            double pipe = figures.get("pipe.rtt.p50");
            double blocking = figures.get("pipe.rtt.blocking.p50");
            if (Double.isNaN(rtt) || Double.isNaN(pipe)) {
                figures.fail("ratio.rtt", "x", "needs rtt.p50 and pipe.rtt.p50");
            } else {
                // the budget's ratio: the default link's round trip over the raw pipe's (DESIGN.md)
                figures.add("ratio.rtt", rtt / pipe, "x");
                figures.add("ratio.rtt.blocking", rtt / blocking, "x");
                double listener = figures.get("listener.rtt.p50");
                if (!Double.isNaN(listener)) {
                    figures.add("ratio.listener.rtt", listener / pipe, "x");
                }
            }
            // ratio.rtt as it was before spawned children had a socket: ipos and baseline both over pipes
            ratio(figures, "ratio.rtt.stdio", "rtt.p50.stdio", "pipe.rtt.p50");
            // what ipos adds to the socket it runs over
            ratio(figures, "ratio.rtt.unix", "rtt.p50.unix", "raw.unix.rtt.p50");
        }
        if (chosen.contains("node")) {
            // how many times better ours is than Node ipos (> 1: ours is faster), from this run's figures
            versus(figures, chosen, "vs.ipos.put", "p2c.put", "put", "peer.ipos.put", false);
            versus(figures, chosen, "vs.ipos.rtt", "rtt.p50", "rtt", "peer.ipos.rtt.p50", true);
            versus(figures, chosen, "vs.ipos.sync", "sync.map100k", "sync", "peer.ipos.sync.map100k", true);
        }
        if (chosen.contains("hazelcast")) {
            versus(figures, chosen, "vs.hazelcast.put", "p2c.put", "put", "peer.hazelcast.put", false);
            versus(figures, chosen, "vs.hazelcast.rtt", "rtt.p50", "rtt", "peer.hazelcast.rtt.p50", true);
            // their round trip is driven by entry listeners: our listener-driven one is the same workload
            versus(figures, chosen, "vs.hazelcast.listener.rtt", "listener.rtt.p50", "rtt", "peer.hazelcast.rtt.p50", true);
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        Runtime rt = Runtime.getRuntime();
        List<String> header = new ArrayList<>(List.of(
                "ipos-java end-to-end benchmark, " + Instant.now(),
                "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                        + rt.availableProcessors() + " cores, max heap " + rt.maxMemory() / (1 << 20) + " MiB",
                "sections: " + String.join(" ", chosen) + "; round-trip pollers wait by " + rttWait.name().toLowerCase(Locale.ROOT),
                String.format(Locale.ROOT, "took %.1f s; load average before %s, after %s", seconds, loadBefore, loadAverage())));
        String subtitle = "java " + System.getProperty("java.version") + ", " + rt.availableProcessors() + " cores, "
                + Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC; bars are medians of several runs; "
                + "ipos over a spawned child's Unix socket unless a bar names stdio or TCP";
        Path txt = results.resolve("results.txt");
        Path svg = results.resolve("chart.svg");
        figures.write(txt, header);
        Chart.write(svg, figures, subtitle);
        System.err.printf(Locale.ROOT, "[bench] took %.1f s; wrote %s and %s%n", seconds, txt, svg);
        boolean failed = figures.all().stream().anyMatch(Figures.Figure::failed);
        System.exit(failed ? 1 : 0);
    }

    /** Adds {@code name} = {@code over / under} when both were measured. */
    private static void ratio(Figures figures, String name, String over, String under) {
        double a = figures.get(over);
        double b = figures.get(under);
        if (!Double.isNaN(a) && !Double.isNaN(b)) {
            figures.add(name, a / b, "x");
        }
    }

    /**
     * Adds {@code name}, how many times better {@code ours} is than the peer's figure: ours over
     * the peer's for a rate, the peer's over ours when {@code lowerIsBetter} (a time). Skipped,
     * saying why, unless both were measured in this run: a ratio never fails the run itself (a
     * figure of ours that failed already does).
     *
     * @param section the section that measures {@code ours}
     */
    private static void versus(Figures figures, Set<String> chosen, String name, String ours, String section, String peer,
            boolean lowerIsBetter) {
        double o = figures.get(ours);
        double p = figures.get(peer);
        if (!Double.isNaN(o) && !Double.isNaN(p)) {
            figures.add(name, lowerIsBetter ? p / o : o / p, "x");
        } else if (Double.isNaN(o)) {
            figures.skip(name, "x", chosen.contains(section) ? "needs " + ours + ", " + figures.reason(ours)
                    : "needs " + ours + ", which only section " + section + " measures: run it too");
        } else {
            figures.skip(name, "x", "needs " + peer + ", " + figures.reason(peer));
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The 1, 5 and 15 minute load averages (Linux), or "unknown": other work on the machine skews every figure. */
    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** {@code results/} beside the jar this class was loaded from, else under {@code ipos-benchmarks/target}. */
    private static Path defaultResults() {
        try {
            Path code = Path.of(EndToEnd.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(code)) {
                return code.toAbsolutePath().getParent().resolve("results");
            }
        } catch (Exception e) {
            // fall through to the default below
        }
        return Path.of("ipos-benchmarks", "target", "results");
    }
}
