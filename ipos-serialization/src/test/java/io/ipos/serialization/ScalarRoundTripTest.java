package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ScalarRoundTripTest {
    private final Wire wire = new Wire();

    static Stream<Object> scalars() {
        return Stream.of(
                true, false,
                0, 1, -1, 127, 128, 255, 256, -32, -33, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE,
                0L, 1L, -1L, (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE, Integer.MAX_VALUE + 1L,
                Integer.MIN_VALUE - 1L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, 1L << 40,
                (byte) 0, Byte.MIN_VALUE, Byte.MAX_VALUE, (short) 0, Short.MIN_VALUE, Short.MAX_VALUE,
                'a', '\0', Character.MIN_VALUE, Character.MAX_VALUE, '\ud83d', '\ude00',
                0.0f, -0.0f, 1.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, Float.MAX_VALUE, Float.MIN_NORMAL,
                0.0, -0.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL,
                "", "a", "h\u00e9llo", "nul\0inside", "\ud83d\ude00 non-BMP \ud835\udd4a", "x".repeat(31),
                "x".repeat(32), "x".repeat(255), "x".repeat(256), "\u00e9".repeat(300), "y".repeat(70_000),
                BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE.negate(), BigInteger.valueOf(Long.MIN_VALUE),
                BigInteger.TWO.pow(64), BigInteger.TWO.pow(1000).negate(),
                BigDecimal.ZERO, new BigDecimal("1.50"), new BigDecimal("1.5"), new BigDecimal("-0.000"),
                new BigDecimal("1E+10"), new BigDecimal(BigInteger.TWO.pow(200), -7),
                new BigDecimal(BigInteger.TEN, Integer.MIN_VALUE), new BigDecimal(BigInteger.TEN, Integer.MAX_VALUE),
                new UUID(0, 0), new UUID(Long.MIN_VALUE, Long.MAX_VALUE), UUID.randomUUID(),
                Instant.EPOCH, Instant.ofEpochSecond(1_700_000_000L, 123_456_789), Instant.ofEpochSecond(-1, 1),
                Instant.MIN, Instant.MAX,
                Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
                Duration.ofSeconds(Long.MIN_VALUE),
                LocalDate.of(2024, 2, 29), LocalDate.MIN, LocalDate.MAX, LocalDate.EPOCH,
                LocalTime.MIDNIGHT, LocalTime.MAX, LocalTime.of(13, 5, 7, 1),
                LocalDateTime.of(2024, 2, 29, 13, 5, 7, 123), LocalDateTime.MIN, LocalDateTime.MAX,
                OffsetDateTime.of(2024, 1, 2, 3, 4, 0, 0, ZoneOffset.ofHours(5)), OffsetDateTime.MIN,
                OffsetDateTime.MAX, OffsetDateTime.of(LocalDateTime.of(12345, 1, 1, 0, 0, 0, 1), ZoneOffset.UTC),
                ZonedDateTime.of(2024, 3, 31, 2, 30, 0, 5, ZoneId.of("Europe/Paris")),
                ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutes(-3, -30)),
                ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneId.of("UTC")),
                ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneId.of("GMT+02:00")),
                Period.ZERO, Period.of(1, -2, 3), Period.of(Integer.MIN_VALUE, Integer.MAX_VALUE, -1),
                YearMonth.of(2024, 2), YearMonth.of(-5, 12), YearMonth.of(99_999, 1),
                ZoneId.of("Europe/Paris"), ZoneOffset.UTC, ZoneOffset.ofHours(-7), ZoneId.of("UTC"),
                ZoneId.of("UTC+01:00"), ZoneOffset.MAX, ZoneOffset.MIN,
                URI.create("https://example.com/a%20b?q=1#frag"), URI.create("urn:isbn:0451450523"),
                URI.create("relative/path"));
    }

    @ParameterizedTest
    @MethodSource("scalars")
    void scalarArrivesAsSameTypeAndValue(Object value) {
        Object back = wire.roundTrip(value);
        assertSame(value.getClass(), back.getClass());
        assertEquals(value, back);
    }

    @Test
    void nullRoundTrips() {
        assertNull(wire.roundTrip(null));
        assertEquals("c0", Wire.hex(wire.encode(null)));
    }

    @Test
    void floatNegativeZeroKeepsItsSign() {
        Object back = wire.roundTrip(-0.0f);
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits((Float) back));
        back = wire.roundTrip(-0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) back));
    }

    @Test
    void nanPayloadBitsSurvive() {
        double nan = Double.longBitsToDouble(0x7ff8_0000_0000_0001L);
        assertEquals(0x7ff8_0000_0000_0001L, Double.doubleToRawLongBits((Double) wire.roundTrip(nan)));
        float fnan = Float.intBitsToFloat(0x7fc0_0001);
        assertEquals(0x7fc0_0001, Float.floatToRawIntBits((Float) wire.roundTrip(fnan)));
    }

    @Test
    void bigDecimalKeepsItsScale() {
        BigDecimal back = (BigDecimal) wire.roundTrip(new BigDecimal("1.50"));
        assertEquals(2, back.scale());
        assertEquals("1.50", back.toString());
    }

    @Test
    void instantKeepsItsNanos() {
        Instant back = (Instant) wire.roundTrip(Instant.ofEpochSecond(5, 999_999_999));
        assertEquals(999_999_999, back.getNano());
        assertEquals(5, back.getEpochSecond());
    }

    @Test
    void zonedDateTimeInAnOverlapKeepsItsOffset() {
        ZonedDateTime first = ZonedDateTime.of(2024, 10, 27, 2, 30, 0, 0, ZoneId.of("Europe/Paris"));
        ZonedDateTime later = first.withLaterOffsetAtOverlap();
        assertEquals(later, wire.roundTrip(later));
        assertEquals(first.withEarlierOffsetAtOverlap(), wire.roundTrip(first.withEarlierOffsetAtOverlap()));
    }

    @Test
    void zoneOffsetStaysZoneOffsetAndRegionStaysRegion() {
        assertSame(ZoneOffset.class, wire.roundTrip(ZoneOffset.ofHours(2)).getClass());
        assertEquals(ZoneId.of("Z"), wire.roundTrip(ZoneOffset.UTC));
        ZoneId region = ZoneId.of("UTC");
        Object back = wire.roundTrip(region);
        assertEquals(region.getClass(), back.getClass());
    }

    @Test
    void emptyByteArrayRoundTrips() {
        Object back = wire.roundTrip(new byte[0]);
        assertArrayEquals(new byte[0], (byte[]) back);
    }

    @Test
    void tenMebibyteByteArrayRoundTrips() {
        byte[] big = new byte[10 << 20];
        new java.util.Random(7).nextBytes(big);
        Object back = wire.roundTrip(big);
        assertArrayEquals(big, (byte[]) back);
    }

    @Test
    void byteArrayOfEveryHeaderSizeRoundTrips() {
        for (int n : new int[] {1, 255, 256, 8191, 8192, 8193, 65535, 65536}) {
            byte[] b = new byte[n];
            b[n - 1] = (byte) n;
            assertArrayEquals(b, (byte[]) wire.roundTrip(b), "length " + n);
        }
    }

    @Test
    void isScalarHoldsForImmutableBuiltinsOnly() {
        assertEquals(true, ValueCodec.isScalar(null));
        assertEquals(true, ValueCodec.isScalar("s"));
        assertEquals(true, ValueCodec.isScalar(ZoneOffset.UTC));
        assertEquals(true, ValueCodec.isScalar(new BigDecimal("1.50")));
        assertEquals(false, ValueCodec.isScalar(new byte[0]));
        assertEquals(false, ValueCodec.isScalar(java.util.List.of()));
        assertEquals(false, ValueCodec.isScalar(new Object()));
        assertEquals(false, ValueCodec.isScalar(new OwnBigInteger()));
    }

    /** A subclass of a built-in type is not that type. */
    static final class OwnBigInteger extends BigInteger {
        private static final long serialVersionUID = 1L;

        OwnBigInteger() {
            super("5");
        }
    }
}
