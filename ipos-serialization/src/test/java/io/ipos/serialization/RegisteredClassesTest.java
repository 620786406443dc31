package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class RegisteredClassesTest {
    private final Wire wire = new Wire();

    record Point(int x, int y) { }

    record Line(Point from, Point to, String label, List<Integer> weights) { }

    private record Hidden(long id, BigDecimal amount) { }

    enum Color { RED, GREEN }

    enum Op {
        PLUS { @Override int apply(int a, int b) { return a + b; } },
        MINUS { @Override int apply(int a, int b) { return a - b; } };

        abstract int apply(int a, int b);
    }

    /** serialize() returning a map, and a non-public from(Map). */
    static final class Money {
        final long cents;
        final String currency;

        Money(long cents, String currency) {
            this.cents = cents;
            this.currency = currency;
        }

        Map<String, Object> serialize() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cents", cents);
            m.put("currency", currency);
            return m;
        }

        static Money from(Map<?, ?> form) {
            return new Money((Long) form.get("cents"), (String) form.get("currency"));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Money && ((Money) o).cents == cents && ((Money) o).currency.equals(currency);
        }

        @Override
        public int hashCode() {
            return Objects.hash(cents, currency);
        }
    }

    /** stringify() and from(String), with a second from overload to choose against. */
    static final class Version {
        final int major;
        final int minor;

        Version(int major, int minor) {
            this.major = major;
            this.minor = minor;
        }

        private String stringify() {
            return major + "." + minor;
        }

        private static Version from(String s) {
            String[] parts = s.split("\\.");
            return new Version(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }

        @SuppressWarnings("unused")
        static Version from(Integer major) {
            return new Version(major, 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Version && ((Version) o).major == major && ((Version) o).minor == minor;
        }

        @Override
        public int hashCode() {
            return 31 * major + minor;
        }
    }

    /** Needs explicit functions: no hooks at all. */
    static final class Plain {
        final String text;

        Plain(String text) {
            this.text = text;
        }
    }

    static final class OnlySerialize {
        String serialize() {
            return "x";
        }
    }

    static final class OnlyFrom {
        static OnlyFrom from(Object o) {
            return new OnlyFrom();
        }
    }

    @Test
    void recordRoundTripsThroughItsComponents() {
        wire.registry.register(Point.class);
        assertEquals(new Point(1, -2), wire.roundTrip(new Point(1, -2)));
    }

    @Test
    void recordWithNestedRecordsAndCollectionsRoundTrips() {
        wire.registry.register(Point.class);
        wire.registry.register(Line.class);
        Line line = new Line(new Point(0, 0), new Point(3, 4), null, new ArrayList<>(List.of(1, 2)));
        Line back = (Line) wire.roundTrip(line);
        assertEquals(line, back);
        assertThrows(UnsupportedOperationException.class, () -> back.weights().add(3));
    }

    @Test
    void privateRecordRegistersThroughReflection() {
        wire.registry.register(Hidden.class);
        Hidden h = new Hidden(Long.MAX_VALUE, new BigDecimal("1.50"));
        assertEquals(h, wire.roundTrip(h));
    }

    @Test
    void recordFormIsTheListOfComponents() {
        wire.registry.register(Point.class);
        String name = Point.class.getName();
        assertEquals("93 1e " + Wire.hex(wire.encode(name)) + " 93 14 01 02", Wire.hex(wire.encode(new Point(1, 2))));
    }

    @Test
    void enumTravelsByName() {
        wire.registry.register(Color.class);
        assertSame(Color.GREEN, wire.roundTrip(Color.GREEN));
        assertTrue(Wire.hex(wire.encode(Color.RED)).endsWith(Wire.hex(wire.encode("RED"))));
    }

    @Test
    void enumConstantWithBodyCountsAsItsEnum() {
        wire.registry.register(Op.class);
        assertTrue(wire.registry.isRegistered(Op.PLUS.getClass()));
        assertSame(Op.MINUS, wire.roundTrip(Op.MINUS));
    }

    @Test
    void serializeAndFromHooksRoundTrip() {
        wire.registry.register(Money.class);
        Money m = new Money(1234, "EUR");
        assertEquals(m, wire.roundTrip(m));
    }

    @Test
    void stringifyAndPrivateFromHooksRoundTrip() {
        wire.registry.register(Version.class);
        Version v = new Version(17, 3);
        assertEquals(v, wire.roundTrip(v));
    }

    @Test
    void explicitFunctionsRoundTrip() {
        wire.registry.register(Plain.class, p -> p.text, form -> new Plain((String) form));
        Plain back = (Plain) wire.roundTrip(new Plain("hello"));
        assertEquals("hello", back.text);
    }

    @Test
    void explicitFunctionsOverrideARecordsComponents() {
        wire.registry.register(Point.class, p -> p.x() + "," + p.y(), form -> {
            String[] parts = ((String) form).split(",");
            return new Point(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        });
        byte[] bytes = wire.encode(new Point(5, 6));
        assertTrue(Wire.hex(bytes).endsWith(Wire.hex(wire.encode("5,6"))));
        assertEquals(new Point(5, 6), wire.decode(bytes));
    }

    @Test
    void registeringAgainReplacesTheHooks() {
        wire.registry.register(Plain.class, p -> p.text, form -> new Plain("first"));
        wire.registry.register(Plain.class, p -> p.text, form -> new Plain("second"));
        assertEquals("second", ((Plain) wire.roundTrip(new Plain("x"))).text);
    }

    @Test
    void registeredInstanceInsideCollectionsRoundTrips() {
        wire.registry.register(Point.class);
        wire.registry.register(Color.class);
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(new Point(1, 1), Color.RED);
        map.put(Color.GREEN, List.of(new Point(2, 2)));
        assertEquals(map, wire.roundTrip(map));
    }

    @Test
    void isRegisteredIsFalseBeforeRegistration() {
        assertFalse(wire.registry.isRegistered(Point.class));
        wire.registry.register(Point.class);
        assertTrue(wire.registry.isRegistered(Point.class));
        assertFalse(new ClassRegistry().isRegistered(Point.class));
    }

    @Test
    void classWithoutHooksIsRefusedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wire.registry.register(Plain.class));
        assertEquals("cannot register io.ipos.serialization.RegisteredClassesTest$Plain: it is not a record, an "
                + "enum or a Java bean (a no-arg constructor and getter/setter pairs), and it has no serialize() or "
                + "stringify() instance method and no static from(x) method; "
                + "add them, or pass explicit functions with "
                + "register(io.ipos.serialization.RegisteredClassesTest.Plain.class, serialize, from)", e.getMessage());
    }

    @Test
    void classWithSerializeButNoFromIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wire.registry.register(OnlySerialize.class));
        assertEquals("cannot register io.ipos.serialization.RegisteredClassesTest$OnlySerialize: it has "
                + "serialize() but no static from(x) method taking one parameter; add it, or pass explicit "
                + "functions with register(io.ipos.serialization.RegisteredClassesTest.OnlySerialize.class, "
                + "serialize, from)", e.getMessage());
    }

    @Test
    void classWithFromButNoSerializeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wire.registry.register(OnlyFrom.class));
        assertTrue(e.getMessage().contains("no serialize() or stringify() instance method"), e.getMessage());
    }

    @Test
    void builtinTypesInterfacesAndArraysAreRefused() {
        assertEquals("cannot register java.lang.String: it is a built-in value type; it is shared without registration",
                assertThrows(IllegalArgumentException.class, () -> wire.registry.register(String.class)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> wire.registry.register(Runnable.class));
        assertThrows(IllegalArgumentException.class, () -> wire.registry.register(int[].class));
        assertThrows(IllegalArgumentException.class, () -> wire.registry.register(int.class));
        assertThrows(IllegalArgumentException.class, () -> wire.registry.register(ArrayList.class));
        assertThrows(IllegalArgumentException.class, () -> wire.registry.register(Number.class));
    }

    @Test
    void differentClassUnderTheSameWireNameIsRefused() throws Exception {
        Class<?> twin = new TwinLoader().twinOf(Point.class);
        assertEquals(Point.class.getName(), twin.getName());
        wire.registry.register(Point.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wire.registry.register(twin));
        assertTrue(e.getMessage().contains("a different class with the wire name " + Point.class.getName()
                + " is already registered"), e.getMessage());
    }

    @Test
    void failingSerializeHookIsAnIllegalArgumentException() {
        wire.registry.register(Plain.class, p -> {
            throw new IllegalStateException("boom");
        }, form -> new Plain("x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wire.encode(new Plain("a")));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void registeredInstancesAreFrozenAsTheyAre() {
        wire.registry.register(Point.class);
        Point p = new Point(1, 2);
        assertSame(p, wire.codec.freeze(p));
        assertSame(p, ((List<?>) wire.codec.freeze(List.of(p))).get(0));
    }

    /** Loads a second copy of a class, which has the same name but is a different class. */
    static final class TwinLoader extends ClassLoader {
        TwinLoader() {
            super(TwinLoader.class.getClassLoader());
        }

        Class<?> twinOf(Class<?> type) throws Exception {
            String resource = type.getName().replace('.', '/') + ".class";
            byte[] code;
            try (var in = getParent().getResourceAsStream(resource)) {
                code = Objects.requireNonNull(in, resource).readAllBytes();
            }
            return defineClass(type.getName(), code, 0, code.length);
        }
    }
}
