package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FrozenCollectionsTest {
    private final Wire wire = new Wire();

    @Test
    void listWithNullsArrivesEqualAndUnmodifiable() {
        List<Object> list = Arrays.asList(1, null, "two", null, 3L);
        List<?> back = (List<?>) wire.roundTrip(list);
        assertEquals(list, back);
        assertEquals(list.hashCode(), back.hashCode());
        assertSame(Long.class, back.get(4).getClass());
        assertThrows(UnsupportedOperationException.class, () -> back.set(0, null));
        assertThrows(UnsupportedOperationException.class, () -> back.remove(0));
        var it = back.iterator();
        it.next();
        assertThrows(UnsupportedOperationException.class, it::remove);
    }

    @Test
    void setWithNullKeepsOrderAndIsUnmodifiable() {
        Set<Object> set = new LinkedHashSet<>(Arrays.asList("b", null, "a", 7));
        Set<?> back = (Set<?>) wire.roundTrip(set);
        assertEquals(set, back);
        assertEquals(new ArrayList<>(set), new ArrayList<>(back));
        assertTrue(back.contains(null));
        assertThrows(UnsupportedOperationException.class, () -> back.remove("a"));
        assertThrows(UnsupportedOperationException.class, back::clear);
        var it = back.iterator();
        it.next();
        assertThrows(UnsupportedOperationException.class, it::remove);
    }

    @Test
    void mapWithNullKeyAndValueKeepsOrderAndIsUnmodifiable() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("z", 1);
        map.put(null, "null key");
        map.put("nothing", null);
        map.put(5L, List.of(1, 2));
        Map<?, ?> back = (Map<?, ?>) wire.roundTrip(map);
        assertEquals(map, back);
        assertEquals(map.hashCode(), back.hashCode());
        assertEquals(new ArrayList<>(map.keySet()), new ArrayList<>(back.keySet()));
        assertEquals("null key", back.get(null));
        assertTrue(back.containsKey("nothing"));
        assertThrows(UnsupportedOperationException.class, () -> back.remove("z"));
        assertThrows(UnsupportedOperationException.class, back::clear);
        assertThrows(UnsupportedOperationException.class, () -> back.entrySet().iterator().next().setValue(null));
        assertThrows(UnsupportedOperationException.class, () -> back.keySet().remove("z"));
        assertThrows(UnsupportedOperationException.class, () -> back.values().clear());
    }

    @Test
    void nestedCollectionsKeepTheirShapeAndTypes() {
        Map<String, Object> inner = new TreeMap<>(Map.of("k", new HashSet<>(List.of(1, 2, 3))));
        List<Object> value = List.of(List.of(), Map.of(), Set.of(), List.of(List.of(List.of((short) 1))), inner);
        Object back = wire.roundTrip(value);
        assertEquals(value, back);
        Map<?, ?> innerBack = (Map<?, ?>) ((List<?>) back).get(4);
        assertSame(Short.class, ((List<?>) ((List<?>) ((List<?>) ((List<?>) back).get(3)).get(0)).get(0)).get(0).getClass());
        assertEquals(Set.of(1, 2, 3), innerBack.get("k"));
    }

    @Test
    void frozenCollectionsEqualJavaUtilOnes() {
        assertEquals(List.of(1, 2), wire.roundTrip(List.of(1, 2)));
        assertEquals(wire.roundTrip(List.of(1, 2)), List.of(1, 2));
        assertEquals(Set.of("a", "b"), wire.roundTrip(Set.of("a", "b")));
        assertEquals(wire.roundTrip(Map.of("a", 1)), Map.of("a", 1));
        assertEquals(Map.of("a", 1).hashCode(), wire.roundTrip(Map.of("a", 1)).hashCode());
        // their own equals/hashCode (byte[] by content) keep the java.util contracts for everything else
        Object list = wire.codec.freeze(new ArrayList<>(List.of(1, "a")));
        assertEquals(List.of(1, "a"), list);
        assertEquals(List.of(1, "a").hashCode(), list.hashCode());
        Object map = wire.codec.freeze(new java.util.HashMap<>(Map.of("a", 1, "b", List.of(2))));
        assertEquals(Map.of("a", 1, "b", List.of(2)), map);
        assertEquals(Map.of("a", 1, "b", List.of(2)).hashCode(), map.hashCode());
        Object set = wire.codec.freeze(new LinkedHashSet<>(List.of(1, "x")));
        assertEquals(new HashSet<>(List.of("x", 1)), set);
        assertEquals(set, new HashSet<>(List.of("x", 1)));
        assertEquals(Set.of(1, "x").hashCode(), set.hashCode());
    }

    @Test
    void mapKeysCanBeAnyImmutableValue() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(List.of(1, 2), "list key");
        map.put(java.time.LocalDate.of(2020, 1, 1), "date key");
        map.put('c', "char key");
        assertEquals(map, wire.roundTrip(map));
    }

    @Test
    void aDecodedCollectionIsAlreadyFrozen() {
        Object back = wire.roundTrip(List.of(Map.of("a", List.of(1))));
        assertSame(back, wire.codec.freeze(back));
    }

    @Test
    void freezeDeepCopiesPlainCollections() {
        List<Object> inner = new ArrayList<>(List.of(1));
        List<Object> outer = new ArrayList<>();
        outer.add(inner);
        outer.add(null);
        List<?> frozen = (List<?>) wire.codec.freeze(outer);
        inner.add(2);
        outer.add(3);
        assertEquals(Arrays.asList(List.of(1), null), frozen);
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) frozen.get(0)).clear());
    }

    @Test
    void freezeCopiesByteArrays() {
        byte[] b = {1, 2};
        byte[] frozen = (byte[]) wire.codec.freeze(b);
        assertNotSame(b, frozen);
        b[0] = 9;
        assertEquals(1, frozen[0]);
    }

    @Test
    void freezeReturnsScalarsAsTheyAre() {
        String s = new String("x");
        assertSame(s, wire.codec.freeze(s));
        Long l = 123456789L;
        assertSame(l, wire.codec.freeze(l));
    }

    @Test
    void writeOfACollectionThatContainsItselfFailsCleanly() {
        List<Object> self = new ArrayList<>();
        self.add(self);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wire.encode(self));
        assertEquals("value nested deeper than 1000 levels (does a collection contain itself?)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> wire.codec.freeze(self));
    }

    @Test
    void nestingOfNineHundredLevelsRoundTrips() {
        Object value = "leaf";
        for (int i = 0; i < 900; i++) {
            value = List.of(value);
        }
        assertEquals(value, wire.roundTrip(value));
    }
}
