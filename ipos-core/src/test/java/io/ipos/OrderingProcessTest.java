package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.read;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Order and coordination across real processes: a child's write reaches its siblings, each
 * writer's writes apply everywhere in the order it made them, and {@code flush()} means what it
 * says from either side.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OrderingProcessTest {
    /** The parent's wire format: null for {@code IPOS.start()}'s default; the per-format subclasses name one. */
    String format() {
        return null;
    }

    static final int WRITES = 3_000;

    static final List<String> WRITERS = List.of("p", "a", "b");

    @Test
    void eachWritersWritesReachEveryProcessInProgramOrder(@TempDir Path dir) throws IOException, InterruptedException {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = ChildMain.startParent(format()).onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("last", Map.of());
            ipos.create("all", List.of());
            for (String w : WRITERS) {
                ipos.create("log-" + w, List.of());
            }
            kids.spawn(ipos, OrderingProcessTest.class, "orderedWriter", dir.toString(), "a");
            kids.spawn(ipos, OrderingProcessTest.class, "orderedWriter", dir.toString(), "b");
            signal(dir.resolve("go"), "");

            // the parent writes too, and checks every snapshot it takes while the children write
            OrderCheck check = new OrderCheck(ipos);
            Thread observer = new Thread(() -> {
                while (read(dir.resolve("done-a")) == null || read(dir.resolve("done-b")) == null) {
                    check.snapshot();
                }
            });
            observer.start();
            for (int i = 0; i < WRITES; i++) {
                write(ipos, "p", i);
            }
            observer.join();
            ipos.flush().join();
            check.snapshot();
            assertEquals(List.of(), check.violations);
            for (String w : WRITERS) {
                assertEquals(WRITES, ((List<?>) ipos.get("log-" + w)).size(), "writes of " + w + " at the parent");
                assertEquals(WRITES, count(ipos.get("all"), w), "appends of " + w + " to the shared list at the parent");
            }
            assertEquals("[]", awaitFile(dir.resolve("violations-a")));
            assertEquals("[]", awaitFile(dir.resolve("violations-b")));
            signal(dir.resolve("dump"), "");
            String parentDump = dump(ipos);
            assertEquals(parentDump, awaitFile(dir.resolve("dump-a")));
            assertEquals(parentDump, awaitFile(dir.resolve("dump-b")));
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    /** The i-th write of writer {@code w}: its progress counter, its own log, the log all writers append to. */
    static void write(IPOS ipos, String w, int i) {
        SharedMap<String, Integer> last = ipos.get("last");
        last.put(w, i);
        SharedList<Integer> own = ipos.get("log-" + w);
        own.add(i);
        SharedList<String> all = ipos.get("all");
        all.add(w + ":" + i);
    }

    static int count(List<String> log, String w) {
        int n = 0;
        for (String e : log.toArray(new String[0])) {
            if (e.startsWith(w + ":")) {
                n++;
            }
        }
        return n;
    }

    /**
     * Checks snapshots of one process's view: each writer's log is 0, 1, 2... with no gap or
     * swap; its progress counter, written before each entry and read after the log, is not behind
     * the log; and the counter never goes back from one snapshot to the next.
     */
    static final class OrderCheck {
        final IPOS ipos;
        final List<String> violations = new ArrayList<>();
        final Map<String, Integer> lastSeen = new HashMap<>();
        int snapshots;

        OrderCheck(IPOS ipos) {
            this.ipos = ipos;
        }

        void snapshot() {
            snapshots++;
            for (String w : WRITERS) {
                Object[] log = ((List<?>) ipos.get("log-" + w)).toArray();
                for (int i = 0; i < log.length; i++) {
                    if (!Integer.valueOf(i).equals(log[i])) {
                        violations.add("writer " + w + ": entry " + log[i] + " at position " + i);
                        break;
                    }
                }
                SharedMap<String, Integer> last = ipos.get("last");
                int progress = last.getOrDefault(w, -1);
                if (progress < log.length - 1) {
                    violations.add("writer " + w + ": its log has " + log.length + " entries but its counter, written "
                            + "before each, says " + progress);
                }
                if (progress < lastSeen.getOrDefault(w, -1)) {
                    violations.add("writer " + w + ": counter went back from " + lastSeen.get(w) + " to " + progress);
                }
                lastSeen.put(w, progress);
            }
            if (violations.size() > 10) {
                violations.subList(10, violations.size()).clear();
            }
        }
    }

    static void orderedWriter(String[] args) {
        Path dir = Path.of(args[0]);
        String me = args[1];
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("go"));
        OrderCheck check = new OrderCheck(ipos);
        for (int i = 0; i < WRITES; i++) {
            write(ipos, me, i);
            if (i % 20 == 0) {
                check.snapshot();
            }
        }
        ipos.flush().join();
        signal(dir.resolve("done-" + me), "");
        // every other writer's writes arrive here, complete and in order
        for (String w : WRITERS) {
            await("all of " + w + "'s writes", () -> {
                check.snapshot();
                return ((List<?>) ipos.get("log-" + w)).size() == WRITES;
            });
        }
        signal(dir.resolve("violations-" + me), check.violations.toString());
        awaitFile(dir.resolve("dump"));
        signal(dir.resolve("dump-" + me), dump(ipos));
        ipos.close();
    }

    // ---------------------------------------------------------------- flush

    static final int FLUSHES = 300;

    @Test
    void flushFromEitherSideMeansTheOtherSideHasApplied(@TempDir Path dir) throws IOException {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = ChildMain.startParent(format()).onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Integer> counters = ipos.create("counters", Map.of("parent", 0, "child", 0));
            kids.spawn(ipos, OrderingProcessTest.class, "flushChild", dir.toString());
            Path childFlushed = dir.resolve("child-flushed");
            Path parentFlushed = dir.resolve("parent-flushed");
            List<String> violations = new ArrayList<>();
            for (int i = 1; i <= FLUSHES; i++) {
                counters.put("parent", i);
                ipos.flush().join();
                // every child has applied i: from here on, the child must never read less
                signal(parentFlushed, Integer.toString(i));
                // the child flushed c: the parent must have applied it already
                String c = read(childFlushed);
                int seen = counters.get("child");
                if (c != null && seen < Integer.parseInt(c)) {
                    violations.add("child flushed " + c + " but the parent held " + seen);
                }
            }
            signal(dir.resolve("parent-done"), "");
            String childReport = awaitFile(dir.resolve("child-report"));
            String c = read(childFlushed);
            int seen = counters.get("child");
            if (seen < Integer.parseInt(c)) {
                violations.add("child flushed " + c + " but the parent held " + seen);
            }
            assertEquals(List.of(), violations);
            assertEquals("none", childReport);
            assertEquals(FLUSHES, counters.get("child"));
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    static void flushChild(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Integer> counters = ipos.get("counters");
        Path childFlushed = dir.resolve("child-flushed");
        Path parentFlushed = dir.resolve("parent-flushed");
        List<String> violations = new ArrayList<>();
        int i = 0;
        while (i < FLUSHES || read(dir.resolve("parent-done")) == null) {
            if (i < FLUSHES) {
                i++;
                counters.put("child", i);
                ipos.flush().join();
                signal(childFlushed, Integer.toString(i));
            }
            String p = read(parentFlushed);
            int seen = counters.get("parent");
            if (p != null && seen < Integer.parseInt(p)) {
                violations.add("the parent flushed " + p + " but this child held " + seen);
            }
        }
        signal(dir.resolve("child-report"), violations.isEmpty() ? "none" : violations.toString());
        ipos.close();
    }
}
