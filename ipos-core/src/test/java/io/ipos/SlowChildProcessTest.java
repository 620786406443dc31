package io.ipos;

import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child stopped with SIGSTOP (as a debugger, a long GC or swap would stop it) slows nobody else
 * (issue 8, items 5 and 6): the parent and a healthy sibling keep writing at their rates, the
 * stopped child stops being fed, and when it runs again it is brought back with a snapshot; one
 * that stays stopped past the stall timeout is dropped, so {@code flush()} always ends.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowChildProcessTest {
    static final long PHASE_MS = 3_000;

    @Test
    void aStoppedChildSlowsNeitherTheParentNorASiblingAndIsResyncedWhenItRunsAgain(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().stallTimeout(Duration.ofSeconds(60)).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> p = ipos.create("p", Map.of());
            SharedMap<String, Object> h = ipos.create("h", Map.of());
            // what reaches the parent from the healthy child, noted as "millis count" whenever it grew
            AtomicLong arrived = new AtomicLong();
            h.onChange(c -> arrived.addAndGet(c.added().size()));
            StringBuilder arrivals = new StringBuilder();
            Thread sampler = new Thread(() -> {
                long last = -1;
                while (!Thread.currentThread().isInterrupted()) {
                    long n = arrived.get();
                    if (n != last) {
                        arrivals.append(System.currentTimeMillis()).append(' ').append(n).append('\n');
                        last = n;
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                arrivals.append(System.currentTimeMillis()).append(' ').append(arrived.get()).append('\n');
            }, "arrivals");
            sampler.setDaemon(true);
            sampler.start();
            Process sleeper = kids.spawn(ipos, SlowChildProcessTest.class, "sleeper", dir.toString());
            kids.spawn(ipos, SlowChildProcessTest.class, "healthyWriter", dir.toString());
            awaitFile(dir.resolve("healthy.started"));

            long t0 = System.currentTimeMillis();
            long before = writeFor(p, PHASE_MS);
            long t1 = System.currentTimeMillis();
            signalProcess(sleeper, "STOP");
            long during = writeFor(p, PHASE_MS);
            long t2 = System.currentTimeMillis();
            ChildLink stopped = linkOf(ipos, sleeper);
            boolean wasLagging = stopped.lagging;
            long queued = stopped.outbox.pendingBytes();
            sampler.interrupt();
            sampler.join();
            signalProcess(sleeper, "CONT");
            signal(dir.resolve("healthy.stop"), "");
            String healthy = awaitFile(dir.resolve("healthy.rates"));

            ipos.flush().get(60, TimeUnit.SECONDS);
            ipos.create("done", true);
            ipos.flush().get(60, TimeUnit.SECONDS);
            String sleeperDump = awaitFile(dir.resolve("sleeper.dump"));

            double parentRatio = (double) during / before;
            double healthyRatio = healthyRatio(healthy, t0, t1, t2);
            double arrivalRatio = healthyRatio(arrivals.toString(), t0, t1, t2);
            long longestPause = longestPause(arrivals.toString(), t1, t2);
            long longestPauseBefore = longestPause(arrivals.toString(), t0, t1);
            System.out.printf("[slow child] parent writes/s: %,d before, %,d while a sibling was stopped (%.0f%%); "
                    + "healthy child writes/s: %.0f%% of before; stopped child lagging=%s with %,d bytes queued; "
                    + "re-synced %d time(s); the healthy child's writes reaching the parent: %.0f%% of before, longest pause "
                    + "without one while the sibling was stopped: %d ms (before: %d ms)%n",
                    before * 1000 / PHASE_MS, during * 1000 / PHASE_MS, parentRatio * 100,
                    healthyRatio * 100, wasLagging, queued, stopped.resyncs, arrivalRatio * 100, longestPause, longestPauseBefore);
            assertTrue(wasLagging, "the stopped child stopped being fed");
            assertTrue(queued < 3 * Hub.SOFT_LIMIT, "memory for it stays bounded (the soft limit, a chunk in flight, a reader's batch of relays): " + queued);
            assertTrue(stopped.resyncs >= 1, "it was brought back with a snapshot");
            // Rates are printed, not asserted tightly: on a 2-core machine the parent and the healthy child
            // share the cores, and when the stopped child's share frees up, whichever writer gets it
            // speeds up (runs measured 33% to 600% for the healthy child). What a stopped child must
            // never cause is a stall: with the old blocking pipe both writers froze for the whole phase.
            assertTrue(parentRatio > 0.2, "the parent kept writing: " + parentRatio);
            assertTrue(healthyRatio > 0.1, "the healthy child kept writing: " + healthyRatio);
            assertTrue(arrivalRatio > 0.1, "the healthy child's writes kept reaching the parent: " + arrivalRatio);
            // A loaded 2-core machine pauses the healthy child's writes for up to a second or so with
            // nobody stopped (its reader re-basing thousands of pending writes under the parent's
            // flood, GC, the scheduler): the stopped child may not make it worse than that by more
            // than a quarter phase, and a stall lasts the whole phase.
            long allowed = Math.max(PHASE_MS / 2, longestPauseBefore + PHASE_MS / 4);
            assertTrue(longestPause < allowed, "the healthy child's writes never stopped reaching the parent while "
                    + "its sibling was stopped: " + longestPause + " ms without one (before it was stopped: "
                    + longestPauseBefore + " ms; allowed " + allowed + " ms)");
            assertEquals(dump(ipos), sleeperDump, "the stopped child caught up with everything");
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void aChildStoppedPastTheStallTimeoutIsDroppedAndFlushEnds(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().stallTimeout(Duration.ofSeconds(2)).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> p = ipos.create("p", Map.of());
            Process quiet = kids.spawn(ipos, SlowChildProcessTest.class, "sleeper", dir.toString());
            Process busy = kids.spawn(ipos, SlowChildProcessTest.class, "sleeper", dir.toString());
            Process healthy = kids.spawn(ipos, SlowChildProcessTest.class, "sleeper", dir.toString());
            signalProcess(quiet, "STOP");
            p.put("one small write", 1); // little traffic: it fits in the pipe, only the flush notices

            long start = System.nanoTime();
            CompletableFuture<Void> flush = ipos.flush();
            flush.get(30, TimeUnit.SECONDS);
            long flushMs = (System.nanoTime() - start) / 1_000_000;

            signalProcess(busy, "STOP");
            start = System.nanoTime();
            // heavy traffic: over the soft limit, no longer fed, then dropped at the stall timeout
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (ipos.processes().size() > 1 && System.nanoTime() < deadline) {
                writeFor(p, 50);
            }
            long dropMs = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("[slow child] flush() with a stopped child ended in %d ms; a stopped child under heavy "
                    + "traffic was dropped after %d ms (stall timeout 2,000 ms)%n", flushMs, dropMs);

            assertEquals(List.of(healthy), ipos.processes());
            List<String> messages = new ArrayList<>();
            errors.forEach(e -> messages.add(e.getMessage()));
            assertTrue(messages.stream().anyMatch(m -> m.contains("child pid " + quiet.pid()) && m.contains("stopped reading")),
                    messages.toString());
            assertTrue(messages.stream().anyMatch(m -> m.contains("child pid " + busy.pid()) && m.contains("stopped reading")),
                    messages.toString());
            ipos.flush().get(30, TimeUnit.SECONDS);
            signalProcess(quiet, "CONT");
            signalProcess(busy, "CONT");
        }
    }

    /** Puts into {@code p} for {@code millis}; returns how many puts. */
    private static long writeFor(SharedMap<String, Object> p, long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long n = 0;
        String pad = "x".repeat(48);
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                p.put("k" + (n % 1_000), pad + n);
                n++;
            }
        }
        return n;
    }

    private static void signalProcess(Process p, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal);
    }

    private static ChildLink linkOf(IPOS ipos, Process p) {
        for (ChildLink l : ipos.links()) {
            if (l.process == p) {
                return l;
            }
        }
        throw new AssertionError("no link to pid " + p.pid());
    }

    /** The healthy child's writes/s between t1 and t2 over those between t0 and t1 (from its "millis count" lines). */
    private static double healthyRatio(String rates, long t0, long t1, long t2) {
        long[] at = {-1, -1, -1};
        long[] times = {t0, t1, t2};
        for (String line : rates.split("\n")) {
            String[] f = line.split(" ");
            long millis = Long.parseLong(f[0]);
            long count = Long.parseLong(f[1]);
            for (int i = 0; i < 3; i++) {
                if (at[i] < 0 && millis >= times[i]) {
                    at[i] = count;
                }
            }
        }
        return (double) (at[2] - at[1]) / (t2 - t1) / ((double) (at[1] - at[0]) / (t1 - t0));
    }

    /** The longest time between two "millis count" notes (each a sign of progress) between t1 and t2. */
    private static long longestPause(String rates, long t1, long t2) {
        long longest = 0;
        long previous = -1;
        for (String line : rates.split("\n")) {
            long millis = Long.parseLong(line.split(" ")[0]);
            if (millis < t1) {
                continue;
            }
            long at = Math.min(millis, t2);
            longest = Math.max(longest, at - (previous < 0 ? t1 : previous));
            previous = at;
            if (millis >= t2) {
                break;
            }
        }
        return previous < 0 ? t2 - t1 : longest;
    }

    // ---------------------------------------------------------------- children

    static void sleeper(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        ChildMain.await("done", () -> ipos.get("done") != null, Duration.ofSeconds(90));
        ipos.flush().get(20, TimeUnit.SECONDS);
        signal(dir.resolve("sleeper.dump"), dump(ipos));
        ipos.close();
    }

    /** Writes as fast as it can until told to stop, noting "millis count" every 20 ms. */
    static void healthyWriter(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Object> h = ipos.get("h");
        StringBuilder rates = new StringBuilder();
        signal(dir.resolve("healthy.started"), "");
        long n = 0;
        long nextNote = 0;
        String pad = "y".repeat(48);
        while (ChildMain.read(dir.resolve("healthy.stop")) == null) {
            for (int i = 0; i < 200; i++) {
                h.put("k" + (n % 1_000), pad + n);
                n++;
            }
            long now = System.currentTimeMillis();
            if (now >= nextNote) {
                rates.append(now).append(' ').append(n).append('\n');
                nextNote = now + 20;
            }
        }
        rates.append(System.currentTimeMillis()).append(' ').append(n).append('\n');
        ipos.flush().get(60, TimeUnit.SECONDS);
        signal(dir.resolve("healthy.rates"), rates.toString());
        ChildMain.await("done", () -> ipos.get("done") != null, Duration.ofSeconds(90));
        ipos.close();
    }
}
