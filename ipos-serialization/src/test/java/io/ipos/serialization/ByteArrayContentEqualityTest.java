package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The one rule for {@code byte[]}: wherever values are compared, an array compares (and hashes) by
 * content, at any depth inside frozen values, so a value decoded in another process equals and
 * hashes like the frozen original, and a key that holds an array is one key everywhere.
 */
class ByteArrayContentEqualityTest {
    private final ValueCodec codec = new ValueCodec(new ClassRegistry());

    private static byte[] bytes(int... values) {
        return Wire.bytes(values);
    }

    @Test
    void frozenListsHoldingEqualArraysAreEqualAndHashAlike() {
        Object a = codec.freeze(List.of(bytes(1, 2), "x"));
        Object b = codec.freeze(List.of(bytes(1, 2), "x"));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, codec.freeze(List.of(bytes(1, 3), "x")));
        assertNotEquals(a, codec.freeze(List.of(bytes(1, 2))));
    }

    @Test
    void frozenMapsCompareArrayValuesByContentAtAnyDepth() {
        Object a = codec.freeze(Map.of("k", bytes(4), "deep", List.of(Map.of("b", bytes(5, 6)))));
        Object b = codec.freeze(Map.of("k", bytes(4), "deep", List.of(Map.of("b", bytes(5, 6)))));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, codec.freeze(Map.of("k", bytes(4), "deep", List.of(Map.of("b", bytes(5, 7))))));
    }

    @Test
    void frozenSetsOfValuesHoldingArraysCompareByContent() {
        Object a = codec.freeze(Set.of(List.of(bytes(1)), Map.of("m", bytes(2))));
        Object b = codec.freeze(Set.of(Map.of("m", bytes(2)), List.of(bytes(1))));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertTrue(((Set<?>) a).contains(codec.freeze(List.of(bytes(1)))));
    }

    @Test
    void keysHoldingEqualArraysBecomeOneKeyWhenFrozen() {
        Set<Object> set = new HashSet<>();
        set.add(List.of(bytes(1, 2)));
        set.add(List.of(bytes(1, 2)));
        assertEquals(2, set.size(), "java.util hashes the arrays by identity");
        assertEquals(1, ((Set<?>) codec.freeze(set)).size());

        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(List.of(bytes(1, 2)), "first");
        map.put(List.of(bytes(1, 2)), "second");
        Map<?, ?> frozen = (Map<?, ?>) codec.freeze(map);
        assertEquals(1, frozen.size());
        assertEquals("second", frozen.get(codec.freeze(List.of(bytes(1, 2)))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    void aDecodedValueEqualsAndHashesLikeTheFrozenOriginal(String format) {
        Wire wire = new Wire(WireFormat.byName(format), new ClassRegistry());
        Map<Object, Object> original = new LinkedHashMap<>();
        original.put(List.of(bytes(1, 2)), List.of(bytes(3), Map.of("k", bytes())));
        original.put("plain", bytes(-1, 127));
        Object frozen = wire.codec.freeze(original);
        Object back = wire.roundTrip(original);
        assertEquals(frozen, back);
        assertEquals(back, frozen);
        assertEquals(frozen.hashCode(), back.hashCode());

        Map<Object, String> keyed = new HashMap<>();
        keyed.put(wire.roundTrip(List.of(bytes(1, 2))), "decoded");
        assertEquals("decoded", keyed.get(wire.codec.freeze(List.of(bytes(1, 2)))));
    }

    @Test
    void sameValueComparesArraysByContentEitherWayRound() {
        assertTrue(ValueCodec.sameValue(bytes(1, 2), bytes(1, 2)));
        assertFalse(ValueCodec.sameValue(bytes(1, 2), bytes(2, 1)));
        assertFalse(ValueCodec.sameValue(bytes(1), List.of((byte) 1)));
        Object frozen = codec.freeze(List.of(bytes(7)));
        List<Object> plain = new ArrayList<>(List.of(bytes(7)));
        assertTrue(ValueCodec.sameValue(frozen, plain));
        assertTrue(ValueCodec.sameValue(plain, frozen));
        assertTrue(ValueCodec.sameValue(null, null));
        assertFalse(ValueCodec.sameValue(null, frozen));
        assertEquals(ValueCodec.valueHash(bytes(1, 2)), ValueCodec.valueHash(bytes(1, 2)));
        assertEquals(frozen.hashCode(), ValueCodec.valueHash(frozen));
    }

    record Blob(byte[] data) {
    }

    @Test
    void unresolvedValuesWithEqualArrayFormsAreEqualAndHashAlike() {
        Wire sender = new Wire();
        sender.registry.register(Blob.class, Blob::data, form -> new Blob((byte[]) form));
        Wire receiver = new Wire();
        Object a = receiver.decode(sender.encode(new Blob(bytes(1, 2))));
        Object b = receiver.decode(sender.encode(new Blob(bytes(1, 2))));
        assertTrue(a instanceof UnresolvedValue);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, receiver.decode(sender.encode(new Blob(bytes(1, 3)))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    void anArrayAsASetElementOrMapKeyFromTheWireIsRejected(String format) {
        Wire wire = new Wire(WireFormat.byName(format), new ClassRegistry());
        wire.writer.reset();
        wire.writer.writeArrayHeader(2);
        wire.writer.writeLong(Tags.FROZEN_SET);
        wire.writer.writeBinary(bytes(1), 0, 1);
        byte[] set = wire.writer.toByteArray();
        assertEquals("a byte[] cannot be a set element", assertThrows(WireException.class, () -> wire.decode(set))
                .getMessage().replaceFirst(" at offset.*", ""));

        wire.writer.reset();
        wire.writer.writeArrayHeader(3);
        wire.writer.writeLong(Tags.FROZEN_MAP);
        wire.writer.writeBinary(bytes(1), 0, 1);
        wire.writer.writeLong(1);
        byte[] map = wire.writer.toByteArray();
        assertEquals("a byte[] cannot be a map key", assertThrows(WireException.class, () -> wire.decode(map))
                .getMessage().replaceFirst(" at offset.*", ""));
    }
}
