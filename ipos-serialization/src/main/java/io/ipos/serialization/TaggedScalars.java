package io.ipos.serialization;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.UUID;

/**
 * The immutable JDK types that MessagePack lacks, as tagged values (see {@link Tags}): how each is
 * written, and how each is read once its array header and tag are consumed. Reading checks the
 * field count and every field's range, so only canonical encodings are accepted.
 */
final class TaggedScalars {
    private static final int MAX_NANO = 999_999_999;

    /**
     * ISO-8601 {@code uuuu-MM}, with a sign on years of more than four digits. Not
     * {@code YearMonth.toString()}, which leaves the sign out and so cannot be parsed back.
     */
    private static final DateTimeFormatter YEAR_MONTH_FORMAT = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.YEAR, 4, 10, SignStyle.EXCEEDS_PAD)
            .appendLiteral('-')
            .appendValue(ChronoField.MONTH_OF_YEAR, 2)
            .toFormatter(Locale.ROOT);

    private TaggedScalars() {
    }

    /** Writes a tagged scalar; {@code type} is {@code BuiltinType.of(value)}. */
    static void write(ValueWriter w, BuiltinType type, Object value) {
        switch (type) {
            case LONG -> tagged(w, Tags.LONG, 1).writeLong((Long) value);
            case BYTE -> tagged(w, Tags.BYTE, 1).writeLong((Byte) value);
            case SHORT -> tagged(w, Tags.SHORT, 1).writeLong((Short) value);
            case CHARACTER -> tagged(w, Tags.CHARACTER, 1).writeLong((Character) value);
            case BIG_INTEGER -> writeBinary(tagged(w, Tags.BIG_INTEGER, 1), ((BigInteger) value).toByteArray());
            case BIG_DECIMAL -> {
                BigDecimal d = (BigDecimal) value;
                writeBinary(tagged(w, Tags.BIG_DECIMAL, 2), d.unscaledValue().toByteArray());
                w.writeLong(d.scale());
            }
            case UUID -> {
                UUID u = (UUID) value;
                tagged(w, Tags.UUID, 2).writeLong(u.getMostSignificantBits());
                w.writeLong(u.getLeastSignificantBits());
            }
            case INSTANT -> {
                Instant i = (Instant) value;
                tagged(w, Tags.INSTANT, 2).writeLong(i.getEpochSecond());
                w.writeLong(i.getNano());
            }
            case DURATION -> {
                Duration d = (Duration) value;
                tagged(w, Tags.DURATION, 2).writeLong(d.getSeconds());
                w.writeLong(d.getNano());
            }
            case LOCAL_DATE -> tagged(w, Tags.LOCAL_DATE, 1).writeLong(((LocalDate) value).toEpochDay());
            case LOCAL_TIME -> tagged(w, Tags.LOCAL_TIME, 1).writeLong(((LocalTime) value).toNanoOfDay());
            case LOCAL_DATE_TIME -> {
                LocalDateTime t = (LocalDateTime) value;
                tagged(w, Tags.LOCAL_DATE_TIME, 2).writeLong(t.toLocalDate().toEpochDay());
                w.writeLong(t.toLocalTime().toNanoOfDay());
            }
            case OFFSET_DATE_TIME -> tagged(w, Tags.OFFSET_DATE_TIME, 1).writeString(value.toString());
            case ZONED_DATE_TIME -> tagged(w, Tags.ZONED_DATE_TIME, 1).writeString(value.toString());
            case PERIOD -> {
                Period p = (Period) value;
                tagged(w, Tags.PERIOD, 3).writeLong(p.getYears());
                w.writeLong(p.getMonths());
                w.writeLong(p.getDays());
            }
            case YEAR_MONTH -> tagged(w, Tags.YEAR_MONTH, 1).writeString(YEAR_MONTH_FORMAT.format((YearMonth) value));
            case ZONE_ID -> tagged(w, Tags.ZONE_ID, 1).writeString(((ZoneId) value).getId());
            case URI -> {
                String text = value.toString();
                ValueCodec.checkScalar(text);
                tagged(w, Tags.URI, 1).writeString(text);
            }
            default -> throw new IllegalArgumentException("not a tagged scalar: " + type);
        }
    }

    /** Whether {@code tag} is one of the tags {@link #read} handles. */
    static boolean handles(int tag) {
        return tag >= Tags.LONG && tag <= Tags.URI;
    }

    /**
     * Reads the fields of a tagged scalar whose header and tag are consumed; {@code at} is where
     * the tagged value started, for messages.
     */
    static Object read(int tag, int fieldCount, ValueReader r, int at) {
        switch (tag) {
            case Tags.LONG:
                fields(tag, fieldCount, 1, at);
                return (long) r.readInt();
            case Tags.BYTE:
                fields(tag, fieldCount, 1, at);
                return (byte) inRange(tag, r.readInt(), Byte.MIN_VALUE, Byte.MAX_VALUE, at);
            case Tags.SHORT:
                fields(tag, fieldCount, 1, at);
                return (short) inRange(tag, r.readInt(), Short.MIN_VALUE, Short.MAX_VALUE, at);
            case Tags.CHARACTER:
                fields(tag, fieldCount, 1, at);
                return (char) inRange(tag, r.readInt(), Character.MIN_VALUE, Character.MAX_VALUE, at);
            case Tags.BIG_INTEGER:
                fields(tag, fieldCount, 1, at);
                return bigInteger(tag, r.readBinary(), at);
            case Tags.BIG_DECIMAL: {
                fields(tag, fieldCount, 2, at);
                BigInteger unscaled = bigInteger(tag, r.readBinary(), at);
                return new BigDecimal(unscaled, r.readInt());
            }
            case Tags.UUID:
                fields(tag, fieldCount, 2, at);
                return new UUID(r.readLong(), r.readLong());
            default:
                return readTime(tag, fieldCount, r, at);
        }
    }

    private static Object readTime(int tag, int fieldCount, ValueReader r, int at) {
        try {
            switch (tag) {
                case Tags.INSTANT: {
                    fields(tag, fieldCount, 2, at);
                    long seconds = r.readLong();
                    return Instant.ofEpochSecond(seconds, inRange(tag, r.readInt(), 0, MAX_NANO, at));
                }
                case Tags.DURATION: {
                    fields(tag, fieldCount, 2, at);
                    long seconds = r.readLong();
                    return Duration.ofSeconds(seconds, inRange(tag, r.readInt(), 0, MAX_NANO, at));
                }
                case Tags.LOCAL_DATE:
                    fields(tag, fieldCount, 1, at);
                    return LocalDate.ofEpochDay(r.readLong());
                case Tags.LOCAL_TIME:
                    fields(tag, fieldCount, 1, at);
                    return LocalTime.ofNanoOfDay(r.readLong());
                case Tags.LOCAL_DATE_TIME: {
                    fields(tag, fieldCount, 2, at);
                    LocalDate date = LocalDate.ofEpochDay(r.readLong());
                    return LocalDateTime.of(date, LocalTime.ofNanoOfDay(r.readLong()));
                }
                case Tags.OFFSET_DATE_TIME:
                    fields(tag, fieldCount, 1, at);
                    return OffsetDateTime.parse(r.readString());
                case Tags.ZONED_DATE_TIME:
                    fields(tag, fieldCount, 1, at);
                    return ZonedDateTime.parse(r.readString());
                case Tags.PERIOD: {
                    fields(tag, fieldCount, 3, at);
                    int years = r.readInt();
                    int months = r.readInt();
                    return Period.of(years, months, r.readInt());
                }
                case Tags.YEAR_MONTH:
                    fields(tag, fieldCount, 1, at);
                    return YearMonth.parse(r.readString(), YEAR_MONTH_FORMAT);
                case Tags.ZONE_ID:
                    fields(tag, fieldCount, 1, at);
                    return ZoneId.of(r.readString());
                case Tags.URI: {
                    fields(tag, fieldCount, 1, at);
                    String text = r.readString();
                    if (ValueCodec.loneSurrogate(text) >= 0) {
                        throw new WireException("invalid " + Tags.describe(tag) + ": a lone surrogate at index "
                                + ValueCodec.loneSurrogate(text), at);
                    }
                    return new URI(text);
                }
                default:
                    throw new WireException("unknown value tag " + tag, at);
            }
        } catch (DateTimeException | ArithmeticException | URISyntaxException e) {
            throw new WireException("invalid " + Tags.describe(tag) + ": " + e.getMessage(), at, e);
        }
    }

    private static ValueWriter tagged(ValueWriter w, int tag, int fieldCount) {
        w.writeArrayHeader(fieldCount + 1);
        w.writeLong(tag);
        return w;
    }

    private static void writeBinary(ValueWriter w, byte[] bytes) {
        w.writeBinary(bytes, 0, bytes.length);
    }

    static void fields(int tag, int actual, int expected, int at) {
        if (actual != expected) {
            throw new WireException("tag " + Tags.describe(tag) + " needs " + expected + " field"
                    + (expected == 1 ? "" : "s") + ", found " + actual, at);
        }
    }

    private static int inRange(int tag, int value, int min, int max, int at) {
        if (value < min || value > max) {
            throw new WireException("tag " + Tags.describe(tag) + ": " + value + " is outside ["
                    + min + ", " + max + "]", at);
        }
        return value;
    }

    private static BigInteger bigInteger(int tag, byte[] twosComplement, int at) {
        if (twosComplement.length == 0) {
            throw new WireException("tag " + Tags.describe(tag) + ": empty two's complement bytes", at);
        }
        return new BigInteger(twosComplement);
    }
}
