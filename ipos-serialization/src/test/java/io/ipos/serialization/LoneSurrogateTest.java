package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every String travels exactly or is refused: msgpack turns a lone surrogate into {@code '?'}
 * while json and chronicle keep it, so the codec refuses one wherever a String is frozen or
 * written, in every format, and a body that carries one is malformed.
 */
class LoneSurrogateTest {
    private static final String HINT = ": it can't travel exactly in every wire format (msgpack would turn it into"
            + " '?'); remove it, complete the pair, or share the raw data as a byte[]";

    record Named(String name) {
    }

    static String message(int index, char c) {
        return String.format("cannot share a String with a lone surrogate \\u%04X at index %d", (int) c, index) + HINT;
    }

    private final ValueCodec codec = new ValueCodec(new ClassRegistry());

    private String freezeMessage(Object value) {
        return assertThrows(IllegalArgumentException.class, () -> codec.freeze(value)).getMessage();
    }

    @Test
    void freezeRefusesALoneSurrogateNamingItAndItsIndex() {
        assertEquals(message(2, '\uD800'), freezeMessage("ab\uD800c"));
        assertEquals(message(0, '\uDC00'), freezeMessage("\uDC00"));
        assertEquals(message(3, '\uDBFF'), freezeMessage("abc\uDBFF"));
        assertEquals(message(0, '\uD800'), freezeMessage("\uD800\uD83D\uDE00"));
        assertEquals(message(2, '\uDE00'), freezeMessage("\uD83D\uDE00\uDE00"));
    }

    @Test
    void freezeFindsALoneSurrogateInKeysElementsValuesAndUris() {
        assertEquals(message(1, '\uDC00'), freezeMessage(List.of(Map.of("k\uDC00", 1))));
        assertEquals(message(0, '\uD800'), freezeMessage(Set.of("\uD800")));
        assertEquals(message(1, '\uDBFF'), freezeMessage(Map.of("a", List.of("x\uDBFF"))));
        assertEquals(message(9, '\uD800'), freezeMessage(URI.create("urn:isbn:\uD800")));
    }

    @Test
    void checkScalarPassesEveryOtherScalarAsItIs() {
        Object s = "a\uD83D\uDE00b";
        assertEquals(s, ValueCodec.checkScalar(s));
        assertEquals('\uD800', ValueCodec.checkScalar('\uD800'), "a Character travels as its code unit, exactly");
        assertEquals(message(0, '\uDFFF'),
                assertThrows(IllegalArgumentException.class, () -> ValueCodec.checkScalar("\uDFFF")).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    void writeRefusesALoneSurrogateAnywhereInAValueButNotAPair(String format) {
        Wire wire = new Wire(WireFormat.byName(format), new ClassRegistry());
        wire.registry.register(Named.class);
        for (Object value : List.of("x\uD800", List.of(1, "\uDC00"), Map.of("k\uD800", 1), Map.of(1, Set.of("\uD800")),
                new Named("\uD800"), List.of(new Named("\uD800")), URI.create("urn:\uD800"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wire.encode(value),
                    () -> "no refusal for " + value);
            assertEquals(HINT, e.getMessage().substring(e.getMessage().indexOf(':')), e.getMessage());
        }
        String pairs = "\uD83D\uDE00 a \uD834\uDD1E \uDBFF\uDFFF";
        assertEquals(List.of(pairs), wire.roundTrip(List.of(pairs)), "well-formed pairs travel exactly");
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "chronicle"})
    void aBodyThatCarriesALoneSurrogateIsMalformed(String format) {
        Wire wire = new Wire(WireFormat.byName(format), new ClassRegistry());
        wire.writer.reset();
        wire.writer.writeString("ab\uDC00");
        byte[] body = wire.writer.toByteArray();
        WireException e = assertThrows(WireException.class, () -> wire.decode(body));
        assertEquals("a String with a lone surrogate \\uDC00 at index 2 at offset 0", e.getMessage());
    }
}
