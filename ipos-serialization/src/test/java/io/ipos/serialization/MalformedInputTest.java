package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MalformedInputTest {
    record Point(int x, int y) { }

    private final Wire wire = new Wire();

    MalformedInputTest() {
        wire.registry.register(Point.class);
    }

    /** One value that uses every tag and most msgpack formats. */
    private Object everything() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("nil", null);
        map.put(null, Arrays.asList(true, false, 1, -100, 70_000, 5L, 1L << 40, (byte) 1, (short) 2, 'c'));
        map.put(1.5f, 2.5);
        map.put("bytes", new byte[] {1, 2, 3});
        map.put(List.of(1), Set.of("a", "b"));
        map.put("big", List.of(BigInteger.TWO.pow(70), new BigDecimal("1.50"), new UUID(1, 2)));
        map.put("time", List.of(Instant.ofEpochSecond(1, 2), Duration.ofMillis(5), LocalDateTime.of(2020, 1, 2, 3, 4),
                OffsetDateTime.parse("2020-01-02T03:04:05+01:00"), ZonedDateTime.parse("2020-01-02T03:04Z[UTC]"),
                Period.of(1, 2, 3), YearMonth.of(2020, 5), ZoneId.of("Europe/Paris"), URI.create("a:b")));
        map.put("registered", new Point(3, 4));
        map.put("long string", "s".repeat(300));
        return map;
    }

    private void assertWireException(byte[] bytes, int len) {
        try {
            wire.reader.reset(bytes, 0, len);
            wire.codec.read(wire.reader);
            fail("decoded a truncated value of " + len + " bytes");
        } catch (WireException expected) {
            assertTrue(expected.getMessage().contains("at offset " + expected.offset()), expected.getMessage());
        }
    }

    @Test
    void truncatedInputAtEveryCutPointIsAWireException() {
        byte[] full = wire.encode(everything());
        assertArrayEquals(full, wire.encode(wire.decode(full)));
        for (int cut = 0; cut < full.length; cut++) {
            assertWireException(full, cut);
        }
    }

    @Test
    void truncatedInputInsideALargerArrayIsAWireException() {
        byte[] full = wire.encode(everything());
        byte[] padded = Arrays.copyOf(full, full.length + 64);
        Arrays.fill(padded, full.length, padded.length, (byte) 0xc0);
        for (int cut = 0; cut < full.length; cut++) {
            try {
                wire.reader.reset(padded, 0, cut);
                wire.codec.read(wire.reader);
                fail("decoded past the end of the range at cut " + cut);
            } catch (WireException expected) {
                assertTrue(expected.offset() <= cut, expected.getMessage());
            }
        }
    }

    @Test
    void randomMutationsOnlyEverCauseWireExceptions() {
        byte[] full = wire.encode(everything());
        Random random = new Random(42);
        int decoded = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] mutated = full.clone();
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes; c++) {
                int at = random.nextInt(mutated.length);
                mutated[at] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : (byte) (mutated[at] ^ (1 << random.nextInt(8)));
            }
            try {
                wire.reader.reset(mutated, 0, mutated.length);
                wire.codec.read(wire.reader);
                decoded++;
            } catch (WireException expected) {
                // the only acceptable failure
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                throw new AssertionError("mutation " + i + " (" + Wire.hex(mutated) + ") threw " + e, e);
            }
        }
        assertTrue(decoded > 0, "no mutation decoded at all; the test is not exercising the decoders");
    }

    @Test
    void randomBytesOnlyEverCauseWireExceptions() {
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            byte[] bytes = new byte[1 + random.nextInt(40)];
            random.nextBytes(bytes);
            bytes[0] = (byte) (0x90 | random.nextInt(16));
            try {
                wire.reader.reset(bytes, 0, bytes.length);
                wire.codec.read(wire.reader);
            } catch (WireException expected) {
                // the only acceptable failure
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                throw new AssertionError(Wire.hex(bytes) + " threw " + e, e);
            }
        }
    }

    @Test
    void hugeArrayCountIsRefusedBeforeAllocating() {
        WireException e = assertThrows(WireException.class,
                () -> wire.decode(Wire.bytes(0xdd, 0x7f, 0xff, 0xff, 0xff, 0x14, 0xc0)));
        assertEquals("array of 2147483647 elements but only 2 bytes left at offset 0", e.getMessage());
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0xdd, 0xff, 0xff, 0xff, 0xff, 0x14)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x14, 0xdd, 0x7f, 0xff, 0xff, 0xff)));
    }

    @Test
    void hugeStringAndBinaryLengthsAreRefusedBeforeAllocating() {
        WireException e = assertThrows(WireException.class,
                () -> wire.decode(Wire.bytes(0xdb, 0x7f, 0xff, 0xff, 0xff, 0x61)));
        assertEquals("str32 of 2147483647 bytes but only 1 bytes left at offset 0", e.getMessage());
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0xc6, 0xff, 0xff, 0xff, 0xff, 0)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x05, 0xc6, 0x7f, 0xff, 0xff, 0xff)));
    }

    @Test
    void deepNestingIsAWireExceptionNotAStackOverflow() {
        int depth = 100_000;
        byte[] bytes = new byte[depth * 2 + 1];
        for (int i = 0; i < depth; i++) {
            bytes[2 * i] = (byte) 0x92;
            bytes[2 * i + 1] = 0x14;
        }
        bytes[bytes.length - 1] = (byte) 0xc0;
        WireException e = assertThrows(WireException.class, () -> wire.decode(bytes));
        assertEquals("values nested deeper than 1000 levels at offset 2000", e.getMessage());
    }

    @Test
    void msgpackMapsAndExtensionsAreRefused() {
        assertEquals("unsupported msgpack type fixmap at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x80))).getMessage());
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0xd4, 0x01, 0x00)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0xc1)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x14, 0x80)));
    }

    @Test
    void unknownAndReservedTagsAreRefused() {
        assertEquals("unknown value tag 19 at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x13, 0xc0))).getMessage());
        assertEquals("tag 40 is a container literal of ipos-core, not a value at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x91, 0x28))).getMessage());
        assertEquals("tag 49 is a container literal of ipos-core, not a value at offset 2",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x14, 0x91, 0x31))).getMessage());
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x91, 0xff)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x91, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff,
                0xff, 0xff, 0xff)));
    }

    @Test
    void emptyArrayAndNonIntegerTagsAreRefused() {
        assertEquals("empty array: a tagged value needs a tag at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x90))).getMessage());
        assertEquals("a tagged value must start with an integer tag at offset 1",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x91, 0xa1, 0x61))).getMessage());
    }

    @Test
    void wrongFieldCountsAndKindsAreRefused() {
        assertEquals("tag 7 (UUID) needs 2 fields, found 1 at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x07, 0x01))).getMessage());
        assertEquals("expected integer but found fixstr at offset 2",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x01, 0xa1, 0x61))).getMessage());
        assertEquals("tag 22 (map) needs an even number of fields, found 1 at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x16, 0x01))).getMessage());
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x1e, 0xa1, 0x61)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x93, 0x1e, 0x01, 0xc0)));
    }

    @Test
    void outOfRangeFieldsAreRefused() {
        assertEquals("tag 2 (Byte): 128 is outside [-128, 127] at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x02, 0xcc, 0x80))).getMessage());
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x04, 0xd0, 0xff)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x01, 0xce, 0x80, 0, 0, 0)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x93, 0x08, 0x00, 0xce, 0x3b, 0x9a, 0xca, 0x00)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x05, 0xc4, 0x00)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x0a, 0xcf, 0x7f, 0, 0, 0, 0, 0, 0, 0)));
        assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x0b, 0xff)));
    }

    @Test
    void invalidIsoStringsAreRefused() {
        for (int tag : new int[] {13, 14, 16, 17, 18}) {
            byte[] bytes = wire.encode("not valid: ::");
            byte[] tagged = new byte[bytes.length + 2];
            tagged[0] = (byte) 0x92;
            tagged[1] = (byte) tag;
            System.arraycopy(bytes, 0, tagged, 2, bytes.length);
            WireException e = assertThrows(WireException.class, () -> wire.decode(tagged), "tag " + tag);
            assertTrue(e.getMessage().startsWith("invalid " + tag + " ("), e.getMessage());
        }
    }

    @Test
    void duplicateSetElementsAndMapKeysAreRefused() {
        assertEquals("set holds a duplicate element at offset 3",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x93, 0x15, 0x01, 0x01))).getMessage());
        assertEquals("map holds a duplicate key at offset 4",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x95, 0x16, 0x01, 0xc0, 0x01, 0xc0)))
                        .getMessage());
    }
}
