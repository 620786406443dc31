package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AliasTest {
    record Point(int x, int y) { }

    record OtherPoint(int x, int y) { }

    enum Color { RED }

    private final Wire wire = new Wire();

    @Test
    void classTravelsUnderItsAliasInsteadOfItsName() {
        wire.registry.register(Point.class, "pt");
        assertEquals("pt", wire.registry.wireName(Point.class));
        assertEquals("93 1e a2 70 74 93 14 01 02", Wire.hex(wire.encode(new Point(1, 2))));
        assertEquals(new Point(1, 2), wire.roundTrip(new Point(1, 2)));
    }

    @Test
    void wireNameIsTheClassNameWithoutAnAlias() {
        wire.registry.register(Point.class);
        assertEquals(Point.class.getName(), wire.registry.wireName(Point.class));
        assertNull(wire.registry.wireName(OtherPoint.class));
    }

    @Test
    void twoClassesUnderOneAliasAreRefused() {
        wire.registry.register(Point.class, "pt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wire.registry.register(OtherPoint.class, "pt"));
        assertEquals("cannot register " + OtherPoint.class.getName() + ": a different class with the wire name pt is "
                + "already registered: " + Point.class.getName() + "; register one of them under another alias with "
                + "register(type, alias)", e.getMessage());
        assertEquals("pt", wire.registry.wireName(Point.class));
        assertFalse(wire.registry.isRegistered(OtherPoint.class));
    }

    @Test
    void aliasThatIsAnotherClassesNameIsRefused() {
        wire.registry.register(Point.class);
        assertThrows(IllegalArgumentException.class, () -> wire.registry.register(OtherPoint.class, Point.class.getName()));
        assertThrows(IllegalArgumentException.class, () -> wire.registry.register(OtherPoint.class, Point.class.getName(),
                p -> p.x(), form -> new OtherPoint(0, 0)));
    }

    @Test
    void registeringAgainUnderAnotherNameReplacesTheOldName() {
        wire.registry.register(Point.class, "old");
        byte[] underOldName = wire.encode(new Point(1, 2));
        wire.registry.register(Point.class, "new");
        assertEquals("new", wire.registry.wireName(Point.class));
        UnresolvedValue stale = assertInstanceOf(UnresolvedValue.class, wire.decode(underOldName));
        assertEquals("old", stale.typeName());
        wire.registry.register(OtherPoint.class, "old");
        assertEquals(new OtherPoint(1, 2), wire.decode(underOldName));
        wire.registry.register(Point.class);
        assertEquals(Point.class.getName(), wire.registry.wireName(Point.class));
        assertEquals(new Point(3, 4), wire.roundTrip(new Point(3, 4)));
    }

    @Test
    void explicitFunctionsAndEnumsTakeAliasesToo() {
        wire.registry.register(Point.class, "p2", p -> p.x() + ":" + p.y(), form -> {
            String[] xy = ((String) form).split(":");
            return new Point(Integer.parseInt(xy[0]), Integer.parseInt(xy[1]));
        });
        wire.registry.register(Color.class, "color");
        assertEquals(new Point(5, 6), wire.roundTrip(new Point(5, 6)));
        assertTrue(Wire.hex(wire.encode(new Point(5, 6))).startsWith("93 1e a2 70 32"));
        assertEquals(Color.RED, wire.roundTrip(Color.RED));
        assertEquals("color", wire.registry.wireName(Color.class));
    }

    @Test
    void blankAliasIsRefused() {
        assertEquals("alias is blank: ' '",
                assertThrows(IllegalArgumentException.class, () -> wire.registry.register(Point.class, " ")).getMessage());
        assertThrows(NullPointerException.class, () -> wire.registry.register(Point.class, (String) null));
    }

    @Test
    void unresolvedAliasNamesTheAliasInItsMessage() {
        wire.registry.register(Point.class, "pt");
        Wire receiver = new Wire();
        UnresolvedValue u = assertInstanceOf(UnresolvedValue.class, receiver.decode(wire.encode(new Point(1, 2))));
        assertEquals("received a value under the wire name 'pt', which no class is registered under in this process: "
                + "register its class with that alias, ClassRegistry.register(type, \"pt\"), before reading it",
                assertThrows(IllegalStateException.class, u::resolve).getMessage());
        receiver.registry.register(Point.class, "pt");
        assertEquals(new Point(1, 2), u.resolve());
    }
}
