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

    static LongStream seeds() {
        long first = Long.getLong("ipos.convergence.seed", 1L) + 1_000_000L;
        return LongStream.range(first, first + Integer.getInteger("ipos.convergence.inProcessRounds", DEFAULT_ROUNDS));
    }

    @AfterAll
    static void report() {
        System.out.println("[convergence] in process (parent + " + CHILDREN + " children, " + ConvergenceProcessTest.ops()
                + " ops each per run): " + RUNS.get() + " runs, " + DIVERGENCES.get() + " divergences");
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
            for (int i = 0; i < all.size(); i++) {
                IPOS ipos = all.get(i);
                Random rnd = new Random(seed * 31 + i);
                writers.add(CompletableFuture.runAsync(
                        () -> new ConvergenceProcessTest.RandomWriter(ipos, rnd).run(ConvergenceProcessTest.ops())));
            }
            CompletableFuture.allOf(writers.toArray(new CompletableFuture<?>[0])).join();
            p.settle();
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
            assertEquals(List.of(), diverged, "seed " + seed);
            assertTrue(p.parentErrors.isEmpty(), p.parentErrors.toString());
            assertEquals(List.of(), p.childErrors);
        }
    }
}
