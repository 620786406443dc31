package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnresolvedValueTest {
    record Point(int x, int y) { }

    record Box(Point content, String label) { }

    enum Size { SMALL, LARGE }

    /** The sender registers everything; the receiver starts with an empty registry. */
    private final Wire sender = new Wire();
    private final Wire receiver = new Wire();

    UnresolvedValueTest() {
        sender.registry.register(Point.class);
        sender.registry.register(Box.class);
        sender.registry.register(Size.class);
    }

    @Test
    void unregisteredClassArrivesAsUnresolvedValue() {
        Object back = receiver.decode(sender.encode(new Point(1, 2)));
        UnresolvedValue u = assertInstanceOf(UnresolvedValue.class, back);
        assertEquals(Point.class.getName(), u.typeName());
        assertEquals(List.of(1, 2), u.form());
        assertEquals("<unresolved " + Point.class.getName() + ">", u.toString());
    }

    @Test
    void unresolvedValueReencodesByteIdentically() {
        Map<String, Object> value = Map.of("box", new Box(new Point(3, 4), "b"), "size", Size.LARGE);
        byte[] sent = sender.encode(value);
        Object held = receiver.decode(sent);
        assertArrayEquals(sent, receiver.encode(held));
        assertArrayEquals(sent, receiver.encode(receiver.codec.freeze(held)));
    }

    @Test
    void unresolvedValueResolvesAfterRegistration() {
        UnresolvedValue u = (UnresolvedValue) receiver.decode(sender.encode(new Point(1, 2)));
        receiver.registry.register(Point.class);
        Object resolved = u.resolve();
        assertEquals(new Point(1, 2), resolved);
        assertSame(resolved, u.resolve());
        assertEquals(new Point(1, 2), receiver.decode(sender.encode(new Point(1, 2))));
    }

    @Test
    void nestedUnresolvedValuesResolveDeeply() {
        UnresolvedValue u = (UnresolvedValue) receiver.decode(sender.encode(new Box(new Point(5, 6), "x")));
        assertInstanceOf(UnresolvedValue.class, ((List<?>) u.form()).get(0));
        receiver.registry.register(Box.class);
        IllegalStateException e = assertThrows(IllegalStateException.class, u::resolve);
        assertEquals(unregisteredMessage(Point.class.getName()), e.getMessage());
        receiver.registry.register(Point.class);
        assertEquals(new Box(new Point(5, 6), "x"), u.resolve());
    }

    @Test
    void resolveOfAnUnregisteredClassExplainsTheFix() {
        UnresolvedValue u = (UnresolvedValue) receiver.decode(sender.encode(Size.SMALL));
        IllegalStateException e = assertThrows(IllegalStateException.class, u::resolve);
        assertEquals(unregisteredMessage(Size.class.getName()), e.getMessage());
    }

    @Test
    void failingFromHookKeepsTheValueUnresolvedAndResolveGivesTheCause() {
        IllegalArgumentException boom = new IllegalArgumentException("bad form");
        receiver.registry.register(Point.class, p -> p.x(), form -> {
            throw boom;
        });
        byte[] sent = sender.encode(new Point(7, 8));
        UnresolvedValue u = assertInstanceOf(UnresolvedValue.class, receiver.decode(sent));
        IllegalStateException e = assertThrows(IllegalStateException.class, u::resolve);
        assertSame(boom, e.getCause());
        assertEquals(true, e.getMessage().contains(Point.class.getName()), e.getMessage());
        assertArrayEquals(sent, receiver.encode(u));
    }

    @Test
    void unknownEnumConstantStaysUnresolved() {
        receiver.registry.register(Size.class);
        byte[] bytes = sender.encode(Size.LARGE);
        byte[] renamed = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("LARGE", "HUGE!").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        UnresolvedValue u = assertInstanceOf(UnresolvedValue.class, receiver.decode(renamed));
        assertEquals("HUGE!", u.form());
        assertThrows(IllegalStateException.class, u::resolve);
    }

    @Test
    void recordFormWithWrongArityStaysUnresolved() {
        receiver.registry.register(Point.class);
        Wire other = new Wire();
        other.registry.register(Point.class, p -> List.of(p.x()), form -> new Point(0, 0));
        Object back = receiver.decode(other.encode(new Point(1, 2)));
        assertInstanceOf(UnresolvedValue.class, back);
    }

    @Test
    void unresolvedValuesAreEqualByTypeNameAndForm() {
        Object a = receiver.decode(sender.encode(new Point(1, 2)));
        Object b = receiver.decode(sender.encode(new Point(1, 2)));
        Object c = receiver.decode(sender.encode(new Point(2, 1)));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(false, a.equals(c));
    }

    private static String unregisteredMessage(String name) {
        return "received a value of class " + name + ", which is not registered in this process: call "
                + "IPOS.registerClass(" + name + ".class) (or the registerClass(type, serialize, from) overload) "
                + "before reading it";
    }
}
