package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.childProcess;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that ends normally delivers every write it made before it ended: a child whose
 * {@code main} returns, that calls {@code System.exit}, or that calls {@code close()} and returns,
 * right after writing; a parent that does the same with children linked. Every run makes many small
 * writes and MiB-sized ones (in either order, so the last write is sometimes big, sometimes small)
 * while a daemon thread of the same process keeps appending to a list; every receiver must hold all
 * the writes, and the list up to at least the last append that returned before the end. Counts are
 * printed per way of ending; nothing may be lost.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExitDrainProcessTest {
    /** How a process ends right after its last write. */
    enum End { RETURN, EXIT, CLOSE }

    static final int SMALL = 2_000;
    static final int MIB = 1 << 20;
    private static final Duration LONG = Duration.ofSeconds(120);

    // ---------------------------------------------------------------- what every run writes

    /**
     * Writes {@code small} small values and {@code blobs} 1 MiB arrays into {@code m} (blobs last
     * when {@code bigLast}), while a daemon thread appends 0, 1, 2... to {@code noise}. Just before
     * the last write, records in {@code m} the last append that had returned by then.
     */
    static void writeRun(SharedMap<String, Object> m, SharedList<Integer> noise, int small, int blobs, boolean bigLast) {
        AtomicInteger before = new AtomicInteger(-1);
        boolean[] ending = new boolean[1];
        Thread noiser = new Thread(() -> {
            for (int i = 0; ; i++) {
                noise.add(i);
                synchronized (ending) {
                    if (!ending[0]) {
                        before.set(i);
                    }
                }
                if (i % 32 == 31) {
                    ChildMain.sleep(1);
                }
            }
        }, "noise");
        noiser.setDaemon(true);
        noiser.start();
        List<Runnable> writes = new ArrayList<>();
        List<Runnable> smalls = new ArrayList<>();
        List<Runnable> bigs = new ArrayList<>();
        for (int i = 0; i < small; i++) {
            int k = i;
            smalls.add(() -> m.put("s" + k, k));
        }
        for (int i = 0; i < blobs; i++) {
            int k = i;
            bigs.add(() -> m.put("b" + k, blob(k)));
        }
        writes.addAll(bigLast ? smalls : bigs);
        writes.addAll(bigLast ? bigs : smalls);
        for (int i = 0; i < writes.size() - 1; i++) {
            writes.get(i).run();
        }
        synchronized (ending) {
            ending[0] = true;
        }
        m.put("noiseBefore", before.get());
        writes.get(writes.size() - 1).run();
    }

    static byte[] blob(int k) {
        byte[] b = new byte[MIB];
        for (int j = 0; j < b.length; j++) {
            b[j] = (byte) (j * 31 + k);
        }
        return b;
    }

    static void end(IPOS ipos, End end) {
        switch (end) {
            case RETURN -> { }
            case EXIT -> System.exit(0);
            case CLOSE -> ipos.close();
        }
    }

    /** What a process holds of one run. */
    record Tally(int held, int expected, int noiseHeld, int noiseBefore, String broken) {
        int lost() {
            return expected - held + Math.max(0, noiseBefore + 1 - noiseHeld);
        }

        static Tally parse(String s) {
            String[] f = s.split(" ", 5);
            return new Tally(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f.length > 4 ? f[4] : "");
        }

        @Override
        public String toString() {
            return held + " " + expected + " " + noiseHeld + " " + noiseBefore + (broken.isEmpty() ? "" : " " + broken);
        }
    }

    static Tally tally(SharedMap<String, Object> m, SharedList<Integer> noise, int small, int blobs) {
        int held = 0;
        for (int i = 0; i < small; i++) {
            if (Integer.valueOf(i).equals(m.get("s" + i))) {
                held++;
            }
        }
        for (int i = 0; i < blobs; i++) {
            if (m.get("b" + i) instanceof byte[] b && java.util.Arrays.equals(b, blob(i))) {
                held++;
            }
        }
        Object before = m.get("noiseBefore");
        held += before != null ? 1 : 0;
        List<Integer> n = List.copyOf(noise);
        String broken = "";
        for (int j = 0; j < n.size(); j++) {
            if (n.get(j) != j) {
                broken = "noise[" + j + "]=" + n.get(j);
                break;
            }
        }
        return new Tally(held, small + blobs + 1, n.size(), before != null ? (Integer) before : -1, broken);
    }

    /** Sums runs per way of ending, and prints them. */
    static final class Counts {
        private final String what;
        private final Map<End, int[]> byEnd = new EnumMap<>(End.class); // runs, writes, lost, noise writes
        private final List<String> failures = new ArrayList<>();

        Counts(String what) {
            this.what = what;
        }

        void add(End end, String run, Tally t) {
            int[] c = byEnd.computeIfAbsent(end, e -> new int[4]);
            c[0]++;
            c[1] += t.expected;
            c[2] += t.lost();
            c[3] += t.noiseBefore + 1;
            if (t.lost() > 0 || !t.broken.isEmpty()) {
                failures.add(run + ": held " + t.held + " of " + t.expected + " writes, noise " + t.noiseHeld
                        + " of at least " + (t.noiseBefore + 1) + (t.broken.isEmpty() ? "" : ", " + t.broken));
            }
        }

        int runs() {
            int n = 0;
            for (int[] c : byEnd.values()) {
                n += c[0];
            }
            return n;
        }

        void printAndCheck() {
            StringBuilder sb = new StringBuilder("[exit-drain] " + what + ":");
            int lost = 0;
            for (Map.Entry<End, int[]> e : byEnd.entrySet()) {
                int[] c = e.getValue();
                sb.append("\n    ").append(e.getKey()).append(": ").append(c[0]).append(" runs, ").append(c[1])
                        .append(" writes + ").append(c[3]).append(" noise appends before the end, lost ").append(c[2]);
                lost += c[2];
            }
            sb.append("\n    total: ").append(runs()).append(" runs, lost ").append(lost);
            System.out.println(sb);
            assertEquals(List.of(), failures, what);
        }
    }

    // ---------------------------------------------------------------- a child ends

    @Test
    void aChildThatEndsRightAfterWritingDeliversEveryWriteToTheParentAndToASibling(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        Counts counts = new Counts("children ending (test JVM is the parent; one sibling observes)");
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            kids.spawn(ipos, ExitDrainProcessTest.class, "observer", dir.toString());
            List<int[]> shapes = new ArrayList<>(); // small writes, 1 MiB writes
            for (int i = 0; i < 54; i++) {
                shapes.add(new int[] {SMALL, 2});
            }
            for (int i = 0; i < 3; i++) {
                shapes.add(new int[] {SMALL, 10}); // past the 8 MiB soft limit: the writer waits for the parent at the end
            }
            int batchSize = 3;
            for (int batch = 0; batch * batchSize < shapes.size(); batch++) {
                List<Process> started = new ArrayList<>();
                List<String> names = new ArrayList<>();
                List<CompletableFuture<Void>> ready = new ArrayList<>();
                for (int r = batch * batchSize; r < Math.min(shapes.size(), (batch + 1) * batchSize); r++) {
                    String name = "r" + r;
                    End end = End.values()[r % 3];
                    boolean bigLast = (r / 3) % 2 == 0;
                    int[] shape = shapes.get(r);
                    ipos.create("m-" + name, Map.of());
                    ipos.create("n-" + name, List.of());
                    ProcessBuilder b = childProcess(ExitDrainProcessTest.class, "writerChild", name, end.name(),
                            Integer.toString(shape[0]), Integer.toString(shape[1]), Boolean.toString(bigLast));
                    b.redirectOutput(Redirect.PIPE).redirectError(Redirect.INHERIT);
                    Process p = kids.start(b);
                    ready.add(ipos.addProcess(p));
                    started.add(p);
                    names.add(name);
                }
                for (CompletableFuture<Void> f : ready) {
                    f.get(LONG.toSeconds(), TimeUnit.SECONDS);
                }
                StringBuilder inParent = new StringBuilder();
                for (int i = 0; i < started.size(); i++) {
                    Process p = started.get(i);
                    String name = names.get(i);
                    int r = Integer.parseInt(name.substring(1));
                    assertTrue(p.waitFor(LONG.toSeconds(), TimeUnit.SECONDS), name + " did not end");
                    assertEquals(0, p.exitValue(), name + "'s exit code");
                    await(name + " dropped", () -> !ipos.processes().contains(p), LONG);
                    Tally t = tally(ipos.get("m-" + name), ipos.get("n-" + name), shapes.get(r)[0], shapes.get(r)[1]);
                    counts.add(End.values()[r % 3], name + " (" + End.values()[r % 3] + ", in the parent)", t);
                    inParent.append(name).append(' ').append(t).append('\n');
                }
                // the sibling got the same, relayed by the parent
                ipos.flush().get(LONG.toSeconds(), TimeUnit.SECONDS);
                StringBuilder request = new StringBuilder();
                for (String name : names) {
                    int r = Integer.parseInt(name.substring(1));
                    request.append(name).append(' ').append(shapes.get(r)[0]).append(' ').append(shapes.get(r)[1]).append('\n');
                }
                signal(dir.resolve("ask-" + batch), request.toString());
                assertEquals(inParent.toString(), awaitFile(dir.resolve("observed-" + batch), LONG), "the sibling's view");
                for (String name : names) {
                    ipos.delete("m-" + name);
                    ipos.delete("n-" + name);
                }
            }
            signal(dir.resolve("ask-" + (shapes.size() + batchSize - 1) / batchSize), "done");
        }
        counts.printAndCheck();
        assertEquals(List.of(), errors, "every child ended cleanly (no truncated frame)");
    }

    static void writerChild(String[] args) {
        String name = args[0];
        End end = End.valueOf(args[1]);
        IPOS ipos = IPOS.connect().onError(ExitDrainProcessTest::unlessParentLeft);
        writeRun(ipos.get("m-" + name), ipos.get("n-" + name), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Boolean.parseBoolean(args[4]));
        end(ipos, end);
    }

    /** A child's error handler that keeps quiet about the parent leaving, which these tests expect. */
    static void unlessParentLeft(IposException e) {
        if (!e.getMessage().startsWith("lost the parent: end of stream")) {
            System.err.println("[ipos] " + e.getMessage());
        }
    }

    static void observer(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect().onError(ExitDrainProcessTest::unlessParentLeft);
        for (int batch = 0; ; batch++) {
            String ask = awaitFile(dir.resolve("ask-" + batch), LONG);
            if (ask.equals("done")) {
                break;
            }
            StringBuilder sb = new StringBuilder();
            for (String line : ask.split("\n")) {
                String[] f = line.split(" ");
                Tally t = tally(ipos.get("m-" + f[0]), ipos.get("n-" + f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
                sb.append(f[0]).append(' ').append(t).append('\n');
            }
            signal(dir.resolve("observed-" + batch), sb.toString());
        }
        ipos.close();
    }

    // ---------------------------------------------------------------- a parent ends

    @Test
    void aParentThatEndsRightAfterWritingDeliversEveryWriteToEveryChild(@TempDir Path dir) throws Exception {
        Counts counts = new Counts("parents ending (each a JVM of its own, one run = one child of it)");
        List<String[]> runs = new ArrayList<>(); // end, small, blobs, bigLast, children
        for (int r = 0; r < 15; r++) {
            runs.add(new String[] {End.values()[r % 3].name(), Integer.toString(SMALL), "2",
                Boolean.toString((r / 3) % 2 == 0), "3"});
        }
        for (int r = 0; r < 3; r++) {
            runs.add(new String[] {End.values()[r].name(), Integer.toString(SMALL), "10", "true", "2"});
        }
        try (ChildMain.Kids kids = new ChildMain.Kids()) {
            int parallel = 2;
            for (int first = 0; first < runs.size(); first += parallel) {
                List<Process> parents = new ArrayList<>();
                for (int r = first; r < Math.min(runs.size(), first + parallel); r++) {
                    List<String> args = new ArrayList<>(List.of(dir.toString(), "p" + r));
                    args.addAll(List.of(runs.get(r)));
                    ProcessBuilder b = childProcess(ExitDrainProcessTest.class, "parentProcess", args.toArray(new String[0]));
                    b.redirectOutput(Redirect.DISCARD).redirectError(Redirect.INHERIT);
                    parents.add(kids.start(b));
                }
                for (int i = 0; i < parents.size(); i++) {
                    int r = first + i;
                    Process p = parents.get(i);
                    for (String pid : awaitFile(dir.resolve("pids-p" + r), LONG).split(" ")) {
                        kids.track(Long.parseLong(pid));
                    }
                    assertTrue(p.waitFor(LONG.toSeconds(), TimeUnit.SECONDS), "parent p" + r + " did not end");
                    assertEquals(0, p.exitValue(), "parent p" + r + "'s exit code");
                    String[] run = runs.get(r);
                    for (int c = 0; c < Integer.parseInt(run[4]); c++) {
                        String report = awaitFile(dir.resolve("tally-p" + r + "-" + c), LONG);
                        String[] lines = report.split("\n", 2);
                        counts.add(End.valueOf(run[0]), "p" + r + " (" + run[0] + ") child " + c, Tally.parse(lines[0]));
                        assertEquals("", lines.length > 1 ? lines[1] : "", "p" + r + " child " + c + ": unexpected errors");
                    }
                }
            }
        }
        counts.printAndCheck();
        assertTrue(counts.runs() >= 50);
    }

    static void parentProcess(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String run = args[1];
        End end = End.valueOf(args[2]);
        int small = Integer.parseInt(args[3]);
        int blobs = Integer.parseInt(args[4]);
        boolean bigLast = Boolean.parseBoolean(args[5]);
        int children = Integer.parseInt(args[6]);
        IPOS ipos = IPOS.start();
        SharedMap<String, Object> m = ipos.create("m", Map.of());
        SharedList<Integer> noise = ipos.create("noise", List.of());
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        StringBuilder pids = new StringBuilder();
        for (int c = 0; c < children; c++) {
            ProcessBuilder b = childProcess(ExitDrainProcessTest.class, "receiver", dir.toString(), run + "-" + c,
                    Integer.toString(small), Integer.toString(blobs));
            b.redirectOutput(Redirect.PIPE).redirectError(Redirect.INHERIT);
            Process p = b.start();
            ready.add(ipos.addProcess(p));
            pids.append(c == 0 ? "" : " ").append(p.pid());
        }
        signal(dir.resolve("pids-" + run), pids.toString());
        for (CompletableFuture<Void> f : ready) {
            f.get(LONG.toSeconds(), TimeUnit.SECONDS);
        }
        writeRun(m, noise, small, blobs, bigLast);
        end(ipos, end);
    }

    /** Waits for its parent to leave, then reports what it holds (and any error but the parent leaving). */
    static void receiver(String[] args) {
        Path dir = Path.of(args[0]);
        List<IposException> errors = new CopyOnWriteArrayList<>();
        IPOS ipos = IPOS.connect(LONG).onError(errors::add); // its parent starts several JVMs at once: allow a loaded machine
        await("the parent leaving", () -> !ipos.isConnected(), LONG);
        Tally t = tally(ipos.get("m"), ipos.get("noise"), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        StringBuilder unexpected = new StringBuilder();
        for (IposException e : errors) {
            if (!e.getMessage().startsWith("lost the parent: end of stream")) {
                unexpected.append(e.getMessage()).append('\n');
            }
        }
        signal(dir.resolve("tally-" + args[1]), t + "\n" + unexpected);
    }

    // ---------------------------------------------------------------- a child that stopped reading

    /**
     * A parent whose child stopped reading (it holds its replica's lock, so its reader can't apply
     * anything) still ends, and its close() returns, once the drain bound passes
     * ({@code -Dipos.exitDrainMillis=1000} here), and says which child it gave up on (close() to the
     * error handler, the exit hook on stderr); its healthy child still gets everything.
     */
    @Test
    void aParentWithAChildThatStoppedReadingStillEndsAfterTheDrainBoundAndFeedsTheOthers(@TempDir Path dir)
            throws Exception {
        try (ChildMain.Kids kids = new ChildMain.Kids()) {
            for (End end : List.of(End.CLOSE, End.RETURN)) {
                String run = "stuck-" + end;
                ProcessBuilder b = childProcess(ExitDrainProcessTest.class, "parentWithAStuckChild", dir.toString(), run,
                        end.name());
                b.command().add(1, "-Dipos.exitDrainMillis=1000");
                Path stderr = dir.resolve("stderr-" + run);
                b.redirectOutput(Redirect.DISCARD).redirectError(stderr.toFile());
                Process p = kids.start(b);
                String[] pids = awaitFile(dir.resolve("pids-" + run), LONG).split(" ");
                for (String pid : pids) {
                    kids.track(Long.parseLong(pid));
                }
                long started = System.nanoTime();
                String[] report = awaitFile(dir.resolve("ending-" + run), LONG).split(" ", 3);
                assertTrue(p.waitFor(LONG.toSeconds(), TimeUnit.SECONDS), run + ": the parent did not end");
                long endedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertEquals(0, p.exitValue());
                Tally t = Tally.parse(awaitFile(dir.resolve("tally-" + run + "-0"), LONG).split("\n")[0]);
                System.out.println("[exit-drain] " + run + ": " + report[1] + " MiB queued for the stuck child; "
                        + (end == End.CLOSE ? "close() took " + report[0] + " ms, " : "") + "the parent ended "
                        + endedMillis + " ms after it reported; the healthy child lost " + t.lost());
                assertEquals(0, t.lost(), run + ": the healthy child's writes");
                String gaveUp = "gave up after 1000 ms (-Dipos.exitDrainMillis) on sending what was queued for child pid "
                        + pids[1] + " (";
                if (end == End.CLOSE) {
                    assertTrue(Long.parseLong(report[0]) < 30_000, "close() took " + report[0] + " ms with a 1 s drain bound");
                    assertTrue(report[2].startsWith("close() " + gaveUp), "the error handler heard: " + report[2]);
                } else {
                    String err = Files.readString(stderr);
                    assertTrue(err.contains("[ipos] exiting: " + gaveUp), "the parent's stderr: " + err);
                }
            }
        }
    }

    static void parentWithAStuckChild(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String run = args[1];
        End end = End.valueOf(args[2]);
        List<IposException> errors = new CopyOnWriteArrayList<>();
        IPOS ipos = IPOS.start().onError(errors::add);
        SharedMap<String, Object> m = ipos.create("m", Map.of());
        SharedList<Integer> noise = ipos.create("noise", List.of());
        Process healthy = ipos.spawn(childProcess(ExitDrainProcessTest.class, "receiver", dir.toString(), run + "-0",
                Integer.toString(SMALL), "2"));
        Process stuck = ipos.spawn(childProcess(ExitDrainProcessTest.class, "stopsReading", dir.toString(), run));
        signal(dir.resolve("pids-" + run), healthy.pid() + " " + stuck.pid());
        awaitFile(dir.resolve("stuck-" + run), LONG);
        writeRun(m, noise, SMALL, 2, true);
        long queued = 0;
        for (Outbox o : Outbox.running()) {
            queued = Math.max(queued, o.pendingBytes());
        }
        long t0 = System.nanoTime();
        if (end == End.CLOSE) {
            ipos.close();
        }
        signal(dir.resolve("ending-" + run), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " "
                + String.format(java.util.Locale.ROOT, "%.1f", queued / 1048576.0) + " "
                + errors.stream().map(Throwable::getMessage).collect(java.util.stream.Collectors.joining(" | ")));
    }

    /** Holds its replica's lock for good: its reader can't apply what arrives, so it stops reading. */
    static void stopsReading(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect().onError(ExitDrainProcessTest::unlessParentLeft);
        SharedMap<String, Object> m = ipos.get("m");
        m.compute("stuck", (k, v) -> {
            signal(dir.resolve("stuck-" + args[1]), "");
            ChildMain.sleep(300_000);
            return v;
        });
    }
}
