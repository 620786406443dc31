package io.ipos;

import static io.ipos.ChildMain.dump;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The randomized convergence test of {@link ConvergenceProcessTest} with the parent and three
 * children in one JVM ({@link InProcessPair}): the same protocol and threads over OS pipes, fast
 * enough for many more rounds. Rounds: {@code -Dipos.convergence.inProcessRounds} (default
 * {@value #DEFAULT_ROUNDS}); ops per writer: {@code -Dipos.convergence.ops}; first seed:
 * {@code -Dipos.convergence.seed}.
 */
class ConvergenceInProcessTest {
    static final int DEFAULT_ROUNDS = 100;
    static final int CHILDREN = 3;

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final AtomicInteger DIVERGENCES = new AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicLong EVENTS = new java.util.concurrent.atomic.AtomicLong();
    private static final AtomicInteger MIRROR_FAILURES = new AtomicInteger();
    private static final AtomicInteger ORDER_FAILURES = new AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicLong INCREMENTS = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong LOST_INCREMENTS = new java.util.concurrent.atomic.AtomicLong();

    static LongStream seeds() {
        long first = Long.getLong("ipos.convergence.seed", 1L) + 1_000_000L;
        return LongStream.range(first, first + Integer.getInteger("ipos.convergence.inProcessRounds", DEFAULT_ROUNDS));
    }

    @AfterAll
    static void report() {
        System.out.println("[convergence] in process (parent + " + CHILDREN + " children, " + ConvergenceProcessTest.ops()
                + " ops each per run): " + RUNS.get() + " runs, " + DIVERGENCES.get() + " divergences; mirror rule: "
                + EVENTS.get() + " changes checked in " + RUNS.get() * (CHILDREN + 1) + " processes, "
                + MIRROR_FAILURES.get() + " failures; iteration order: " + ORDER_FAILURES.get() + " processes differing; counter: "
                + INCREMENTS.get() + " increments (merge/compute/computeIfPresent), " + LOST_INCREMENTS.get() + " lost");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void parentAndThreeChildrenWritingAtRandomConverge(long seed) {
        try (InProcessPair p = new InProcessPair(CHILDREN)) {
            ConvergenceProcessTest.RandomWriter.resetFields(p.parent, new Random(seed));
            p.settle();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            List<IPOS> all = new ArrayList<>();
            all.add(p.parent);
            all.addAll(p.children);
            List<Mirrors> mirrors = new ArrayList<>();
            for (IPOS ipos : all) {
                mirrors.add(new Mirrors(ipos));
            }
            List<ConvergenceProcessTest.RandomWriter> randomWriters = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                ConvergenceProcessTest.RandomWriter w = new ConvergenceProcessTest.RandomWriter(all.get(i), new Random(seed * 31 + i));
                randomWriters.add(w);
                writers.add(CompletableFuture.runAsync(() -> w.run(ConvergenceProcessTest.ops())));
            }
            CompletableFuture.allOf(writers.toArray(new CompletableFuture<?>[0])).join();
            p.settle();
            int counted = randomWriters.stream().mapToInt(w -> w.counted).sum();
            int total = ConvergenceProcessTest.RandomWriter.counterValue(p.parent);
            INCREMENTS.addAndGet(counted);
            LOST_INCREMENTS.addAndGet(counted - total);
            String parentDump = dump(p.parent);
            List<String> diverged = new ArrayList<>();
            for (int i = 0; i < CHILDREN; i++) {
                String childDump = dump(p.child(i));
                if (!parentDump.equals(childDump)) {
                    diverged.add("child " + i);
                    System.err.println("[convergence] seed " + seed + ": child " + i + " diverged\n--- parent\n" + parentDump
                            + "--- child " + i + "\n" + childDump);
                }
            }
            RUNS.incrementAndGet();
            if (!diverged.isEmpty()) {
                DIVERGENCES.incrementAndGet();
            }
            List<String> mirrorProblems = new ArrayList<>();
            for (int i = 0; i < mirrors.size(); i++) {
                EVENTS.addAndGet(mirrors.get(i).events.get());
                List<String> m = mirrors.get(i).mismatches();
                if (!m.isEmpty()) {
                    MIRROR_FAILURES.incrementAndGet();
                    mirrorProblems.add("process " + i + ": " + m.subList(0, Math.min(5, m.size())));
                }
                mirrors.get(i).close();
            }
            String parentOrder = ConvergenceProcessTest.orderOf(p.parent);
            List<String> orderDiffers = new ArrayList<>();
            for (int i = 0; i < CHILDREN; i++) {
                String childOrder = ConvergenceProcessTest.orderOf(p.child(i));
                if (!parentOrder.equals(childOrder)) {
                    ORDER_FAILURES.incrementAndGet();
                    orderDiffers.add("child " + i + ":\n" + childOrder + "\nparent:\n" + parentOrder);
                }
            }
            assertEquals(List.of(), diverged, "seed " + seed);
            assertEquals(counted, total, "seed " + seed + ": every increment of the counter, from every process");
            assertEquals(List.of(), mirrorProblems, "seed " + seed);
            assertEquals(List.of(), orderDiffers, "seed " + seed);
            assertTrue(p.parentErrors.isEmpty(), p.parentErrors.toString());
            assertEquals(List.of(), p.childErrors);
        }
    }
}
