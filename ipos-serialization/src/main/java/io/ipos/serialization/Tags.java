package io.ipos.serialization;

/**
 * The tags of tagged values: a tagged value is an array whose first element is one of these and
 * whose other elements are its fields. The layout of each is documented in
 * {@code docs/protocol.md}, section "Values".
 *
 * <pre>
 *   [1, int]                 Long that fits in an int      [2, int]  Byte     [3, int]  Short
 *   [4, int]                 Character (UTF-16 code unit)
 *   [5, bin]                 BigInteger, two's complement big-endian
 *   [6, bin, int]            BigDecimal: unscaled value, scale
 *   [7, long, long]          UUID: most, least significant bits
 *   [8, long, int]           Instant: epoch second, nano      [9, long, int]  Duration
 *   [10, long]               LocalDate: epoch day             [11, long]      LocalTime: nano of day
 *   [12, long, long]         LocalDateTime: epoch day, nano of day
 *   [13, str] OffsetDateTime [14, str] ZonedDateTime (ISO-8601)
 *   [15, int, int, int]      Period: years, months, days
 *   [16, str] YearMonth      [17, str] ZoneId      [18, str] URI
 *   [20, e...] list          [21, e...] set        [22, k, v, ...] map
 *   [30, str, form]          registered class: wire name, serialized form
 *   40..49                   container literals of ipos-core
 * </pre>
 */
final class Tags {
    static final int LONG = 1;
    static final int BYTE = 2;
    static final int SHORT = 3;
    static final int CHARACTER = 4;
    static final int BIG_INTEGER = 5;
    static final int BIG_DECIMAL = 6;
    static final int UUID = 7;
    static final int INSTANT = 8;
    static final int DURATION = 9;
    static final int LOCAL_DATE = 10;
    static final int LOCAL_TIME = 11;
    static final int LOCAL_DATE_TIME = 12;
    static final int OFFSET_DATE_TIME = 13;
    static final int ZONED_DATE_TIME = 14;
    static final int PERIOD = 15;
    static final int YEAR_MONTH = 16;
    static final int ZONE_ID = 17;
    static final int URI = 18;
    static final int FROZEN_LIST = 20;
    static final int FROZEN_SET = 21;
    static final int FROZEN_MAP = 22;
    static final int REGISTERED = 30;

    private Tags() {
    }

    /** Returns a tag's name for messages, such as {@code "7 (UUID)"}. */
    static String describe(int tag) {
        String name = switch (tag) {
            case LONG -> "Long";
            case BYTE -> "Byte";
            case SHORT -> "Short";
            case CHARACTER -> "Character";
            case BIG_INTEGER -> "BigInteger";
            case BIG_DECIMAL -> "BigDecimal";
            case UUID -> "UUID";
            case INSTANT -> "Instant";
            case DURATION -> "Duration";
            case LOCAL_DATE -> "LocalDate";
            case LOCAL_TIME -> "LocalTime";
            case LOCAL_DATE_TIME -> "LocalDateTime";
            case OFFSET_DATE_TIME -> "OffsetDateTime";
            case ZONED_DATE_TIME -> "ZonedDateTime";
            case PERIOD -> "Period";
            case YEAR_MONTH -> "YearMonth";
            case ZONE_ID -> "ZoneId";
            case URI -> "URI";
            case FROZEN_LIST -> "list";
            case FROZEN_SET -> "set";
            case FROZEN_MAP -> "map";
            case REGISTERED -> "registered class";
            default -> null;
        };
        return name == null ? Integer.toString(tag) : tag + " (" + name + ")";
    }
}
