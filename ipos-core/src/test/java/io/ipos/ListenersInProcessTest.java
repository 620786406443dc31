package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a listener sees: one change per write (a bulk call as one change where its shape allows),
 * its origin and path, the errors it throws, the writes it makes, and nothing after its
 * subscription is closed.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ListenersInProcessTest {

    @Test
    void aBulkCallIsOneChangeWhereItsShapeAllows() {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Integer> m = p.parent.create("m", Map.of("a", 1));
            SharedList<Integer> l = p.parent.create("l", List.of(5, 1, 4, 2, 3, 6));
            SharedSet<String> s = p.parent.create("s", Set.of("x"));
            p.settle();
            IPOS child = p.child(0);
            List<Object> seen = new CopyOnWriteArrayList<>();
            ((SharedMap<String, Integer>) child.get("m")).onChange(seen::add);
            ((SharedList<Integer>) child.get("l")).onChange(seen::add);
            ((SharedSet<String>) child.get("s")).onChange(seen::add);

            m.putAll(Map.of("b", 2, "c", 3, "a", 10));
            l.sort(Comparator.naturalOrder());
            l.removeIf(x -> x == 2 || x == 3 || x == 6); // [1,2,3,4,5,6]: two ranges, one change each
            s.addAll(List.of("y", "z"));
            m.clear();
            p.settle();
            child.flush().join();

            assertEquals(6, seen.size(), seen.toString());
            MapChange<?, ?> putAll = (MapChange<?, ?>) seen.get(0);
            assertEquals(Map.of("a", 1), putAll.removed());
            assertEquals(Map.of("a", 10, "b", 2, "c", 3), putAll.added());
            ListChange<?> sort = (ListChange<?>) seen.get(1);
            assertEquals(0, sort.index());
            assertEquals(List.of(5, 1, 4, 2, 3, 6), sort.removed());
            assertEquals(List.of(1, 2, 3, 4, 5, 6), sort.added());
            ListChange<?> firstRange = (ListChange<?>) seen.get(2);
            ListChange<?> secondRange = (ListChange<?>) seen.get(3);
            // ranges go last first, so each index holds when it is applied
            assertEquals(List.of(5, List.of(6)), List.of(firstRange.index(), firstRange.removed()));
            assertEquals(List.of(1, List.of(2, 3)), List.of(secondRange.index(), secondRange.removed()));
            assertEquals(Set.of("y", "z"), ((SetChange<?>) seen.get(4)).added());
            assertEquals(Map.of("a", 10, "b", 2, "c", 3), ((MapChange<?, ?>) seen.get(5)).removed());
        }
    }

    @Test
    void aChangeNamesItsOriginAndWhereTheContainerSits() {
        try (InProcessPair p = new InProcessPair(2)) {
            p.parent.create("root", Map.of("inner", new ArrayList<>(List.of(new HashMap<>(Map.of("k", 1))))));
            p.settle();
            IPOS child = p.child(0);
            List<Change> seen = new CopyOnWriteArrayList<>();
            child.onChange(seen::add);
            @SuppressWarnings("unchecked")
            SharedMap<String, Object> parentDeep = (SharedMap<String, Object>)
                    ((List<?>) ((Map<?, ?>) p.parent.get("root")).get("inner")).get(0);
            @SuppressWarnings("unchecked")
            SharedMap<String, Object> siblingDeep = (SharedMap<String, Object>)
                    ((List<?>) ((Map<?, ?>) p.child(1).get("root")).get("inner")).get(0);
            @SuppressWarnings("unchecked")
            SharedMap<String, Object> ownDeep = (SharedMap<String, Object>)
                    ((List<?>) ((Map<?, ?>) child.get("root")).get("inner")).get(0);

            parentDeep.put("fromParent", 1);
            p.settle();
            siblingDeep.put("fromSibling", 2);
            p.settle();
            ownDeep.put("fromHere", 3);
            child.create("field", 4);
            p.settle();
            child.flush().join();

            assertEquals(4, seen.size(), seen.toString());
            assertEquals(List.of("parent", 0, false), List.of(seen.get(0).origin().name(), seen.get(0).origin().id(), seen.get(0).isLocal()));
            assertEquals(List.of("child-2", 2, false), List.of(seen.get(1).origin().name(), seen.get(1).origin().id(), seen.get(1).isLocal()));
            assertEquals(List.of("child-1", 1, true), List.of(seen.get(2).origin().name(), seen.get(2).origin().id(), seen.get(2).isLocal()));
            assertEquals(List.of("root", "inner", 0), seen.get(0).path());
            assertSame(ownDeep, ((MapChange<?, ?>) seen.get(2)).map());
            FieldChange field = (FieldChange) seen.get(3);
            assertEquals(List.of(), field.path());
            assertEquals(Map.of("field", 4), field.added());
        }
    }

    @Test
    void aListenerThatThrowsIsReportedAndStaysSubscribed() {
        try (InProcessPair p = new InProcessPair(0)) {
            List<IposException> errors = new CopyOnWriteArrayList<>();
            p.parent.onError(errors::add);
            SharedMap<String, Integer> m = p.parent.create("m", Map.of());
            AtomicInteger calls = new AtomicInteger();
            m.onChange(c -> {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            });
            m.put("a", 1);
            m.put("b", 2);
            p.parent.flush().join();
            assertEquals(2, calls.get());
            assertEquals(2, errors.size());
            assertTrue(errors.get(0).getCause() instanceof IllegalStateException, errors.toString());
        }
    }

    @Test
    void aListenerMayWriteAndItsWriteIsANewChange() {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Integer> m = p.parent.create("m", Map.of());
            p.settle();
            IPOS child = p.child(0);
            SharedMap<String, Integer> cm = child.get("m");
            List<String> seen = new CopyOnWriteArrayList<>();
            cm.onChange(c -> {
                seen.add(String.join(",", c.added().keySet()));
                if (c.added().containsKey("ping")) {
                    cm.put("pong", c.added().get("ping") + 1); // written from the event thread
                }
            });
            m.put("ping", 1);
            ChildMain.await("the pong", () -> m.containsKey("pong"));
            p.settle();
            child.flush().join();
            assertEquals(2, m.get("pong"));
            assertEquals(List.of("ping", "pong"), seen);
        }
    }

    @Test
    void noChangeIsDeliveredAfterCloseReturns() throws Exception {
        try (InProcessPair p = new InProcessPair(0)) {
            SharedMap<String, Integer> m = p.parent.create("m", Map.of());
            AtomicInteger calls = new AtomicInteger();
            AtomicBoolean closed = new AtomicBoolean();
            AtomicInteger late = new AtomicInteger();
            Subscription sub = m.onChange(c -> {
                if (closed.get()) {
                    late.incrementAndGet();
                }
                calls.incrementAndGet();
                ChildMain.sleep(1); // a slow listener, so close() often meets a call in progress
            });
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (int i = 0; !stop.get(); i++) {
                    m.put("k", i);
                }
            });
            ChildMain.await("some changes", () -> calls.get() > 20);
            sub.close();
            closed.set(true);
            sub.close(); // idempotent
            int atClose = calls.get();
            ChildMain.sleep(50);
            stop.set(true);
            writer.join();
            p.parent.flush().join();
            assertEquals(0, late.get(), "no call after close() returned");
            assertEquals(atClose, calls.get());
        }
    }

    @Test
    void aListenerMayCloseItsOwnSubscription() {
        try (InProcessPair p = new InProcessPair(0)) {
            SharedList<Integer> l = p.parent.create("l", List.of());
            AtomicInteger calls = new AtomicInteger();
            Subscription[] sub = new Subscription[1];
            sub[0] = l.onChange(c -> {
                calls.incrementAndGet();
                sub[0].close(); // must not wait for itself
            });
            l.add(1);
            l.add(2);
            p.parent.flush().join();
            assertEquals(1, calls.get());
        }
    }

    @Test
    void aDetachedContainersListenerHearsNothingMoreAndTheInstanceSeesTheFieldGo() {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Integer> m = p.parent.create("m", Map.of("a", 1));
            p.settle();
            IPOS child = p.child(0);
            SharedMap<String, Integer> cm = child.get("m");
            List<Object> onMap = new CopyOnWriteArrayList<>();
            List<Change> onInstance = new CopyOnWriteArrayList<>();
            cm.onChange(onMap::add);
            child.onChange(onInstance::add);
            m.put("b", 2);
            p.parent.delete("m");
            m.put("c", 3); // detached: changes nothing anywhere
            p.settle();
            child.flush().join();
            assertEquals(1, onMap.size(), onMap.toString());
            assertEquals(2, onInstance.size(), onInstance.toString());
            FieldChange gone = (FieldChange) onInstance.get(1);
            assertSame(cm, gone.removed().get("m"));
            assertFalse(cm.containsKey("c"));
            assertNotEquals(null, gone.origin());
        }
    }
}
