package io.ipos.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipos.IPOS;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two terminals of the README, as real processes: {@link WorkQueueDemo} started with
 * {@code --wait-for-dashboard}, and a {@link Dashboard} started with the address the demo printed.
 */
class DashboardTest {
    private static final Pattern ADDRESS = Pattern.compile("-Ddemo\\.args='([^']+)'");
    private static final Pattern PROGRESS = Pattern.compile("(\\d+)/12 done");

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void dashboardJoinedByAddressSeesEveryWorkerAndEveryJobDone() throws Exception {
        Process demo = null;
        Process dashboard = null;
        try {
            demo = IPOS.javaProcess(WorkQueueDemo.class, "12", "3", "--wait-for-dashboard")
                    .redirectOutput(Redirect.PIPE).start();
            Output demoOut = collect(demo);
            String address = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (address == null && System.nanoTime() < deadline && demo.isAlive()) {
                for (String line : demoOut.lines()) {
                    Matcher m = ADDRESS.matcher(line);
                    if (m.find()) {
                        address = m.group(1);
                    }
                }
                Thread.sleep(20);
            }
            assertNotNull(address, () -> "the demo printed no dashboard address:\n" + String.join("\n", demoOut.lines()));
            assertTrue(address.startsWith("unix:"), address);

            dashboard = IPOS.javaProcess(Dashboard.class, address).redirectOutput(Redirect.PIPE).start();
            Output dashboardOut = collect(dashboard);
            assertTrue(dashboard.waitFor(150, TimeUnit.SECONDS), "the dashboard did not end");
            assertTrue(demo.waitFor(30, TimeUnit.SECONDS), "the demo did not end");
            String seen = dashboardOut.all();
            String shown = demoOut.all();
            assertEquals(0, dashboard.exitValue(), seen);
            assertEquals(0, demo.exitValue(), shown);

            // joined before the workers started, so it saw each of them come and go...
            for (int w = 1; w <= 3; w++) {
                assertTrue(seen.contains("worker-" + w + " joined"), seen);
                assertTrue(seen.contains("worker-" + w + " left"), seen);
            }
            assertTrue(seen.contains("parent left"), seen);
            // ...and, from its listener, every count of jobs done on the way, not just the last
            Set<Integer> counts = dashboardOut.lines().stream().map(PROGRESS::matcher).filter(Matcher::find)
                    .map(m -> Integer.parseInt(m.group(1))).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(IntStream.rangeClosed(0, 12).boxed().collect(Collectors.toCollection(TreeSet::new)), counts, seen);
            assertTrue(seen.contains("12 of 12 jobs done when the demo ended"), seen);

            assertTrue(shown.contains("dashboard joined"), shown);
            assertTrue(shown.contains("every job has exactly one result"), shown);
            // worker-1 shelled out with inheritIO() over its socket link: the grandchild's stdout is the demo's
            assertTrue(shown.contains("worker-1: java --version exited with 0"), shown);
            assertTrue(shown.contains("Runtime Environment"), shown);
        } finally {
            for (Process p : new Process[] {dashboard, demo}) {
                if (p != null && p.isAlive()) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** What a process printed on stdout, collected as it comes by {@code reader}. */
    private record Output(List<String> lines, Thread reader) {
        /** All of it, once the process has closed its stdout (at most 10 s after it ended). */
        String all() throws InterruptedException {
            reader.join(10_000);
            return String.join("\n", lines);
        }
    }

    private static Output collect(Process p) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
        }, "stdout of pid " + p.pid());
        t.setDaemon(true);
        t.start();
        return new Output(lines, t);
    }
}
