package io.ipos;

import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No lost updates across real processes: three child JVMs (and in one test the parent too) add 1
 * to one key M times each, all at once, with {@code merge(k, 1, Integer::sum)} or {@code compute};
 * once all have flushed, every process holds N*M. Each test prints N, M, the time from "go" until
 * every process holds the total, and how many ops the children sent for their increments (most
 * increments travel inside the op before them, and each re-run carries many lost ones). M:
 * {@code -Dipos.noLostUpdates.m} (default {@value #DEFAULT_M}).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NoLostUpdatesProcessTest {
    static final int CHILDREN = 3;
    static final int DEFAULT_M = 3_000;

    static int m() {
        return Integer.getInteger("ipos.noLostUpdates.m", DEFAULT_M);
    }

    @Test
    void threeChildrenMergingIntoOneKeyEndWithEveryIncrementEverywhere() throws IOException {
        run("merge", false);
    }

    @Test
    void threeChildrenComputingOneKeyEndWithEveryIncrementEverywhere() throws IOException {
        run("compute", false);
    }

    @Test
    void theParentMergingWithThreeChildrenEndsWithEveryIncrementEverywhere() throws IOException {
        run("merge", true);
    }

    private static void run(String how, boolean parentToo) throws IOException {
        int m = m();
        Path dir = Files.createTempDirectory("ipos-no-lost-updates");
        List<IposException> errors = new CopyOnWriteArrayList<>();
        IPOS ipos = IPOS.start().onError(errors::add);
        try (ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("c", new HashMap<String, Integer>());
            for (int i = 0; i < CHILDREN; i++) {
                kids.spawn(ipos, NoLostUpdatesProcessTest.class, "incrementer", dir.toString(), Integer.toString(i), how,
                        Integer.toString(m));
            }
            long t0 = System.nanoTime();
            ipos.create("go", true);
            if (parentToo) {
                increment(ipos.get("c"), how, m);
            }
            long[] sum = new long[4];
            for (int i = 0; i < CHILDREN; i++) {
                String[] counts = awaitFile(dir.resolve("done-" + i)).split(" ");
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += Long.parseLong(counts[j]);
                }
            }
            // each child's increments are applied here (it flushed); after this flush, in every child too
            ipos.flush().join();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            signal(dir.resolve("check"), "");
            int expected = (CHILDREN + (parentToo ? 1 : 0)) * m;
            List<Object> values = new ArrayList<>();
            values.add(ipos.<Map<String, Integer>>get("c").get("n"));
            for (int i = 0; i < CHILDREN; i++) {
                values.add(Integer.parseInt(awaitFile(dir.resolve("value-" + i))));
            }
            System.out.println("[no lost updates] real processes, " + how + ": N=" + CHILDREN + (parentToo ? " children + the parent" : " children")
                    + ", M=" + m + ": " + ms + " ms from go until every process held " + expected + "; the children sent "
                    + sum[0] + " ops for " + CHILDREN * m + " increments (" + sum[3] + " increments inside the op before them; "
                    + sum[1] + " re-runs carrying " + sum[2] + " lost increments, counted each time they ran again); values "
                    + "(parent, children): " + values);
            for (Object v : values) {
                assertEquals(expected, v, "every process holds every increment: " + values);
            }
            assertTrue(errors.isEmpty(), errors.toString());
        } finally {
            ipos.close();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void increment(SharedMap<String, Integer> c, String how, int m) {
        for (int i = 0; i < m; i++) {
            if (how.equals("merge")) {
                c.merge("n", 1, Integer::sum);
            } else {
                c.compute("n", (k, v) -> v == null ? 1 : v + 1);
            }
        }
    }

    /** A child: waits for field {@code go}, increments, flushes, reports its write counts, then (when told) its value. */
    static void incrementer(String[] args) {
        Path dir = Path.of(args[0]);
        String index = args[1];
        IPOS ipos = IPOS.connect();
        ChildMain.await("go", () -> Boolean.TRUE.equals(ipos.get("go")));
        increment(ipos.get("c"), args[2], Integer.parseInt(args[3]));
        ipos.flush().join();
        long[] counts = ipos.writeCounts();
        signal(dir.resolve("done-" + index), counts[0] + " " + counts[1] + " " + counts[2] + " " + counts[3]);
        awaitFile(dir.resolve("check"));
        signal(dir.resolve("value-" + index), String.valueOf(ipos.<Map<String, Integer>>get("c").get("n")));
        ipos.close();
    }
}
