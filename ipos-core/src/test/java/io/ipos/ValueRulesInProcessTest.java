package io.ipos;

import static io.ipos.ChildMain.dump;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The value rules of {@link ValueRulesProcessTest} in one JVM ({@link InProcessPair}): a
 * {@code byte[]} compares by content in every comparison the shared collections make, the parent
 * decides a conditional write on one by content even after a re-base, and a lone surrogate is
 * refused before anything is stored, with or without children.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ValueRulesInProcessTest {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void aConditionalWriteOnAByteArrayIsDecidedByContentAtTheParentAfterARebase() throws IOException {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Object> parent = p.parent.create("m",
                    Map.of("same", bytes(1), "changed", bytes(2), "nested", List.of(bytes(3)), "marker", 0));
            p.settle();
            SharedMap<String, Object> child = p.child(0).get("m");
            p.valves.get(0).shut();
            parent.put("same", bytes(1)); // a new array, equal content: the child's condition still holds
            parent.put("changed", bytes(9)); // the child's condition no longer holds
            parent.put("nested", List.of(bytes(3))); // a new list, equal content

            assertTrue(child.remove("same", bytes(1)));
            assertTrue(child.replace("changed", bytes(2), "lost"));
            assertTrue(child.replace("nested", List.of(bytes(3)), "replaced"));
            child.put("marker", 1);
            ChildMain.await("the parent applied the child's writes", () -> Integer.valueOf(1).equals(parent.get("marker")));
            p.valves.get(0).open();
            p.settle();

            assertEquals(Map.of("changed", List.of((byte) 9), "nested", "replaced", "marker", 1),
                    Map.of("changed", toList((byte[]) parent.get("changed")), "nested", parent.get("nested"),
                            "marker", parent.get("marker")));
            assertEquals(3, parent.size());
            assertEquals(dump(p.parent), dump(p.child(0)), "the child re-based onto the parent's decisions");
            assertEquals(parent, child, "shared maps holding equal arrays are equal");
            assertEquals(parent.hashCode(), child.hashCode());
            assertTrue(p.parentErrors.isEmpty() && p.childErrors.isEmpty(), p.parentErrors + " " + p.childErrors);
        }
    }

    private static List<Byte> toList(byte[] b) {
        Byte[] boxed = new Byte[b.length];
        for (int i = 0; i < b.length; i++) {
            boxed[i] = b[i];
        }
        return List.of(boxed);
    }

    @Test
    void lookupsWithAFreshKeyHoldingAByteArrayFindTheStoredOne() {
        try (IPOS ipos = IPOS.start()) {
            SharedMap<Object, Object> m = ipos.create("m", Map.of());
            m.put(List.of(bytes(1, 2)), "v");
            assertEquals("v", m.get(List.of(bytes(1, 2))));
            assertEquals("v", m.getOrDefault(List.of(bytes(1, 2)), "none"));
            assertTrue(m.containsKey(List.of(bytes(1, 2))));
            assertTrue(m.keySet().contains(List.of(bytes(1, 2))));
            assertTrue(m.entrySet().contains(Map.entry(List.of(bytes(1, 2)), "v")));
            assertEquals("v", m.putIfAbsent(List.of(bytes(1, 2)), "w"));
            assertEquals("v", m.computeIfAbsent(List.of(bytes(1, 2)), k -> "w"));
            assertEquals("v", m.put(List.of(bytes(1, 2)), "v"));
            assertEquals(1, m.size());
            assertEquals("v", m.remove(List.of(bytes(1, 2))));
            assertTrue(m.isEmpty());

            SharedSet<Object> s = ipos.create("s", Set.of(Map.of("b", bytes(3))));
            assertFalse(s.add(Map.of("b", bytes(3))));
            assertTrue(s.contains(Map.of("b", bytes(3))));
            assertTrue(s.remove(Map.of("b", bytes(3))));
            assertTrue(s.isEmpty());
        }
    }

    @Test
    void listsAndMapsCompareByteArrayElementsAndValuesByContent() {
        try (IPOS ipos = IPOS.start()) {
            SharedList<Object> l = ipos.create("l", List.of(bytes(5), List.of(bytes(6)), bytes(5)));
            assertEquals(0, l.indexOf(bytes(5)));
            assertEquals(2, l.lastIndexOf(bytes(5)));
            assertEquals(1, l.indexOf(List.of(bytes(6))));
            assertTrue(l.contains(bytes(5)));
            assertEquals(1, l.subList(1, 3).indexOf(bytes(5)));
            assertTrue(l.remove(bytes(5)));
            assertEquals(2, l.size());
            assertTrue(l.equals(List.of(List.of(bytes(6)), bytes(5))));
            SharedList<Object> same = ipos.create("same", List.of(List.of(bytes(6)), bytes(5)));
            assertEquals(l, same);
            assertEquals(l.hashCode(), same.hashCode());

            SharedMap<String, Object> m = ipos.create("m", Map.of("a", bytes(1), "n", Map.of("b", bytes(2))));
            assertTrue(m.containsValue(bytes(1)));
            assertTrue(m.values().contains(Map.of("b", bytes(2))));
            assertTrue(m.equals(Map.of("a", bytes(1), "n", Map.of("b", bytes(2)))));
            SharedMap<String, Object> copy = ipos.create("copy", Map.of("a", bytes(1), "n", Map.of("b", bytes(2))));
            assertEquals(m.hashCode(), copy.hashCode());
            assertTrue(m.values().remove(bytes(1)));
            assertEquals(Set.of("n"), m.keySet());
        }
    }

    @Test
    void aLoneSurrogateIsRefusedBeforeAnythingIsStoredWithOrWithoutChildren() {
        try (IPOS alone = IPOS.start()) {
            alone.create("m", Map.of("inner", List.of()));
            alone.create("s", Set.of());
            alone.create("l", List.of("first"));
            assertEquals(ValueRulesProcessTest.REFUSALS, ValueRulesProcessTest.surrogateAttempts(alone, "parent"));
        }
        try (InProcessPair p = new InProcessPair(1)) {
            p.parent.create("m", Map.of("inner", List.of()));
            p.parent.create("s", Set.of());
            p.parent.create("l", List.of("first"));
            p.settle();
            assertEquals(ValueRulesProcessTest.REFUSALS, ValueRulesProcessTest.surrogateAttempts(p.parent, "parent"));
            assertEquals(ValueRulesProcessTest.REFUSALS, ValueRulesProcessTest.surrogateAttempts(p.child(0), "child"));
            p.settle();
            String expected = "l = List[String(\"first\")]\n"
                    + "m = Map{String(\"char child\")=Character(d800), String(\"char parent\")=Character(d800), "
                    + "String(\"inner\")=List[], String(\"pair child\")=String(\"\\u{1f600}\"), "
                    + "String(\"pair parent\")=String(\"\\u{1f600}\")}\n"
                    + "s = Set{}\n";
            assertEquals(expected, dump(p.parent));
            assertEquals(expected, dump(p.child(0)));
            assertTrue(p.parentErrors.isEmpty() && p.childErrors.isEmpty(), p.parentErrors + " " + p.childErrors);
        }
    }
}
