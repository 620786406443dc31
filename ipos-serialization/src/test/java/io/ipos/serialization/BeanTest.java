package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class BeanTest {
    private final Wire wire = new Wire();

    /** Jackson's annotations decide the properties: a renamed one and an ignored one. */
    public static final class Annotated {
        private String secret = "";
        private int count;
        private TreeSet<String> sorted = new TreeSet<>();

        @JsonIgnore
        public String getSecret() {
            return secret;
        }

        public void setSecret(String secret) {
            this.secret = secret;
        }

        @JsonProperty("n")
        public int getCount() {
            return count;
        }

        @JsonProperty("n")
        public void setCount(int count) {
            this.count = count;
        }

        public TreeSet<String> getSorted() {
            return sorted;
        }

        public void setSorted(TreeSet<String> sorted) {
            this.sorted = sorted;
        }
    }

    /** A bean whose property holds something that cannot be shared. */
    public static final class HoldsAThread {
        private Thread thread = new Thread(() -> { });

        public Thread getThread() {
            return thread;
        }

        public void setThread(Thread thread) {
            this.thread = thread;
        }
    }

    /** Read-only properties only: not a bean. */
    public static final class ReadOnly {
        public int getX() {
            return 1;
        }
    }

    @Test
    void beanRegistersByClassAndRoundTripsThroughItsProperties() {
        wire.registry.register(Samples.Point.class);
        wire.registry.register(Samples.Color.class);
        wire.registry.register(Samples.Person.class);
        Samples.Person person = Samples.person();
        Samples.Person back = (Samples.Person) wire.roundTrip(person);
        assertNotSame(person, back);
        assertEquals(person, back);
        assertEquals(ArrayList.class, back.getNumbers().getClass());
    }

    @Test
    void beanFormIsTheMapOfItsPropertiesInNameOrder() {
        Wire json = new Wire(WireFormat.json(), new ClassRegistry());
        json.registry.register(Samples.Gadget.class, "gadget");
        Samples.Gadget g = new Samples.Gadget();
        g.setLabel("spanner");
        g.setWeight(2.5f);
        assertEquals("[30,\"gadget\",[22,\"label\",\"spanner\",\"weight\",{\"f32\":2.5}]]",
                new String(json.encode(g), StandardCharsets.UTF_8));
    }

    @Test
    void jacksonAnnotationsChooseThePropertiesAndJdkCollectionsAreRebuilt() {
        wire.registry.register(Annotated.class);
        Annotated a = new Annotated();
        a.setSecret("hidden");
        a.setCount(3);
        a.setSorted(new TreeSet<>(List.of("b", "a")));
        Annotated back = (Annotated) wire.roundTrip(a);
        assertEquals("", back.getSecret());
        assertEquals(3, back.getCount());
        assertEquals(new TreeSet<>(List.of("a", "b")), back.getSorted());
        Map<?, ?> form = (Map<?, ?>) new UnresolvedValueView(wire).formOf(a);
        assertEquals(List.of("n", "sorted"), new ArrayList<>(form.keySet()));
    }

    @Test
    void formWithAPropertyTheBeanLacksArrivesUnresolved() {
        wire.registry.register(Samples.Gadget.class, "gadget");
        Map<Object, Object> form = new LinkedHashMap<>();
        form.put("label", "x");
        form.put("colour", "red");
        wire.writer.reset();
        wire.writer.writeArrayHeader(3);
        wire.writer.writeLong(30);
        wire.writer.writeString("gadget");
        wire.codec.write(wire.writer, form);
        UnresolvedValue u = assertInstanceOf(UnresolvedValue.class, wire.decode(wire.writer.toByteArray()));
        IllegalStateException e = assertThrows(IllegalStateException.class, u::resolve);
        assertTrue(e.getMessage().contains("has no property colour with a getter and a setter"), e.getMessage());
    }

    @Test
    void beanHoldingAnUnshareableValueIsRefusedWhenWritten() {
        wire.registry.register(HoldsAThread.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wire.encode(new HoldsAThread()));
        assertTrue(e.getMessage().startsWith("cannot share a value of type java.lang.Thread"), e.getMessage());
    }

    @Test
    void classWithOnlyGettersIsNotABean() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wire.registry.register(ReadOnly.class));
        assertTrue(e.getMessage().contains("it is not a record, an enum or a Java bean"), e.getMessage());
    }

    /** Reads the serialized form of a registered instance through the codec. */
    private static final class UnresolvedValueView {
        private final Wire wire;

        UnresolvedValueView(Wire wire) {
            this.wire = wire;
        }

        Object formOf(Object instance) {
            Wire stranger = new Wire(wire.format, new ClassRegistry());
            return ((UnresolvedValue) stranger.decode(wire.encode(instance))).form();
        }
    }
}
