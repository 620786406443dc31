package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No lost updates, in one JVM ({@link InProcessPair}): {@code compute}, {@code computeIfPresent}
 * and {@code merge} in a child whose key another process changed first are run again on the value
 * that won. Most tests race one write each way with the valve on the parent's stream shut (as in
 * {@link RebaseTest}): the parent writes first, the child's write reaches the parent after it and
 * loses there, and only then does the child see the parent's write and its own ACK.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NoLostUpdatesInProcessTest {

    private static void await(String what, BooleanSupplier condition) {
        ChildMain.await(what, condition, Duration.ofSeconds(20));
    }

    /**
     * The parent's write first, then the child's (which the parent sequences after it). Once the
     * parent has read every op the child sent, it has decided them (a compute that lost there,
     * and the writes the parent skips after it, included). Then the child sees everything.
     */
    private static void race(InProcessPair p, Runnable parentWrite, Runnable childWrite) throws IOException {
        Valve valve = p.valves.get(0);
        valve.shut();
        parentWrite.run();
        childWrite.run();
        awaitParentRead(p, 0);
        valve.open();
        p.settle();
    }

    /** Waits until the parent has read and settled every op frame child {@code i} has sent so far. */
    static void awaitParentRead(InProcessPair p, int i) {
        long sent = p.child(i).writeCounts()[0];
        ChildLink link = p.parent.links()[i];
        await("the parent has read the child's " + sent + " ops", () -> link.opFrames >= sent);
    }

    private static InProcessPair pairWith(Map<String, Object> m) {
        InProcessPair p = new InProcessPair(1);
        p.parent.create("m", m);
        p.settle();
        return p;
    }

    @Test
    void mergeThatLostTheRaceRunsAgainOnTheValueThatWon() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", 0))) {
            SharedMap<String, Integer> parent = p.parent.get("m");
            SharedMap<String, Integer> child = p.child(0).get("m");
            race(p, () -> parent.merge("k", 1, Integer::sum), () -> assertEquals(10, child.merge("k", 10, Integer::sum),
                    "merge returns the value it computed here"));
            assertEquals(11, parent.get("k"));
            assertEquals(11, child.get("k"));
            assertEquals(List.of(), p.childErrors);
        }
    }

    @Test
    void computeThatLostTheRaceRunsAgainOnTheValueThatWon() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", "a"))) {
            SharedMap<String, String> parent = p.parent.get("m");
            SharedMap<String, String> child = p.child(0).get("m");
            race(p, () -> parent.put("k", "p"), () -> child.compute("k", (k, v) -> v + "c"));
            assertEquals("pc", parent.get("k"));
            assertEquals(parent, child);
        }
    }

    @Test
    void computeIfPresentThatLostToARemoveWritesNothing() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", 1, "other", 0))) {
            SharedMap<String, Integer> parent = p.parent.get("m");
            SharedMap<String, Integer> child = p.child(0).get("m");
            race(p, () -> parent.remove("k"), () -> assertEquals(2, child.computeIfPresent("k", (k, v) -> v + 1)));
            assertFalse(parent.containsKey("k"), "the key the function needed is gone: running it again writes nothing");
            assertEquals(Map.of("other", 0), child);
            assertEquals(parent, child);
        }
    }

    @Test
    void nullResultRemovesOnlyIfTheValueItReadStillHolds() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", 1))) {
            SharedMap<String, Integer> parent = p.parent.get("m");
            SharedMap<String, Integer> child = p.child(0).get("m");
            race(p, () -> parent.put("k", 5), () -> assertNull(child.compute("k", (k, v) -> v == 1 ? null : v * 10)));
            assertEquals(Map.of("k", 50), parent, "run again on 5, the function keeps the key");
            assertEquals(parent, child);
        }
    }

    @Test
    void functionThatThrowsWhenItRunsAgainIsReportedAndItsWriteDropped() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", 0, "n", 0))) {
            SharedMap<String, Integer> parent = p.parent.get("m");
            SharedMap<String, Integer> child = p.child(0).get("m");
            race(p, () -> parent.put("k", 7), () -> {
                child.compute("k", (k, v) -> {
                    if (v != 0) {
                        throw new IllegalStateException("only from zero");
                    }
                    return 1;
                });
                child.merge("n", 1, Integer::sum);
            });
            assertEquals(Map.of("k", 7, "n", 1), parent);
            assertEquals(parent, child);
            await("the child's error handler heard it", () -> !p.childErrors.isEmpty());
            assertEquals(1, p.childErrors.size(), p.childErrors.toString());
            String message = p.childErrors.get(0).getMessage();
            assertTrue(message.contains("on key k of map") && message.contains("lost its race at the parent")
                    && message.contains("IllegalStateException: only from zero") && message.contains("that write was dropped"),
                    message);
            assertTrue(p.child(0).isConnected(), "the link stays up");
            child.merge("n", 1, Integer::sum);
            p.settle();
            assertEquals(2, parent.get("n"));
        }
    }

    @Test
    void lostComputeOnAMapDetachedMeanwhileIsDroppedAndOthersStillRunAgain() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", 0, "nested", Map.of("x", 1)))) {
            SharedMap<String, Object> parent = p.parent.get("m");
            SharedMap<String, Object> child = p.child(0).get("m");
            SharedMap<String, Integer> nested = cast(child.get("nested"));
            race(p, () -> {
                parent.remove("nested");
                parent.merge("k", 1, (a, b) -> (Integer) a + (Integer) b);
            }, () -> {
                nested.merge("x", 1, Integer::sum);
                child.merge("k", 1, (a, b) -> (Integer) a + (Integer) b);
            });
            assertEquals(Map.of("k", 2), parent);
            assertEquals(parent, child);
            assertFalse(((Node) nested).attached());
            assertEquals(List.of(), p.childErrors);
        }
    }

    @Test
    void lostMergeRunsAgainBeforeTheWritersLaterPutToTheSameKey() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", 0))) {
            SharedMap<String, Integer> parent = p.parent.get("m");
            SharedMap<String, Integer> child = p.child(0).get("m");
            race(p, () -> parent.put("k", 100), () -> {
                child.merge("k", 1, Integer::sum);
                child.put("k", 5); // already sent when the merge is known to have lost
            });
            assertEquals(5, parent.get("k"), "the writer's put came after its merge: it wins (per-writer order)");
            assertEquals(parent, child);
            assertEquals(List.of(), p.childErrors);
        }
    }

    @Test
    void writesAfterALostMergeReachTheOthersAfterItsRerun() throws IOException {
        try (InProcessPair p = new InProcessPair(2)) {
            SharedMap<String, Integer> parent = p.parent.create("m", Map.of("k", 0));
            p.settle();
            SharedMap<String, Integer> child = p.child(0).get("m");
            SharedMap<String, Integer> sibling = p.child(1).get("m");
            List<String> atParent = new CopyOnWriteArrayList<>();
            List<String> atSibling = new CopyOnWriteArrayList<>();
            parent.onChange(c -> {
                if (!c.isLocal()) {
                    atParent.addAll(c.added().keySet());
                }
            });
            sibling.onChange(c -> atSibling.addAll(c.added().keySet()));
            race(p, () -> parent.put("k", 100), () -> {
                child.merge("k", 1, Integer::sum);
                child.put("after", 1);
                child.put("last", 2);
            });
            p.child(1).flush().join();
            assertEquals(Map.of("k", 101, "after", 1, "last", 2), parent);
            assertEquals(List.of("k", "after", "last"), atParent, "the parent applied the child's writes in its order");
            assertEquals(List.of("k", "k", "after", "last"), atSibling, "and relayed them in that order");
            assertEquals(parent, child);
            assertEquals(parent, sibling);
        }
    }

    /**
     * The CounterDemo's transfers: a unit whose merge lost at the parent, then a unit the writer made
     * after it had seen the foreign write (so it wins there). The second must not land first: each
     * records the writer's running total, and the accounts must match the last one.
     */
    @Test
    void unitAfterALostUnitLandsAfterItsRerun() throws IOException {
        try (InProcessPair p = pairWith(Map.of("a", 100, "b", 0, "moved", 0))) {
            SharedMap<String, Integer> parent = p.parent.get("m");
            SharedMap<String, Integer> child = p.child(0).get("m");
            IPOS writer = p.child(0);
            Valve down = p.valves.get(0);
            Valve up = p.upValves.get(0);
            up.shut();
            writer.atomic(() -> { // read a = 100: loses at the parent
                child.merge("a", -5, Integer::sum);
                child.merge("b", 5, Integer::sum);
                child.put("moved", 5);
            });
            parent.merge("a", 1, Integer::sum);
            await("the child has the parent's write", () -> Integer.valueOf(101).equals(child.get("a")));
            writer.atomic(() -> { // read a = 101: holds at the parent
                child.merge("a", -3, Integer::sum);
                child.merge("b", 3, Integer::sum);
                child.put("moved", 8);
            });
            down.shut(); // the child hears of its loss only after the parent has decided both units
            up.open();
            awaitParentRead(p, 0);
            down.open();
            p.settle();
            assertEquals(Map.of("a", 93, "b", 8, "moved", 8), parent, "both transfers, the last total recorded last");
            assertEquals(parent, child);
            assertEquals(List.of(), p.childErrors);
        }
    }

    @Test
    void manyLostMergesOnOneKeyTravelAsOneRerun() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", 0))) {
            SharedMap<String, Integer> parent = p.parent.get("m");
            SharedMap<String, Integer> child = p.child(0).get("m");
            int merges = 1_000;
            // the parent's write makes a value none of the child's merges expects (a smaller one could:
            // the child's second merge expects 1, the value the parent's "+1" leaves, and applies)
            race(p, () -> parent.merge("k", 1_000_000, Integer::sum), () -> {
                for (int i = 0; i < merges; i++) {
                    child.merge("k", 1, Integer::sum);
                }
            });
            assertEquals(1_000_000 + merges, parent.get("k"));
            assertEquals(parent, child);
            long[] counts = p.child(0).writeCounts();
            System.out.println("[no lost updates] in process: " + merges + " merges raced by one foreign write: " + counts[0]
                    + " ops sent (" + counts[3] + " merges inside the op before them), " + counts[1]
                    + " of them re-runs carrying " + counts[2] + " lost merges");
            assertEquals(merges, counts[2], "every merge after the foreign write lost");
            assertTrue(counts[1] <= 3, "the lost merges travel as one op (or a few, if their ACKs came in several batches): "
                    + counts[1]);
        }
    }

    @Test
    void containerValueWithBytesComparesByContent() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", Map.of("b", new byte[] {1, 2}, "n", 0)))) {
            SharedMap<String, Object> parent = p.parent.get("m");
            SharedMap<String, Object> child = p.child(0).get("m");
            java.util.function.BiFunction<Object, Object, Object> bump = (k, v) -> {
                Map<?, ?> old = (Map<?, ?>) v;
                return Map.of("b", old.get("b"), "n", (Integer) old.get("n") + 1);
            };
            race(p, () -> parent.compute("k", bump), () -> child.compute("k", bump));
            Map<?, ?> now = (Map<?, ?>) parent.get("k");
            assertEquals(2, now.get("n"));
            assertTrue(Arrays.equals(new byte[] {1, 2}, (byte[]) now.get("b")));
            assertEquals(ChildMain.dump(p.parent), ChildMain.dump(p.child(0)));
        }
    }

    /** A registered class without {@code equals}: a decoded copy is never equal to the original. */
    static final class Tally {
        final int n;

        Tally(int n) {
            this.n = n;
        }
    }

    @Test
    void registeredValueWithIdentityEqualsMatchesByItsEncoding() throws IOException {
        IPOS.registerClass(Tally.class, t -> t.n, x -> new Tally(((Number) x).intValue()));
        try (InProcessPair p = pairWith(Map.of("k", new Tally(0)))) {
            SharedMap<String, Tally> parent = p.parent.get("m");
            SharedMap<String, Tally> child = p.child(0).get("m");
            race(p, () -> parent.put("k", new Tally(10)), () -> child.compute("k", (k, v) -> new Tally(v.n + 1)));
            assertEquals(11, parent.get("k").n);
            assertEquals(11, child.get("k").n);
            long[] counts = p.child(0).writeCounts();
            assertEquals(1, counts[1], "one re-run, which applied: " + Arrays.toString(counts));
        }
    }

    @Test
    void atomicUnitWithALostMergeIsSkippedWholeAndSentAgain() throws IOException {
        try (InProcessPair p = pairWith(Map.of("a", 100, "b", 0))) {
            SharedMap<String, Integer> parent = p.parent.get("m");
            SharedMap<String, Integer> child = p.child(0).get("m");
            List<String> seen = new CopyOnWriteArrayList<>();
            parent.onChange(c -> seen.add(parent.get("a") + "+" + parent.get("b")));
            race(p, () -> parent.merge("a", 1, Integer::sum), () -> p.child(0).atomic(() -> {
                child.merge("a", -5, Integer::sum);
                child.merge("b", 5, Integer::sum);
            }));
            assertEquals(Map.of("a", 96, "b", 5), parent);
            assertEquals(parent, child);
            p.parent.flush().join();
            for (String s : seen) {
                String[] ab = s.split("\\+");
                int sum = Integer.parseInt(ab[0]) + Integer.parseInt(ab[1]);
                assertEquals(101, sum, "the parent never sees half the transfer: " + seen);
            }
        }
    }

    @Test
    void computeAndMergeRefuseAValueNestedPastTheLimitLikePut() {
        try (InProcessPair p = pairWith(Map.of("k", 0))) {
            Map<String, Object> deep = new HashMap<>();
            Map<String, Object> inner = deep;
            for (int i = 1; i < Replica.MAX_DEPTH; i++) { // 1,000 levels, under a field's map at depth 1
                Map<String, Object> next = new HashMap<>();
                inner.put("d", next);
                inner = next;
            }
            for (IPOS ipos : List.of(p.parent, p.child(0))) {
                SharedMap<String, Object> m = ipos.get("m");
                String tooDeep = "would nest containers 1001 levels deep";
                assertTrue(assertThrows(IllegalArgumentException.class, () -> m.put("k", deep)).getMessage().contains(tooDeep));
                assertTrue(assertThrows(IllegalArgumentException.class, () -> m.compute("k", (k, v) -> deep)).getMessage()
                        .contains(tooDeep));
                assertTrue(assertThrows(IllegalArgumentException.class, () -> m.merge("k", 1, (a, b) -> deep)).getMessage()
                        .contains(tooDeep));
                assertEquals(Map.of("k", 0), m, "nothing was stored");
            }
            p.settle();
            assertEquals(Map.of("k", 0), p.parent.get("m"));
        }
    }

    @Test
    void childFlushWaitsForTheRerunOfItsLostMerge() throws IOException {
        try (InProcessPair p = pairWith(Map.of("k", 0))) {
            SharedMap<String, Integer> parent = p.parent.get("m");
            SharedMap<String, Integer> child = p.child(0).get("m");
            Valve valve = p.valves.get(0);
            valve.shut();
            parent.merge("k", 1, Integer::sum);
            child.merge("k", 1, Integer::sum);
            CompletableFuture<Void> flushed = p.child(0).flush();
            ChildMain.sleep(100);
            valve.open();
            flushed.join();
            assertEquals(2, parent.get("k"), "flush() completed: the re-run is applied at the parent");
        }
    }

    @Test
    void threeChildrenAndTheParentMergingIntoOneKeyEndWithEveryIncrement() {
        int children = 3;
        int m = 2_000;
        try (InProcessPair p = new InProcessPair(children)) {
            p.parent.create("c", new HashMap<String, Integer>());
            p.settle();
            List<IPOS> all = new ArrayList<>(p.children);
            all.add(p.parent);
            long t0 = System.nanoTime();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            AtomicInteger computes = new AtomicInteger();
            for (int w = 0; w < all.size(); w++) {
                IPOS ipos = all.get(w);
                boolean useCompute = w % 2 == 1;
                writers.add(CompletableFuture.runAsync(() -> {
                    SharedMap<String, Integer> c = ipos.get("c");
                    for (int i = 0; i < m; i++) {
                        if (useCompute) {
                            c.compute("n", (k, v) -> v == null ? 1 : v + 1);
                            computes.incrementAndGet();
                        } else {
                            c.merge("n", 1, Integer::sum);
                        }
                    }
                }));
            }
            CompletableFuture.allOf(writers.toArray(new CompletableFuture<?>[0])).join();
            p.settle();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long[] sum = new long[4];
            for (IPOS c : p.children) {
                long[] counts = c.writeCounts();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += counts[i];
                }
            }
            System.out.println("[no lost updates] in process: parent + " + children + " children x " + m
                    + " increments (merge and compute) on one key in " + ms + " ms; children sent " + sum[0] + " ops for "
                    + children * m + " increments (" + sum[3] + " inside the op before them; " + sum[1]
                    + " re-runs carrying " + sum[2] + " lost increments, counted each time they ran again)");
            int expected = all.size() * m;
            assertEquals(expected, p.parent.<Map<String, Integer>>get("c").get("n"));
            for (IPOS c : p.children) {
                assertEquals(expected, c.<Map<String, Integer>>get("c").get("n"));
            }
            assertTrue(computes.get() > 0);
            assertEquals(List.of(), p.childErrors);
            assertTrue(p.parentErrors.isEmpty(), p.parentErrors.toString());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}
