package io.ipos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the {@code java.util} contract (see {@link SharedCollectionsContractTest}) leaves open and
 * ipos promises: bulk calls are one op, nested collections are live shared containers, keys and set
 * elements are immutable copies, unshareable values are refused before anything is stored, writes
 * through a detached container do nothing, and iterators never throw on concurrent change.
 */
@Timeout(30)
class SharedCollectionsBehaviourTest {

    // ---------------------------------------------------------------- bulk calls are one op

    /** A bulk call on a fresh copy of {@code initial}. */
    record Bulk(String name, Object initial, Consumer<Object> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    @SuppressWarnings("unchecked")
    private static Bulk onMap(String name, Consumer<Map<String, Integer>> call) {
        return new Bulk("map." + name, Map.of("a", 1, "b", 2, "c", 3, "d", 4), m -> call.accept((Map<String, Integer>) m));
    }

    @SuppressWarnings("unchecked")
    private static Bulk onList(String name, Consumer<List<Integer>> call) {
        return new Bulk("list." + name, List.of(5, 3, 1, 4, 2, 6), l -> call.accept((List<Integer>) l));
    }

    @SuppressWarnings("unchecked")
    private static Bulk onSet(String name, Consumer<Set<Integer>> call) {
        return new Bulk("set." + name, Set.of(1, 2, 3, 4, 5), s -> call.accept((Set<Integer>) s));
    }

    static Stream<Bulk> bulkCalls() {
        return Stream.of(
                onMap("putAll", m -> m.putAll(Map.of("e", 5, "f", 6, "a", 7))),
                onMap("clear", Map::clear),
                onMap("replaceAll", m -> m.replaceAll((k, v) -> v * 10)),
                onMap("keySet.removeIf", m -> m.keySet().removeIf(k -> k.compareTo("c") < 0)),
                onMap("keySet.removeAll", m -> m.keySet().removeAll(List.of("a", "b", "x"))),
                onMap("keySet.retainAll", m -> m.keySet().retainAll(List.of("a", "b", "x"))),
                onMap("keySet.clear", m -> m.keySet().clear()),
                onMap("values.removeIf", m -> m.values().removeIf(v -> v % 2 == 0)),
                onMap("values.removeAll", m -> m.values().removeAll(List.of(1, 3))),
                onMap("values.retainAll", m -> m.values().retainAll(List.of(1, 3))),
                onMap("entrySet.removeIf", m -> m.entrySet().removeIf(e -> e.getValue() > 2)),
                onMap("entrySet.removeAll", m -> m.entrySet().removeAll(List.of(Map.entry("a", 1), Map.entry("b", 9)))),
                onMap("entrySet.retainAll", m -> m.entrySet().retainAll(List.of(Map.entry("a", 1), Map.entry("b", 9)))),
                onList("addAll", l -> l.addAll(List.of(7, 8, 9))),
                onList("addAllAtIndex", l -> l.addAll(2, List.of(7, 8, 9))),
                onList("removeIf", l -> l.removeIf(x -> x % 2 == 1)),
                onList("removeAll", l -> l.removeAll(List.of(5, 1, 2))),
                onList("retainAll", l -> l.retainAll(List.of(5, 1, 2))),
                onList("replaceAll", l -> l.replaceAll(x -> x * 10)),
                onList("sort", l -> l.sort(null)),
                onList("sortReversed", l -> l.sort(Comparator.reverseOrder())),
                onList("clear", List::clear),
                onList("subList.clear", l -> l.subList(1, 4).clear()),
                onList("subList.addAll", l -> l.subList(1, 4).addAll(List.of(7, 8))),
                onList("subList.removeIf", l -> l.subList(1, 5).removeIf(x -> x > 2)),
                onList("subList.removeAll", l -> l.subList(1, 5).removeAll(List.of(1, 4))),
                onList("subList.retainAll", l -> l.subList(1, 5).retainAll(List.of(1, 4))),
                onList("subList.replaceAll", l -> l.subList(1, 5).replaceAll(x -> -x)),
                onList("subList.sort", l -> l.subList(1, 5).sort(null)),
                onList("subList.subList.sort", l -> l.subList(1, 6).subList(1, 4).sort(Comparator.reverseOrder())),
                onSet("addAll", s -> s.addAll(List.of(4, 5, 6, 7))),
                onSet("removeIf", s -> s.removeIf(x -> x > 2)),
                onSet("removeAll", s -> s.removeAll(List.of(1, 2, 9))),
                onSet("retainAll", s -> s.retainAll(List.of(1, 2, 9))),
                onSet("clear", Set::clear));
    }

    /** Counts the ops {@code write} ships, through the seam the parent's Hub and a child's ParentLink plug into. */
    private static int opsShippedBy(Object shared, Runnable write) {
        Replica replica = ((Node) shared).replica();
        Replicator real = replica.replicator;
        AtomicInteger count = new AtomicInteger();
        replica.replicator = new Replicator() {
            @Override
            public Object encode(Op op) {
                return real.encode(op);
            }

            @Override
            public boolean recordsUndo() {
                return real.recordsUndo();
            }

            @Override
            public void ship(Op op, Node target, Object encoded, Op.Undo undo) {
                count.incrementAndGet();
                real.ship(op, target, encoded, undo);
            }

            @Override
            public void throttle(Replica r) {
                real.throttle(r);
            }
        };
        try {
            write.run();
        } finally {
            replica.replicator = real;
        }
        return count.get();
    }

    private static Object plainCopy(Object initial) {
        if (initial instanceof Map<?, ?> m) {
            return new HashMap<>(m);
        }
        if (initial instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        return new HashSet<>((Collection<?>) initial);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bulkCalls")
    void aBulkCallInAChildIsOneOpThatLandsWholeInTheParent(Bulk bulk) {
        try (InProcessPair p = new InProcessPair(1)) {
            p.parent.create("x", bulk.initial());
            p.settle();
            Object child = p.child(0).get("x");
            Object expected = plainCopy(bulk.initial());
            bulk.call().accept(expected);

            assertEquals(1, opsShippedBy(child, () -> bulk.call().accept(child)));
            assertEquals(expected, child, "the child reads its own write at once");
            p.settle();
            assertEquals(expected, p.parent.get("x"));
        }
    }

    @Test
    void aBulkCallThatChangesNothingShipsNoOp() {
        try (IPOS ipos = IPOS.start()) {
            SharedList<Integer> list = ipos.create("l", List.of(1, 2, 3));
            SharedSet<Integer> set = ipos.create("s", Set.of(1, 2));
            SharedMap<String, Integer> map = ipos.create("m", Map.of("a", 1));
            assertEquals(0, opsShippedBy(list, () -> list.removeIf(x -> x > 5)));
            assertEquals(0, opsShippedBy(list, () -> list.sort(null)));
            assertEquals(0, opsShippedBy(list, () -> list.addAll(List.of())));
            assertEquals(0, opsShippedBy(set, () -> set.addAll(List.of(1, 2))));
            assertEquals(0, opsShippedBy(map, () -> map.keySet().retainAll(List.of("a"))));
        }
    }

    // ---------------------------------------------------------------- nested containers are live

    @Test
    void computeIfAbsentReturnsTheLiveNestedList() {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, List<Integer>> parent = p.parent.create("m", Map.of());
            p.settle();
            SharedMap<String, List<Integer>> child = p.child(0).get("m");

            parent.computeIfAbsent("a", k -> new ArrayList<>()).add(1);
            parent.computeIfAbsent("a", k -> new ArrayList<>()).add(2);
            child.computeIfAbsent("b", k -> new ArrayList<>()).add(3);
            child.computeIfAbsent("b", k -> new ArrayList<>()).add(4);
            child.merge("c", new ArrayList<>(), (old, given) -> old).add(5);
            child.compute("d", (k, old) -> new ArrayList<>()).add(6);
            p.settle();

            Map<String, List<Integer>> expected = Map.of("a", List.of(1, 2), "b", List.of(3, 4), "c", List.of(5), "d", List.of(6));
            assertEquals(expected, parent);
            assertEquals(expected, child);
            assertInstanceOf(SharedList.class, child.get("b"));
        }
    }

    @Test
    void nestedPlainCollectionsComeBackAsSharedCollections() {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Object> parent = p.parent.create("m",
                    Map.of("map", Map.of("k", List.of(Set.of(1))), "list", List.of(Map.of("x", 1)), "set", Set.of(1)));
            parent.put("later", new ArrayList<>(List.of(new HashMap<>(Map.of("y", 2)))));
            p.settle();
            SharedMap<String, Object> child = p.child(0).get("m");

            for (SharedMap<String, Object> m : List.of(parent, child)) {
                SharedMap<?, ?> map = assertInstanceOf(SharedMap.class, m.get("map"));
                SharedList<?> deep = assertInstanceOf(SharedList.class, map.get("k"));
                assertInstanceOf(SharedSet.class, deep.get(0));
                SharedList<?> list = assertInstanceOf(SharedList.class, m.get("list"));
                assertInstanceOf(SharedMap.class, list.get(0));
                assertInstanceOf(SharedSet.class, m.get("set"));
                SharedList<?> later = assertInstanceOf(SharedList.class, m.get("later"));
                assertInstanceOf(SharedMap.class, later.get(0));
            }

            @SuppressWarnings("unchecked")
            Map<String, Object> inChild = (Map<String, Object>) ((List<?>) child.get("later")).get(0);
            inChild.put("z", 3);
            p.settle();
            assertEquals(Map.of("y", 2, "z", 3), ((List<?>) parent.get("later")).get(0));
        }
    }

    @Test
    void aSharedContainerPutSomewhereElseIsCopiedThere() {
        try (IPOS ipos = IPOS.start()) {
            SharedMap<String, List<Integer>> map = ipos.create("m", Map.of("a", List.of(1)));
            List<Integer> a = map.get("a");
            map.put("b", a);
            List<Integer> b = map.get("b");
            assertNotSame(a, b);
            b.add(2);
            assertEquals(List.of(1), map.get("a"));
            assertEquals(List.of(1, 2), map.get("b"));
        }
    }

    @Test
    void sortingASubListMovesNestedListsInsteadOfCopyingThem() {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedList<List<Integer>> parent = p.parent.create("l", List.of(List.of(0), List.of(3), List.of(1), List.of(2)));
            p.settle();
            SharedList<List<Integer>> child = p.child(0).get("l");
            List<Integer> three = child.get(1);

            child.subList(1, 4).sort(Comparator.comparing(l -> l.get(0)));
            assertSame(three, child.get(3));
            three.add(30);
            p.settle();

            assertEquals(List.of(List.of(0), List.of(1), List.of(2), List.of(3, 30)), parent);
            assertEquals(parent, child);
        }
    }

    // ---------------------------------------------------------------- keys and set elements

    @Test
    @SuppressWarnings("unchecked")
    void aCollectionUsedAsASetElementOrMapKeyIsStoredAsAnImmutableCopy() {
        try (IPOS ipos = IPOS.start()) {
            SharedSet<Object> set = ipos.create("s", Set.of());
            List<Integer> element = new ArrayList<>(List.of(1, 2));
            set.add(element);
            element.add(3);
            assertEquals(Set.of(List.of(1, 2)), set);
            Object stored = set.iterator().next();
            assertFalse(stored instanceof SharedList);
            assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) stored).add(4));

            SharedList<Integer> shared = ipos.create("l", List.of(7));
            set.add(shared);
            shared.add(8);
            assertTrue(set.contains(List.of(7)), "the element is a copy of the list as it was");
            assertFalse(set.contains(List.of(7, 8)));

            SharedMap<Object, String> map = ipos.create("m", Map.of());
            Map<String, Integer> key = new HashMap<>(Map.of("k", 1));
            map.put(key, "v");
            key.put("j", 2);
            assertEquals("v", map.get(Map.of("k", 1)));
            Object storedKey = map.keySet().iterator().next();
            assertFalse(storedKey instanceof SharedMap);
            assertThrows(UnsupportedOperationException.class, () -> ((Map<String, Integer>) storedKey).put("x", 3));
        }
    }

    @Test
    void aByteArrayIsAValueButNeverAKeyOrSetElement() {
        try (IPOS ipos = IPOS.start()) {
            SharedMap<Object, Object> map = ipos.create("m", Map.of("a", 1));
            SharedSet<Object> set = ipos.create("s", Set.of(1));

            map.put("bytes", new byte[] {1, 2});
            assertArrayEquals(new byte[] {1, 2}, (byte[]) map.get("bytes"));

            assertThrows(IllegalArgumentException.class, () -> map.put(new byte[] {1}, 1));
            assertThrows(IllegalArgumentException.class, () -> map.putAll(Map.of(new byte[] {1}, 1)));
            assertThrows(IllegalArgumentException.class, () -> map.computeIfAbsent(new byte[] {1}, k -> 1));
            assertThrows(IllegalArgumentException.class, () -> set.add(new byte[] {1}));
            assertThrows(IllegalArgumentException.class, () -> set.addAll(List.of(2, new byte[] {1})));
            assertEquals(2, map.size());
            assertEquals(Set.of(1), set);
        }
    }

    // ---------------------------------------------------------------- unshareable values

    @Test
    void unshareableValuesAreRejectedBeforeAnythingIsStored() {
        try (InProcessPair p = new InProcessPair(1)) {
            p.parent.create("m", Map.of("a", 1));
            p.parent.create("l", List.of(1, 2));
            p.parent.create("s", Set.of(1));
            p.settle();
            SharedMap<String, Object> map = p.child(0).get("m");
            SharedList<Object> list = p.child(0).get("l");
            SharedSet<Object> set = p.child(0).get("s");
            Map<String, Object> lastOneBad = new LinkedHashMap<>();
            lastOneBad.put("b", 2);
            lastOneBad.put("c", new StringBuilder("x"));

            List<Runnable> writes = List.of(
                    () -> map.put("b", new Object()),
                    () -> map.put("b", new StringBuilder("x")),
                    () -> map.put("b", Map.of("deep", List.of(1, new Object()))),
                    () -> map.putAll(lastOneBad),
                    () -> map.computeIfAbsent("b", k -> new StringBuilder()),
                    () -> map.merge("a", 5, (x, y) -> new Object()),
                    () -> map.replaceAll((k, v) -> new Object()),
                    () -> map.entrySet().iterator().next().setValue(new Object()),
                    () -> list.add(new Object()),
                    () -> list.add(0, List.of(1, new Object())),
                    () -> list.addAll(List.of(3, new Object())),
                    () -> list.set(0, new Object()),
                    () -> list.replaceAll(x -> new Object()),
                    () -> list.subList(0, 1).addAll(List.of(3, new Object())),
                    () -> list.listIterator().add(new Object()),
                    () -> set.add(new Object()),
                    () -> set.addAll(List.of(2, new Object())));
            for (Runnable write : writes) {
                assertThrows(IllegalArgumentException.class, write::run);
            }

            assertEquals(Map.of("a", 1), map);
            assertEquals(List.of(1, 2), list);
            assertEquals(Set.of(1), set);
            p.settle();
            assertEquals(Map.of("a", 1), p.parent.get("m"));
            assertEquals(List.of(1, 2), p.parent.get("l"));
            assertEquals(Set.of(1), p.parent.get("s"));
            assertTrue(p.parentErrors.isEmpty() && p.childErrors.isEmpty(), () -> p.parentErrors + " " + p.childErrors);
        }
    }

    // ---------------------------------------------------------------- detached containers

    @Test
    @SuppressWarnings("unchecked")
    void writesThroughAContainerWhoseFieldWasDeletedChangeNothingAndThrowNothing() {
        try (InProcessPair p = new InProcessPair(1)) {
            p.parent.create("m", Map.of("a", 1));
            p.parent.create("l", List.of(1, 2, 3));
            p.parent.create("s", Set.of(1));
            p.settle();
            SharedMap<String, Object> map = p.child(0).get("m");
            SharedList<Object> list = p.child(0).get("l");
            SharedSet<Object> set = p.child(0).get("s");
            p.parent.delete("m");
            p.parent.delete("l");
            p.parent.delete("s");
            p.settle();

            assertDoesNotThrow(() -> {
                map.put("b", 2);
                map.putAll(Map.of("c", 3));
                map.remove("a");
                ((List<Object>) map.computeIfAbsent("d", k -> new ArrayList<>())).add(1);
                map.keySet().removeIf(k -> true);
                map.clear();
                list.add(4);
                list.add(0, List.of(5));
                list.addAll(List.of(6));
                list.set(0, 7);
                list.remove(0);
                list.sort(Comparator.comparing(Object::toString).reversed());
                list.subList(0, 2).clear();
                list.removeIf(x -> true);
                Iterator<Object> it = list.iterator();
                it.next();
                it.remove();
                list.clear();
                set.add(2);
                set.removeIf(x -> true);
                set.clear();
            });

            assertEquals(Map.of("a", 1), map);
            assertEquals(List.of(1, 2, 3), list);
            assertEquals(Set.of(1), set);
            p.settle();
            assertEquals(Set.of(), p.parent.keys());
            assertEquals(Set.of(), p.child(0).keys());
            assertTrue(p.parentErrors.isEmpty() && p.childErrors.isEmpty(), () -> p.parentErrors + " " + p.childErrors);
        }
    }

    @Test
    void writesThroughANestedContainerWhoseKeyWasOverwrittenChangeNothing() {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, List<Integer>> parent = p.parent.create("m", Map.of("n", List.of(1)));
            SharedList<List<Integer>> outer = p.parent.create("l", List.of(List.of(1)));
            p.settle();
            SharedMap<String, List<Integer>> child = p.child(0).get("m");
            List<Integer> old = child.get("n");
            List<Integer> slot = p.child(0).<SharedList<List<Integer>>>get("l").get(0);
            parent.put("n", List.of(2));
            outer.remove(0);
            p.settle();

            assertDoesNotThrow(() -> {
                old.add(3);
                old.set(0, 4);
                slot.add(5);
            });
            assertEquals(List.of(1), old);
            assertEquals(List.of(1), slot);
            p.settle();
            assertEquals(Map.of("n", List.of(2)), parent);
            assertEquals(parent, child);
            assertEquals(List.of(), outer);
            assertEquals(List.of(), p.child(0).get("l"));
        }
    }

    // ---------------------------------------------------------------- iteration

    @Test
    void removeIfTestsTheElementsInOrder() {
        try (IPOS ipos = IPOS.start()) {
            SharedList<Integer> list = ipos.create("l", List.of(1, 2, 3, 4, 5, 6));
            AtomicInteger seen = new AtomicInteger();
            list.removeIf(x -> seen.incrementAndGet() <= 2);
            assertEquals(List.of(3, 4, 5, 6), list);
            AtomicInteger seenInView = new AtomicInteger();
            list.subList(1, 4).removeIf(x -> seenInView.incrementAndGet() == 1);
            assertEquals(List.of(3, 5, 6), list);
        }
    }

    @Test
    void aListIteratorWalksItsSnapshotWhileTheListChanges() {
        try (IPOS ipos = IPOS.start()) {
            SharedList<String> list = ipos.create("l", List.of("a", "b", "c"));
            ListIterator<String> it = list.listIterator();
            assertEquals("a", it.next());
            list.add(0, "front");
            it.set("A");
            assertEquals(List.of("front", "A", "b", "c"), list, "set() finds its element where it went");
            it.add("a2");
            assertEquals(List.of("front", "A", "a2", "b", "c"), list, "add() inserts after the element it returned");
            list.clear();
            assertEquals("b", it.next());
            assertEquals("c", it.next());
            assertFalse(it.hasNext());
            it.remove();
            assertEquals(List.of(), list, "a write to an element that is gone changes nothing");
            assertEquals("b", it.previous(), "the snapshot keeps what the iterator itself did");
        }
    }

    @Test
    void iteratingWhileAnotherThreadWritesNeverThrows() throws InterruptedException {
        try (InProcessPair p = new InProcessPair(1)) {
            List<Integer> start = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                start.add(i);
            }
            SharedMap<Integer, Integer> map = p.parent.create("m", Map.of());
            SharedList<Integer> list = p.parent.create("l", start);
            SharedSet<Integer> set = p.parent.create("s", Set.of());
            p.settle();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        map.put(i % 64, i);
                        map.remove(i * 7 % 64);
                        list.add(i);
                        if (list.size() > 96) {
                            list.subList(0, 32).clear();
                        }
                        list.set(i % 32, -i);
                        set.add(i % 64);
                        set.remove(i * 5 % 64);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "writer");
            writer.start();
            try {
                long end = System.nanoTime() + Duration.ofMillis(400).toNanos();
                List<Runnable> readers = new ArrayList<>();
                readers.add(() -> readAll(map, list, set));
                readers.add(() -> readAll(p.child(0).get("m"), p.child(0).get("l"), p.child(0).get("s")));
                while (System.nanoTime() < end) {
                    for (Runnable r : readers) {
                        r.run();
                    }
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertEquals(List.of(), failures);
            p.settle();
            assertEquals(map, p.child(0).get("m"));
            assertEquals(list, p.child(0).get("l"));
            assertEquals(set, p.child(0).get("s"));
        }
    }

    /** Reads every way there is; returns something so that nothing is optimised away. */
    private static int readAll(Map<Integer, Integer> map, List<Integer> list, Set<Integer> set) {
        int seen = 0;
        for (Map.Entry<Integer, Integer> e : map.entrySet()) {
            seen += e.getValue();
        }
        for (Iterator<Integer> it = map.keySet().iterator(); it.hasNext(); ) {
            seen += it.next();
        }
        map.values().forEach(v -> { });
        map.forEach((k, v) -> { });
        map.keySet().stream().toArray();
        map.values().stream().toList();
        map.entrySet().stream().toList();
        map.hashCode();
        map.toString();
        map.equals(new HashMap<>(map));
        for (Integer x : list) {
            seen += x;
        }
        ListIterator<Integer> it = list.listIterator();
        while (it.hasNext()) {
            seen += it.next();
        }
        while (it.hasPrevious()) {
            seen += it.previous();
        }
        for (Integer x : list.subList(0, 16)) {
            seen += x;
        }
        list.stream().toList();
        list.equals(new ArrayList<>(list));
        list.hashCode();
        list.toString();
        for (Integer x : set) {
            seen += x;
        }
        set.stream().toArray();
        set.equals(new HashSet<>(set));
        set.hashCode();
        set.toString();
        return seen;
    }

    // ---------------------------------------------------------------- re-base

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void removingByAKeyTheCallerChangesLaterStillConvergesAfterARebase() throws IOException {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<Object, String> parent = p.parent.create("m", Map.of(List.of(1), "a"));
            SharedSet<Object> parentSet = p.parent.create("s", Set.of(List.of(1)));
            p.settle();
            SharedMap<Object, String> child = p.child(0).get("m");
            SharedSet<Object> childSet = p.child(0).get("s");
            Valve valve = p.valves.get(0);

            valve.shut();
            parent.put(List.of(1), "p");
            parentSet.add(List.of(2));
            List<Integer> key = new ArrayList<>(List.of(1));
            child.remove(key);
            childSet.remove(key);
            key.add(2);
            await(() -> !parent.containsKey(List.of(1)) && !parentSet.contains(List.of(1)));
            valve.open();
            p.settle();

            assertEquals(Map.of(), parent);
            assertEquals(parent, child);
            assertEquals(Set.of(List.of(2)), parentSet);
            assertEquals(parentSet, childSet);
        }
    }

    @Test
    void conditionalWritesRacingInTwoChildrenAreDecidedByWhichReachesTheParentFirst() throws IOException {
        try (InProcessPair p = new InProcessPair(2)) {
            SharedMap<String, Object> parent = p.parent.create("m", Map.of("cas", 0, "gone", 0));
            p.settle();
            SharedMap<String, Object> first = p.child(0).get("m");
            SharedMap<String, Object> second = p.child(1).get("m");
            p.valves.get(0).shut();
            p.valves.get(1).shut();

            assertEquals(null, first.putIfAbsent("claim", "first"));
            @SuppressWarnings("unchecked")
            List<Object> firstList = (List<Object>) first.computeIfAbsent("list", k -> new ArrayList<>());
            assertTrue(first.replace("cas", 0, 1));
            assertTrue(first.remove("gone", 0));
            await(() -> parent.containsKey("list") && !parent.containsKey("gone"));

            assertEquals(null, second.putIfAbsent("claim", "second"), "locally, the claim succeeds");
            @SuppressWarnings("unchecked")
            List<Object> secondList = (List<Object>) second.computeIfAbsent("list", k -> new ArrayList<>());
            assertTrue(second.replace("cas", 0, 2));
            assertTrue(second.replace("gone", 0, 7), "locally, the key is still there");
            second.put("marker", true);
            await(() -> parent.containsKey("marker"));
            p.valves.get(0).open();
            p.valves.get(1).open();
            p.settle();

            Map<String, Object> expected = Map.of("claim", "first", "list", List.of(), "cas", 1, "marker", true);
            assertEquals(expected, parent);
            assertEquals(parent, first);
            assertEquals(parent, second);
            firstList.add("live");
            secondList.add("lost");
            p.settle();
            assertEquals(List.of("live"), parent.get("list"), "the loser's container is detached; the winner's is live");
            assertEquals(parent, second);
        }
    }
}
