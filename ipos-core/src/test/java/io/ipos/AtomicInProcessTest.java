package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link IPOS#atomic}: a unit is applied whole in every process, its changes reach listeners one
 * after another, a block that throws leaves nothing anywhere, and nested blocks join the outer one.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AtomicInProcessTest {
    static final int TOTAL = 2_000;

    @Test
    void transfersFromEveryProcessKeepTheSumEverywhereAndTheirChangesStayTogether() {
        try (InProcessPair p = new InProcessPair(2)) {
            p.parent.create("accounts", Map.of("a", TOTAL / 2, "b", TOTAL / 2));
            p.settle();
            List<IPOS> all = new ArrayList<>(List.of(p.parent, p.child(0), p.child(1)));
            List<String> problems = new CopyOnWriteArrayList<>();
            List<List<String>> sequences = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<CompletableFuture<Void>> readers = new ArrayList<>();
            for (IPOS ipos : all) {
                SharedMap<String, Integer> accounts = ipos.get("accounts");
                List<String> seq = new CopyOnWriteArrayList<>();
                sequences.add(seq);
                accounts.onChange(c -> {
                    seq.add(c.origin().id() + ":" + String.join("", c.added().keySet()));
                    checkSum(accounts, "a listener", problems);
                });
                readers.add(CompletableFuture.runAsync(() -> {
                    while (!stop.get()) {
                        checkSum(accounts, "a reader", problems);
                    }
                }));
            }
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int w = 0; w < all.size(); w++) {
                IPOS ipos = all.get(w);
                int direction = w % 2 == 0 ? 1 : -1;
                writers.add(CompletableFuture.runAsync(() -> {
                    SharedMap<String, Integer> accounts = ipos.get("accounts");
                    for (int i = 0; i < 300; i++) {
                        int amount = 1 + i % 7;
                        ipos.atomic(() -> {
                            accounts.put("a", accounts.get("a") - direction * amount);
                            checkSum(accounts, "inside atomic, halfway", null); // own writes are seen: may be off here
                            accounts.put("b", accounts.get("b") + direction * amount);
                            checkSum(accounts, "inside atomic", problems);
                        });
                    }
                }));
            }
            CompletableFuture.allOf(writers.toArray(new CompletableFuture<?>[0])).join();
            p.settle();
            for (IPOS ipos : all) {
                ipos.flush().join();
            }
            stop.set(true);
            CompletableFuture.allOf(readers.toArray(new CompletableFuture<?>[0])).join();

            int units = 0;
            for (int i = 0; i < all.size(); i++) {
                List<String> seq = sequences.get(i);
                for (int j = 0; j < seq.size(); j += 2) {
                    String first = seq.get(j);
                    String second = j + 1 < seq.size() ? seq.get(j + 1) : "(none)";
                    // a unit's two changes come together: a then b, or b then a when a re-base undoes it
                    String origin = first.substring(0, first.indexOf(':'));
                    boolean pair = (first.endsWith(":a") && second.equals(origin + ":b"))
                            || (first.endsWith(":b") && second.equals(origin + ":a"));
                    if (!pair) {
                        problems.add("process " + i + ": change " + j + " " + first + " is not followed by its unit's b: " + second);
                        break;
                    }
                    units++;
                }
            }
            System.out.println("[atomic] " + all.size() + " processes x 300 transfers; " + units
                    + " units seen whole by listeners (changes consecutive); problems: " + problems.size());
            assertEquals(List.of(), problems.subList(0, Math.min(5, problems.size())));
            assertTrue(units >= 3 * 900, "every process saw every unit (and some re-base steps): " + units);
            for (IPOS ipos : all) {
                assertEquals(ChildMain.canon(p.parent.get("accounts")), ChildMain.canon(ipos.get("accounts")));
            }
            assertEquals(List.of(), p.parentErrors);
            assertEquals(List.of(), p.childErrors);
        }
    }

    private static void checkSum(SharedMap<String, Integer> accounts, String who, List<String> problems) {
        if (problems == null) {
            return;
        }
        Replica r = ((Node) accounts).replica();
        r.acquire();
        try {
            int sum = accounts.get("a") + accounts.get("b");
            if (sum != TOTAL) {
                problems.add(who + " saw a + b = " + sum);
            }
        } finally {
            r.release();
        }
    }

    @Test
    void aBlockThatThrowsLeavesNothingAnywhereAndNoListenerHearsOfIt() {
        try (InProcessPair p = new InProcessPair(1)) {
            p.parent.create("m", Map.of("x", 1));
            p.settle();
            IPOS child = p.child(0);
            SharedMap<String, Object> m = child.get("m");
            AtomicInteger childEvents = new AtomicInteger();
            AtomicInteger parentEvents = new AtomicInteger();
            child.onChange(c -> childEvents.incrementAndGet());
            p.parent.onChange(c -> parentEvents.incrementAndGet());

            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> child.atomic(() -> {
                m.put("x", 2);
                m.put("y", new HashMap<>(Map.of("deep", 1)));
                child.create("field", List.of(1));
                assertEquals(2, m.get("x"), "the block reads its own writes");
                throw new IllegalStateException("changed my mind");
            }));
            assertEquals("changed my mind", thrown.getMessage());
            assertEquals(Map.of("x", 1), m, "the local view is restored");
            assertFalse(child.keys().contains("field"));
            m.put("after", 3);
            p.settle();
            child.flush().join();
            assertEquals(Map.of("x", 1, "after", 3), p.parent.get("m"));
            assertEquals(1, childEvents.get(), "the child's listener heard only the write after the block");
            assertEquals(1, parentEvents.get(), "the parent's listener too");
        }
    }

    @Test
    void nestedBlocksJoinTheOuterUnitAndAFailingInnerBlockUndoesOnlyItself() {
        try (InProcessPair p = new InProcessPair(2)) {
            p.parent.create("m", Map.of());
            p.settle();
            IPOS child = p.child(0);
            SharedMap<String, Object> m = child.get("m");
            List<Change> seen = new CopyOnWriteArrayList<>();
            SharedMap<String, Object> sibling = p.child(1).get("m");
            sibling.onChange(seen::add);

            CompletableFuture<Void> done = child.atomic(() -> {
                m.put("outer", 1);
                m.put("box", new HashMap<>());
                @SuppressWarnings("unchecked")
                Map<String, Object> box = (Map<String, Object>) m.get("box");
                box.put("inside", "a container the unit made, written by the unit");
                child.atomic(() -> m.put("inner", 2));
                try {
                    child.atomic(() -> {
                        m.put("failed", 3);
                        throw new IllegalArgumentException("inner fails");
                    });
                } catch (IllegalArgumentException expected) {
                    // the outer block goes on
                }
                m.put("last", 4);
            });
            done.join();
            p.settle();
            p.child(1).flush().join();
            assertEquals(ChildMain.canon(Map.of("outer", 1, "box", Map.of("inside", "a container the unit made, written by the unit"),
                    "inner", 2, "last", 4)), ChildMain.canon(sibling));
            assertEquals(ChildMain.canon(m), ChildMain.canon(p.parent.get("m")));
            assertTrue(seen.stream().noneMatch(c -> ((MapChange<?, ?>) c).added().containsKey("failed")), seen.toString());
            assertEquals(4, seen.size(), "outer, box, inner, last on the sibling's map: " + seen);
            assertEquals(List.of(), p.parentErrors);
            assertEquals(List.of(), p.childErrors);
        }
    }
}
