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
 * <p>Sections (all by default, in this order): {@code pipe} (raw baseline: the batched stream;
 * its round trip too unless {@code rtt} runs), {@code rtt} (the ipos round trip, interleaved with
 * the raw pipe's, and {@code ratio.rtt}), {@code put} (throughput), {@code sync}, {@code diff},
 * {@code connect}, {@code mem}. The results directory
 * defaults to {@code results/} beside the jar ({@code -Dipos.bench.results} also sets it).
 *
 * <p>Every child JVM, baseline or ipos, is started the same way ({@code IPOS.javaProcess}: this
 * JVM's java and class path, no flags). Noisy figures are medians of several runs; each class
 * says how its figures are measured. A figure that fails prints {@code name n/a unit}, its reason
 * goes to stderr and {@code results.txt}, and the exit code is 1.
 */
public final class EndToEnd {
    private interface Body {
        void run(Figures figures) throws Exception;
    }

    private record Section(String name, Body body, String... figures) {
    }

    /** The section names, in the order they run. */
    private static final List<String> SECTIONS = List.of("pipe", "rtt", "put", "sync", "diff", "connect", "mem");

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
        List<Section> sections = List.of(
                new Section("pipe", f -> PipeBaseline.run(f, !rttChosen, rttWait),
                        rttChosen ? new String[] {"pipe.msgs ops/s"} : new String[] {"pipe.rtt.p50 us", "pipe.rtt.p99 us", "pipe.msgs ops/s"}),
                new Section("rtt", f -> Replication.roundTrip(f, rttWait), "pipe.rtt.p50 us", "pipe.rtt.p99 us", "rtt.p50 us", "rtt.p99 us"),
                new Section("put", Replication::puts, "p2c.put ops/s", "c2p.put ops/s", "p2c.listAdd ops/s"),
                new Section("sync", Lifecycle::sync, "sync.map100k ms", "sync.map1m ms"),
                new Section("diff", Lifecycle::diff, "diff.put.bytes B"),
                new Section("connect", Lifecycle::connect, "connect.overhead ms"),
                new Section("mem", Memory::run, "mem.map1m.ratio x"));

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
                figures.add("ratio.rtt", rtt / pipe, "x");
                figures.add("ratio.rtt.blocking", rtt / blocking, "x");
            }
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
                + Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC; bars are medians of several runs";
        Path txt = results.resolve("results.txt");
        Path svg = results.resolve("chart.svg");
        figures.write(txt, header);
        Chart.write(svg, figures, subtitle);
        System.err.printf(Locale.ROOT, "[bench] took %.1f s; wrote %s and %s%n", seconds, txt, svg);
        boolean failed = figures.all().stream().anyMatch(f -> !f.measured());
        System.exit(failed ? 1 : 0);
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
