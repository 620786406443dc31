package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The exact bytes of docs/protocol.md, section "Values". */
class WireLayoutTest {
    private final Wire wire = new Wire();

    private void assertLayout(String hex, Object value) {
        assertEquals(hex, Wire.hex(wire.encode(value)), "encoding of " + value);
    }

    @Test
    void plainElementsUseTheSmallestEncoding() {
        assertLayout("c3", true);
        assertLayout("c2", false);
        assertLayout("05", 5);
        assertLayout("e0", -32);
        assertLayout("d0 df", -33);
        assertLayout("cc c8", 200);
        assertLayout("d2 80 00 00 00", Integer.MIN_VALUE);
        assertLayout("ca 3f c0 00 00", 1.5f);
        assertLayout("cb 3f f8 00 00 00 00 00 00", 1.5);
        assertLayout("a2 68 69", "hi");
        assertLayout("c4 02 01 02", new byte[] {1, 2});
    }

    @Test
    void longThatFitsInIntStaysLong() {
        assertLayout("92 01 05", 5L);
        assertLayout("92 01 d2 80 00 00 00", (long) Integer.MIN_VALUE);
        Object back = wire.roundTrip(5L);
        assertSame(Long.class, back.getClass());
        assertEquals(5L, back);
    }

    @Test
    void longOutsideIntRangeIsAPlainInteger() {
        assertLayout("ce 80 00 00 00", 1L << 31);
        assertLayout("cf 00 00 01 00 00 00 00 00", 1L << 40);
        assertLayout("d3 80 00 00 00 00 00 00 00", Long.MIN_VALUE);
        assertSame(Long.class, wire.roundTrip(1L << 31).getClass());
    }

    @Test
    void plainIntegerDecodesToIntegerWhenItFits() {
        assertSame(Integer.class, wire.decode(Wire.bytes(0xd3, 0, 0, 0, 0, 0, 0, 0, 7)).getClass());
        assertEquals(7, wire.decode(Wire.bytes(0xd3, 0, 0, 0, 0, 0, 0, 0, 7)));
        assertEquals(1L << 31, wire.decode(Wire.bytes(0xce, 0x80, 0, 0, 0)));
    }

    @Test
    void taggedScalarsHaveTheDocumentedFields() {
        assertLayout("92 02 ff", (byte) -1);
        assertLayout("92 03 cd 01 00", (short) 256);
        assertLayout("92 04 61", 'a');
        assertLayout("92 05 c4 02 00 80", BigInteger.valueOf(128));
        assertLayout("93 06 c4 01 0f 02", new BigDecimal("0.15"));
        assertLayout("93 07 01 02", new UUID(1, 2));
        assertLayout("93 08 01 02", Instant.ofEpochSecond(1, 2));
        assertLayout("92 0a 01", LocalDate.ofEpochDay(1));
        assertLayout("92 11 a6 2b 30 31 3a 30 30", ZoneOffset.ofHours(1));
        assertLayout("92 11 a1 5a", ZoneOffset.UTC);
        assertLayout("93 06 c4 02 00 96 02", new BigDecimal("1.50"));
        assertLayout("93 06 c4 01 0f 01", new BigDecimal("1.5"));
        assertLayout("93 09 ff ce 3b 9a c9 ff", java.time.Duration.ofNanos(-1));
        assertLayout("94 0f 01 fe 03", java.time.Period.of(1, -2, 3));
    }

    @Test
    void isoStringsCarryASignBeyondFourYearDigits() {
        assertLayout("92 10 " + Wire.hex(wire.encode("+99999-01")), java.time.YearMonth.of(99_999, 1));
        assertLayout("92 10 " + Wire.hex(wire.encode("-0005-12")), java.time.YearMonth.of(-5, 12));
        assertLayout("92 0d " + Wire.hex(wire.encode("+12345-01-01T00:00Z")),
                java.time.OffsetDateTime.of(12345, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
        assertLayout("92 0e " + Wire.hex(wire.encode("2024-03-31T03:30+02:00[Europe/Paris]")),
                java.time.ZonedDateTime.of(2024, 3, 31, 3, 30, 0, 0, java.time.ZoneId.of("Europe/Paris")));
    }

    @Test
    void collectionsAreTaggedArrays() {
        assertLayout("94 14 01 c0 a1 78", Arrays.asList(1, null, "x"));
        assertLayout("91 14", List.of());
        assertLayout("92 15 c3", java.util.Set.of(true));
        java.util.Map<Object, Object> map = new java.util.LinkedHashMap<>();
        map.put("a", 1);
        map.put(null, null);
        assertLayout("95 16 a1 61 01 c0 c0", map);
    }
}
