package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreezeErrorsTest {
    private final ValueCodec codec = new ValueCodec(new ClassRegistry());

    static final class Point {
    }

    private String freezeMessage(Object value) {
        return assertThrows(IllegalArgumentException.class, () -> codec.freeze(value)).getMessage();
    }

    @Test
    void unregisteredClassNamesTheTypeAndBothRegisterCalls() {
        assertEquals("cannot share a value of type io.ipos.serialization.FreezeErrorsTest$Point: register it first "
                + "with IPOS.registerClass(io.ipos.serialization.FreezeErrorsTest.Point.class) (a record, or a class "
                + "with serialize() and static from(x)), or IPOS.registerClass(Point.class, serialize, from)",
                freezeMessage(new Point()));
    }

    @Test
    void unregisteredClassNestedInACollectionIsFound() {
        assertEquals(freezeMessage(new Point()), freezeMessage(List.of(Map.of("k", Set.of(new Point())))));
    }

    @Test
    void primitiveArraySuggestsAListOrByteArray() {
        assertEquals("int[] cannot be shared: use a List<Integer> or byte[]", freezeMessage(new int[] {1}));
        assertEquals("char[] cannot be shared: use a List<Character> or byte[]", freezeMessage(new char[0]));
    }

    @Test
    void objectArraySuggestsAList() {
        assertEquals("java.lang.String[] cannot be shared: use a List<String> or byte[]",
                freezeMessage(new String[] {"a"}));
        assertEquals("long[][] cannot be shared: use a List<List<Long>> or byte[]", freezeMessage(new long[0][]));
    }

    @Test
    void otherCollectionsSuggestAListOrSet() {
        assertEquals("java.util.ArrayDeque cannot be shared: only maps, lists and sets travel; copy it into a List "
                + "or a Set", freezeMessage(new ArrayDeque<>(List.of(1))));
    }

    @Test
    void byteArrayCannotBeAMapKeyOrSetElement() {
        java.util.Map<Object, Object> map = new java.util.HashMap<>();
        map.put(new byte[] {1}, 1);
        assertEquals("byte[] cannot be a map key: arrays compare by identity; use a String or a List<Byte>",
                freezeMessage(map));
        assertEquals("byte[] cannot be a set element: arrays compare by identity; use a String or a List<Byte>",
                freezeMessage(Set.of(new byte[] {1})));
    }

    @Test
    void writeRefusesWhatFreezeRefuses() {
        ValueWriter w = WireFormat.msgpack().newWriter();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.write(w, new Point()));
        assertEquals(freezeMessage(new Point()), e.getMessage());
        assertEquals("int[] cannot be shared: use a List<Integer> or byte[]",
                assertThrows(IllegalArgumentException.class, () -> codec.write(w, new int[0])).getMessage());
    }
}
