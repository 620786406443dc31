package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every value kind through every wire format: each value must arrive as exactly the types it left
 * as (boxed integer widths, float32 versus float64 with their exact bits, frozen collections in
 * their order, registered classes of every kind, aliases included), and re-encoding what arrived
 * must give the same bytes (every writer is canonical).
 */
class ConformanceTest {
    private static final ClassRegistry REGISTRY = Samples.registry();
    private static final List<Samples.Named> VALUES = Samples.values();
    private static final Map<String, Wire> WIRES = new ConcurrentHashMap<>();

    static Stream<Arguments> formatsAndValues() {
        return WireFormat.names().stream()
                .flatMap(format -> VALUES.stream().map(v -> Arguments.of(format, v)));
    }

    static Stream<String> formats() {
        return WireFormat.names().stream();
    }

    private static Wire wire(String format) {
        return WIRES.computeIfAbsent(format, name -> new Wire(WireFormat.byName(name), REGISTRY));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("formatsAndValues")
    void valueArrivesWithExactTypesAndReencodesToTheSameBytes(String format, Samples.Named named) {
        Wire wire = wire(format);
        Object value = named.value();
        byte[] bytes = wire.encode(value);
        Object back = wire.decode(bytes);
        onDeepStack(() -> assertExact(value, back, named.name()));
        assertArrayEquals(bytes, wire.encode(back), "re-encoding what arrived");
    }

    /** Runs a recursive comparison on a thread with room for values nested 1000 deep. */
    private static void onDeepStack(Runnable check) {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                check.run();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "deep-compare", 64L << 20);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (failure[0] instanceof Error) {
            throw (Error) failure[0];
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void unregisteredClassArrivesUnresolvedAndIsRelayedByteForByte(String format) {
        Wire sender = wire(format);
        Wire stranger = new Wire(WireFormat.byName(format), new ClassRegistry());
        for (Samples.Named named : VALUES) {
            if (!(named.value() instanceof Samples.Person) && !(named.value() instanceof Samples.Tag)) {
                continue;
            }
            byte[] bytes = sender.encode(named.value());
            Object held = stranger.decode(bytes);
            UnresolvedValue unresolved = assertInstanceOf(UnresolvedValue.class, held);
            assertEquals(REGISTRY.wireName(named.value().getClass()), unresolved.typeName());
            assertArrayEquals(bytes, stranger.encode(held), named.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void sequenceOfTopLevelElementsIsReadBack(String format) {
        ValueWriter w = WireFormat.byName(format).newWriter();
        w.writeLong(1);
        w.writeString("two");
        w.writeArrayHeader(0);
        w.writeArrayHeader(2);
        w.writeNil();
        w.writeBoolean(false);
        w.writeDouble(3.0);
        byte[] bytes = w.toByteArray();
        ValueReader r = WireFormat.byName(format).newReader();
        r.reset(bytes, 0, bytes.length);
        assertEquals(ValueKind.INTEGER, r.nextKind());
        assertEquals(1, r.readInt());
        assertEquals("two", r.readString());
        assertEquals(0, r.readArrayHeader());
        assertEquals(2, r.readArrayHeader());
        r.readNil();
        assertFalse(r.readBoolean());
        assertEquals(ValueKind.FLOAT64, r.nextKind());
        assertEquals(3.0, r.readDouble());
        assertFalse(r.hasNext());
        assertEquals(bytes.length, r.position());
        WireException end = assertThrows(WireException.class, r::nextKind);
        assertEquals("expected a value but the range ended at offset " + bytes.length, end.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void readerReadsARangeInsideALargerArray(String format) {
        Wire wire = wire(format);
        byte[] body = wire.encode(Samples.everything());
        byte[] padded = new byte[body.length + 20];
        padded[3] = 0x5b;
        System.arraycopy(body, 0, padded, 7, body.length);
        wire.reader.reset(padded, 7, body.length);
        assertExact(Samples.everything(), wire.codec.read(wire.reader), "everything");
        assertFalse(wire.reader.hasNext());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void writerIsReusableAfterAnAbandonedFrame(String format) {
        ValueWriter w = WireFormat.byName(format).newWriter();
        w.writeArrayHeader(5);
        w.writeArrayHeader(3);
        w.writeString("abandoned");
        w.reset();
        w.writeArrayHeader(2);
        w.writeLong(7);
        w.writeString("x");
        byte[] bytes = w.toByteArray();
        ValueReader r = WireFormat.byName(format).newReader();
        r.reset(bytes, 0, bytes.length);
        assertEquals(2, r.readArrayHeader());
        assertEquals(7, r.readLong());
        assertEquals("x", r.readString());
        assertFalse(r.hasNext());
        byte[] copy = new byte[bytes.length + 2];
        w.copyTo(copy, 2);
        assertEquals(bytes.length, w.size());
        assertArrayEquals(bytes, java.util.Arrays.copyOfRange(copy, 2, copy.length));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void skipValueSkipsWholeNestedArrays(String format) {
        Wire wire = wire(format);
        wire.writer.reset();
        wire.codec.write(wire.writer, Samples.everything());
        wire.writer.writeString("after");
        byte[] bytes = wire.writer.toByteArray();
        wire.reader.reset(bytes, 0, bytes.length);
        wire.reader.skipValue();
        assertEquals("after", wire.reader.readString());
        assertFalse(wire.reader.hasNext());
    }

    /** Asserts that {@code actual} has exactly the types and values of {@code expected}, recursively. */
    static void assertExact(Object expected, Object actual, String where) {
        if (expected == null) {
            assertNull(actual, where);
            return;
        }
        if (expected instanceof List) {
            assertInstanceOf(List.class, actual, where);
            assertElements((List<?>) expected, (List<?>) actual, where);
            return;
        }
        if (expected instanceof Set) {
            assertInstanceOf(Set.class, actual, where);
            assertElements((Set<?>) expected, (Set<?>) actual, where);
            return;
        }
        if (expected instanceof Map) {
            assertInstanceOf(Map.class, actual, where);
            Map<?, ?> e = (Map<?, ?>) expected;
            Map<?, ?> a = (Map<?, ?>) actual;
            assertElements(new ArrayList<>(e.keySet()), new ArrayList<>(a.keySet()), where + " keys");
            assertElements(new ArrayList<>(e.values()), new ArrayList<>(a.values()), where + " values");
            return;
        }
        assertSame(expected.getClass(), actual == null ? null : actual.getClass(), where + ": type");
        if (expected instanceof byte[]) {
            assertArrayEquals((byte[]) expected, (byte[]) actual, where);
        } else if (expected instanceof Float) {
            assertEquals(Float.floatToRawIntBits((Float) expected), Float.floatToRawIntBits((Float) actual), where);
        } else if (expected instanceof Double) {
            assertEquals(Double.doubleToRawLongBits((Double) expected), Double.doubleToRawLongBits((Double) actual),
                    where);
        } else {
            assertEquals(expected, actual, where);
        }
    }

    private static void assertElements(Collection<?> expected, Collection<?> actual, String where) {
        assertEquals(expected.size(), actual.size(), where + ": size");
        Iterator<?> a = actual.iterator();
        int i = 0;
        for (Object e : expected) {
            if (!a.hasNext()) {
                fail(where + ": missing element " + i);
            }
            assertExact(e, a.next(), where + "[" + i++ + "]");
        }
        assertTrue(!a.hasNext(), where + ": extra elements");
    }
}
