package io.ipos;

import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.canon;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fields and every kind of mutator, across real processes: what one process does through any
 * {@code java.util} method reaches the others, and every process ends exactly where plain
 * {@code java.util} collections given the same calls end.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MutationsProcessTest {
    /** The parent's wire format: null for {@code IPOS.start()}'s default; the per-format subclasses name one. */
    String format() {
        return null;
    }

    // ---------------------------------------------------------------- the script

    /** The starting state: fresh, deeply mutable plain collections. */
    static Map<String, Object> initialFields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        Map<Object, Object> m = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            m.put("k" + i, i);
        }
        m.put("nested", new HashMap<>(Map.of("a", 1, "b", new ArrayList<>(List.of(1, 2, 3)))));
        m.put("nestedSet", new HashSet<>(Set.of("x", "y")));
        fields.put("m", m);
        List<Object> l = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            l.add(i * 7 % 12);
        }
        l.add(new ArrayList<>(List.of("inner")));
        fields.put("l", l);
        Set<Object> s = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            s.add(i);
        }
        fields.put("s", s);
        return fields;
    }

    /**
     * Changes {@code m}, {@code l} and {@code s} through every kind of mutator. Only java.util
     * interfaces are used, and nothing depends on iteration order, so applied to plain collections
     * it gives the expected result.
     */
    @SuppressWarnings("unchecked")
    static void mutate(Map<Object, Object> m, List<Object> l, Set<Object> s) {
        // map
        m.put("put", "v");
        m.put("k0", "overwritten");
        m.putAll(Map.of("all1", 1, "all2", List.of(2, Map.of("deep", 3)), 7, "an int key"));
        m.remove("k1");
        m.remove("absent");
        m.remove("k2", 2);
        m.remove("k3", "not its value");
        m.compute("k4", (k, v) -> (Integer) v * 100);
        m.compute("computed", (k, v) -> v == null ? "new" : "old");
        m.compute("k5", (k, v) -> null);
        m.computeIfAbsent("cia", k -> new ArrayList<>(List.of("made")));
        m.computeIfPresent("k6", (k, v) -> (Integer) v + 1);
        m.merge("k7", 10, (a, b) -> (Integer) a + (Integer) b);
        m.merge("merged", 1, (a, b) -> (Integer) a + (Integer) b);
        m.putIfAbsent("k8", "not put");
        m.putIfAbsent("pia", "put");
        m.replace("k9", "replaced");
        m.replace("all1", 1, "replaced too");
        m.entrySet().removeIf(e -> "put".equals(e.getValue()));
        m.keySet().remove("merged");
        m.values().remove("replaced");
        for (Iterator<Map.Entry<Object, Object>> it = m.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, Object> e = it.next();
            if ("computed".equals(e.getKey())) {
                it.remove();
            } else if ("pia".equals(e.getKey())) {
                e.setValue("set through the entry");
            }
        }
        m.keySet().removeIf(k -> k instanceof Integer);
        m.replaceAll((k, v) -> v instanceof Integer i ? i * 2 : v);
        Map<Object, Object> nested = (Map<Object, Object>) m.get("nested");
        nested.put("c", 3);
        ((List<Object>) nested.get("b")).add(4);
        ((Set<Object>) m.get("nestedSet")).add("z");
        ((List<Object>) m.get("cia")).add(0, "first");

        // list
        l.add(100);
        l.add(0, -1);
        l.addAll(List.of(200, 201));
        l.addAll(2, List.of(300, 301));
        l.set(3, "set");
        l.remove(0);
        l.remove((Object) 200);
        for (Iterator<Object> it = l.iterator(); it.hasNext(); ) {
            if (Integer.valueOf(5).equals(it.next())) {
                it.remove();
            }
        }
        for (ListIterator<Object> it = l.listIterator(); it.hasNext(); ) {
            Object v = it.next();
            if (Integer.valueOf(2).equals(v)) {
                it.set("two");
            } else if (Integer.valueOf(4).equals(v)) {
                it.add("after four");
            }
        }
        l.subList(1, 3).clear();
        List<Object> inner = (List<Object>) l.stream().filter(x -> x instanceof List).findFirst().orElseThrow();
        inner.add("more");
        l.removeIf(x -> x instanceof Integer i && i == 10);
        l.replaceAll(x -> x instanceof Integer i ? i + 1000 : x);
        l.sort(Comparator.comparing(ChildMain::canon));
        l.retainAll(new ArrayList<>(l.subList(0, l.size() - 1)));
        l.add(new HashMap<>(Map.of("in", "list")));
        l.removeAll(List.of(1001, 1003));

        // set
        s.add(100);
        s.add(1);
        s.addAll(List.of(200, 201, 2));
        s.remove(0);
        s.removeAll(List.of(3, 4, 201));
        s.retainAll(List.of(1, 2, 5, 6, 7, 100, 200));
        s.removeIf(x -> (Integer) x == 6);
        for (Iterator<Object> it = s.iterator(); it.hasNext(); ) {
            if (Integer.valueOf(7).equals(it.next())) {
                it.remove();
            }
        }
    }

    /** What {@link #mutate} makes of {@link #initialFields()}, rendered as {@link ChildMain#dump} renders fields. */
    @SuppressWarnings("unchecked")
    static String expected(String suffix) {
        Map<String, Object> f = initialFields();
        mutate((Map<Object, Object>) f.get("m"), (List<Object>) f.get("l"), (Set<Object>) f.get("s"));
        return "l" + suffix + " = " + canon(f.get("l")) + "\n" + "m" + suffix + " = " + canon(f.get("m")) + "\n"
                + "s" + suffix + " = " + canon(f.get("s")) + "\n";
    }

    static void createFields(IPOS ipos, String suffix) {
        initialFields().forEach((k, v) -> ipos.create(k + suffix, v));
    }

    static void mutateFields(IPOS ipos, String suffix) {
        mutate(ipos.get("m" + suffix), ipos.get("l" + suffix), ipos.get("s" + suffix));
    }

    static String fields(IPOS ipos, String suffix) {
        return "l" + suffix + " = " + canon(ipos.get("l" + suffix)) + "\n" + "m" + suffix + " = "
                + canon(ipos.get("m" + suffix)) + "\n" + "s" + suffix + " = " + canon(ipos.get("s" + suffix)) + "\n";
    }

    @Test
    void everyMutatorReplicatesFromTheParentAndFromAChild(@TempDir Path dir) throws IOException {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = ChildMain.startParent(format()).onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            createFields(ipos, "P");
            createFields(ipos, "C");
            kids.spawn(ipos, MutationsProcessTest.class, "mutatorChild", dir.toString());
            kids.spawn(ipos, MutationsProcessTest.class, "observerChild", dir.toString());

            mutateFields(ipos, "P");
            ipos.flush().join();
            signal(dir.resolve("parent-mutated"), "");
            assertEquals(expected("P"), fields(ipos, "P"), "the parent's own view");
            assertEquals(expected("P"), awaitFile(dir.resolve("child-saw-parent")));

            awaitFile(dir.resolve("child-mutated"));
            assertEquals(expected("C"), fields(ipos, "C"), "the parent sees the child's mutations");
            ipos.flush().join();
            signal(dir.resolve("dump"), "");
            String parentDump = dump(ipos);
            assertEquals(parentDump, awaitFile(dir.resolve("mutator-dump")));
            assertEquals(parentDump, awaitFile(dir.resolve("observer-dump")));
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    static void mutatorChild(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("parent-mutated"));
        signal(dir.resolve("child-saw-parent"), fields(ipos, "P"));
        mutateFields(ipos, "C");
        ipos.flush().join();
        signal(dir.resolve("child-mutated"), "");
        awaitFile(dir.resolve("dump"));
        signal(dir.resolve("mutator-dump"), dump(ipos));
        ipos.close();
    }

    static void observerChild(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("dump"));
        signal(dir.resolve("observer-dump"), dump(ipos));
        ipos.close();
    }

    // ---------------------------------------------------------------- fields

    @Test
    void fieldsCreatedResetAndDeletedByEitherSideReachEveryProcess(@TempDir Path dir) throws IOException {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = ChildMain.startParent(format()).onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("keptByParent", 1);
            SharedMap<String, Object> resetByChild = ipos.create("resetByChild", Map.of("old", 1));
            ipos.create("deletedByChild", List.of(1));
            ipos.create("deletedByParent", Set.of(1));
            ipos.create("resetByParent", "old");
            kids.spawn(ipos, MutationsProcessTest.class, "fieldsChild", dir.toString());
            kids.spawn(ipos, MutationsProcessTest.class, "observerChild", dir.toString());

            assertTrue(ipos.delete("deletedByParent"));
            assertEquals(false, ipos.delete("neverExisted"));
            SharedList<Object> created = ipos.create("createdByParent", List.of("p"));
            ipos.create("resetByParent", Map.of("new", true));
            ipos.flush().join();
            signal(dir.resolve("parent-done"), "");

            awaitFile(dir.resolve("child-done"));
            assertEquals(Set.of("keptByParent", "resetByChild", "resetByParent", "createdByParent", "createdByChild"),
                    ipos.keys());
            assertEquals(List.of("c", 2L), ipos.get("createdByChild"));
            assertEquals(Set.of("fresh"), ipos.get("resetByChild"));
            resetByChild.put("writtenThroughADetachedMap", 1);
            assertEquals(Set.of("fresh"), ipos.get("resetByChild"), "the old map was detached by the reset");
            assertEquals(List.of("p", "c"), created);
            ipos.flush().join();
            signal(dir.resolve("dump"), "");
            String parentDump = dump(ipos);
            assertEquals(parentDump, awaitFile(dir.resolve("fields-dump")));
            assertEquals(parentDump, awaitFile(dir.resolve("observer-dump")));
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    static void fieldsChild(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Object> oldReset = ipos.get("resetByChild");
        awaitFile(dir.resolve("parent-done"));
        check(!ipos.keys().contains("deletedByParent"), "deletedByParent is gone");
        check(Map.of("new", true).equals(ipos.get("resetByParent")), "resetByParent was reset");
        ipos.create("resetByChild", Set.of("fresh"));
        oldReset.put("ignored", 1);
        check(ipos.delete("deletedByChild"), "deletedByChild existed");
        ipos.create("createdByChild", List.of("c", 2L));
        SharedList<Object> created = ipos.get("createdByParent");
        created.add("c");
        ipos.flush().join();
        signal(dir.resolve("child-done"), "");
        awaitFile(dir.resolve("dump"));
        signal(dir.resolve("fields-dump"), dump(ipos));
        ipos.close();
    }

    static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError("expected: " + what);
        }
    }
}
