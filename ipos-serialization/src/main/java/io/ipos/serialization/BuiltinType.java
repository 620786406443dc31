package io.ipos.serialization;

import java.math.BigDecimal;
import java.math.BigInteger;
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
import java.util.Map;

/**
 * What a value's class is to the codec, cached per class in a {@link ClassValue} so that writing
 * and freezing dispatch with one lookup and a switch instead of a chain of {@code instanceof}.
 * Only exact classes match (a subclass of {@code BigInteger} is {@link #OTHER}), except
 * {@link ZoneId}, whose subclasses are all JDK-internal. {@link #OTHER} covers registered classes
 * and plain collections, which depend on the registry and are looked up at use.
 */
enum BuiltinType {
    BOOLEAN(true), INTEGER(true), LONG(true), FLOAT(true), DOUBLE(true), STRING(true),
    BYTE(true), SHORT(true), CHARACTER(true), BIG_INTEGER(true), BIG_DECIMAL(true),
    UUID(true), INSTANT(true), DURATION(true), LOCAL_DATE(true), LOCAL_TIME(true),
    LOCAL_DATE_TIME(true), OFFSET_DATE_TIME(true), ZONED_DATE_TIME(true), PERIOD(true),
    YEAR_MONTH(true), ZONE_ID(true), URI(true),
    BYTES(false), UNRESOLVED(false), FROZEN_LIST(false), FROZEN_SET(false), FROZEN_MAP(false),
    OTHER(false);

    private static final Map<Class<?>, BuiltinType> EXACT = Map.ofEntries(
            Map.entry(Boolean.class, BOOLEAN),
            Map.entry(Integer.class, INTEGER),
            Map.entry(Long.class, LONG),
            Map.entry(Float.class, FLOAT),
            Map.entry(Double.class, DOUBLE),
            Map.entry(String.class, STRING),
            Map.entry(Byte.class, BYTE),
            Map.entry(Short.class, SHORT),
            Map.entry(Character.class, CHARACTER),
            Map.entry(BigInteger.class, BIG_INTEGER),
            Map.entry(BigDecimal.class, BIG_DECIMAL),
            Map.entry(java.util.UUID.class, UUID),
            Map.entry(Instant.class, INSTANT),
            Map.entry(Duration.class, DURATION),
            Map.entry(LocalDate.class, LOCAL_DATE),
            Map.entry(LocalTime.class, LOCAL_TIME),
            Map.entry(LocalDateTime.class, LOCAL_DATE_TIME),
            Map.entry(OffsetDateTime.class, OFFSET_DATE_TIME),
            Map.entry(ZonedDateTime.class, ZONED_DATE_TIME),
            Map.entry(Period.class, PERIOD),
            Map.entry(YearMonth.class, YEAR_MONTH),
            Map.entry(java.net.URI.class, URI),
            Map.entry(byte[].class, BYTES),
            Map.entry(UnresolvedValue.class, UNRESOLVED),
            Map.entry(FrozenList.class, FROZEN_LIST),
            Map.entry(FrozenSet.class, FROZEN_SET),
            Map.entry(FrozenMap.class, FROZEN_MAP));

    private static final ClassValue<BuiltinType> BY_CLASS = new ClassValue<>() {
        @Override
        protected BuiltinType computeValue(Class<?> type) {
            BuiltinType t = EXACT.get(type);
            if (t != null) {
                return t;
            }
            return ZoneId.class.isAssignableFrom(type) ? ZONE_ID : OTHER;
        }
    };

    /** Immutable and built in: {@link ValueCodec#isScalar(Object)} holds for its instances. */
    final boolean scalar;

    BuiltinType(boolean scalar) {
        this.scalar = scalar;
    }

    static BuiltinType of(Class<?> type) {
        return BY_CLASS.get(type);
    }

    static BuiltinType of(Object value) {
        return BY_CLASS.get(value.getClass());
    }
}
