package io.ipos.examples;

import static io.ipos.examples.StartupChild.micros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipos.IPOS;
import io.ipos.SharedMap;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How long a child JVM takes from launch to its first op, in each wire format: the parent starts
 * {@link StartupChild} (plain {@code java -cp}, no JVM flags) and times, as medians of
 * {@code -Dipos.startup.runs} runs (default {@value #DEFAULT_RUNS}, after one warm-up each):
 * launch to {@code main}, {@code main} to {@code connect()} returning (the state held), and
 * {@code connect()} to the child's first op applied at the parent; against a baseline child that
 * only enters {@code main}. The numbers are printed; the test checks only that they are sane.
 */
class StartupTimeTest {
    static final int DEFAULT_RUNS = 3;
    static final List<String> FORMATS = List.of("msgpack", "json", "chronicle");

    record Times(long launchToMain, long mainToConnected, long connectedToFirstOp, long launchToFirstOp) {
    }

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void childReachesItsFirstOpInEveryFormatWithinSeconds() throws Exception {
        int runs = Integer.getInteger("ipos.startup.runs", DEFAULT_RUNS);
        List<Long> baseline = new ArrayList<>();
        Map<String, List<Times>> byFormat = new LinkedHashMap<>();
        for (int r = -1; r < runs; r++) { // run -1 warms the disk cache and is not counted
            long b = baseline();
            for (String format : FORMATS) {
                Times t = firstOp(format);
                if (r >= 0) {
                    byFormat.computeIfAbsent(format, f -> new ArrayList<>()).add(t);
                }
            }
            if (r >= 0) {
                baseline.add(b);
            }
        }
        long base = median(baseline);
        StringBuilder table = new StringBuilder(String.format("[startup] medians of %d runs, ms: a bare JVM reaches main in %.1f%n",
                runs, base / 1000.0));
        table.append(String.format("[startup] %-10s %14s %16s %20s %16s %14s%n", "format", "launch->main", "main->connect",
                "connect->first op", "launch->first op", "over bare JVM"));
        byFormat.forEach((format, ts) -> {
            long total = median(ts.stream().map(Times::launchToFirstOp).toList());
            table.append(String.format("[startup] %-10s %14.1f %16.1f %20.1f %16.1f %14.1f%n", format,
                    median(ts.stream().map(Times::launchToMain).toList()) / 1000.0,
                    median(ts.stream().map(Times::mainToConnected).toList()) / 1000.0,
                    median(ts.stream().map(Times::connectedToFirstOp).toList()) / 1000.0,
                    total / 1000.0, (total - base) / 1000.0));
            assertTrue(total < 20_000_000, format + ": a child reaches its first op within 20 s");
        });
        System.out.print(table);
    }

    /** Microseconds from launching a bare child to its main. */
    static long baseline() throws IOException, InterruptedException {
        long t0 = micros();
        Process p = IPOS.javaProcess(StartupChild.class, "baseline").redirectOutput(Redirect.PIPE).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return Long.parseLong(out) - t0;
    }

    /** One child under {@code format}: its timestamps and the parent's. */
    @SuppressWarnings("unchecked")
    static Times firstOp(String format) throws Exception {
        try (IPOS ipos = IPOS.options().format(format).start()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of("payload", List.of(1, "two", 3.0)));
            long t0 = micros();
            Process p = IPOS.javaProcess(StartupChild.class).redirectOutput(Redirect.PIPE).start();
            try {
                ipos.addProcess(p).get(30, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!m.containsKey("first")) {
                    assertTrue(System.nanoTime() < deadline, "the child's first op within 30 s");
                    Thread.onSpinWait();
                }
                long firstOpAt = micros();
                while (!m.containsKey("times")) {
                    assertTrue(System.nanoTime() < deadline, "the child's times within 30 s");
                    Thread.sleep(1);
                }
                List<Long> child = (List<Long>) m.get("times");
                assertTrue(p.waitFor(20, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
                return new Times(child.get(0) - t0, child.get(1) - child.get(0), firstOpAt - child.get(1), firstOpAt - t0);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    static long median(List<Long> xs) {
        List<Long> sorted = new ArrayList<>(xs);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
