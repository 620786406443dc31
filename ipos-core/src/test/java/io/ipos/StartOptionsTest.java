package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipos.serialization.WireFormat;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a parent picks its wire format and frame limit ({@link IPOS#options()} and the system
 * properties {@code ipos.format}, {@code ipos.maxFrameBytes}), that the handshake announces them,
 * and that a child follows with no setting of its own. In process, over pipes.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StartOptionsTest {
    static final String VALID = "valid formats: msgpack, json, chronicle";

    static String welcomeFormat(byte[] welcome) {
        int n = welcome[10] & 0xFF;
        return new String(welcome, 11, n, StandardCharsets.US_ASCII);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    void formatChosenInTheOptionsIsAnnouncedInTheWelcome(String format) throws Exception {
        try (IPOS parent = IPOS.options().format(format).maxFrameBytes(1 << 16).start();
                BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(parent, "raw child")) {
            raw.handshake(FrameDescriptor.VERSION);
            assertEquals(format, welcomeFormat(raw.welcome));
            assertEquals(1 << 16, FrameDescriptor.getInt(raw.welcome, 6), "maxFrameBytes in the WELCOME");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    void childFollowsTheParentsFormatWithoutAnySettingOfItsOwn(String format) {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (InProcessPair p = InProcessPair.withParent(IPOS.options().format(format).start().onError(errors::add))) {
            IPOS child = p.addChild();
            SharedMap<String, Object> m = p.parent.create("m", Map.of("decimal", new BigDecimal("1.50"), "long", 5L));
            p.settle();
            SharedMap<String, Object> cm = child.get("m");
            cm.put("list", List.of(1, "two", Set.of(3.0f)));
            p.settle();
            assertEquals(m, cm);
            assertEquals(List.of(1, "two", Set.of(3.0f)), m.get("list"));
            assertEquals(5L, cm.get("long"));
            assertEquals(List.of(), errors);
            assertEquals(List.of(), p.childErrors);
        }
    }

    @Test
    void unknownFormatInTheOptionsFailsAtStartListingTheValidNames() {
        IPOS.Options options = IPOS.options().format("xml");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, options::start);
        assertEquals("unknown wire format 'xml'; valid formats: msgpack, json, chronicle", e.getMessage());
        assertTrue(e.getMessage().endsWith(String.join(", ", WireFormat.names())));
    }

    @Test
    void unknownFormatInTheSystemPropertyFailsAtStartNamingTheProperty() {
        IllegalArgumentException e = withProperty("ipos.format", "MsgPack",
                () -> assertThrows(IllegalArgumentException.class, IPOS::start));
        assertEquals("system property ipos.format=MsgPack: unknown wire format 'MsgPack'; " + VALID, e.getMessage());
    }

    @Test
    void formatInTheOptionsOverridesTheSystemProperty() throws Exception {
        String announced = withProperty("ipos.format", "no such format", () -> {
            try (IPOS parent = IPOS.options().format("json").start();
                    BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(parent, "raw child")) {
                raw.handshake(FrameDescriptor.VERSION);
                return welcomeFormat(raw.welcome);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals("json", announced);
    }

    @Test
    void systemPropertyPicksTheFormatOfAPlainStart() throws Exception {
        String announced = withProperty("ipos.format", "json", () -> {
            try (IPOS parent = IPOS.start();
                    BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(parent, "raw child")) {
                raw.handshake(FrameDescriptor.VERSION);
                return welcomeFormat(raw.welcome);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals("json", announced);
    }

    @Test
    void frameLimitOutOfRangeIsRefusedWhenSet() {
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> IPOS.options().maxFrameBytes(100));
        assertEquals("maxFrameBytes=100 is outside [1024, 1073741824]", low.getMessage());
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> IPOS.options().maxFrameBytes(Integer.MAX_VALUE));
        assertEquals("maxFrameBytes=2147483647 is outside [1024, 1073741824]", high.getMessage());
    }

    @Test
    void frameLimitPropertyThatIsNotAnIntegerFailsAtStart() {
        IllegalArgumentException e = withProperty("ipos.maxFrameBytes", "64M",
                () -> assertThrows(IllegalArgumentException.class, IPOS::start));
        assertEquals("system property ipos.maxFrameBytes=64M is not an integer", e.getMessage());
        IllegalArgumentException low = withProperty("ipos.maxFrameBytes", "0",
                () -> assertThrows(IllegalArgumentException.class, IPOS::start));
        assertEquals("system property ipos.maxFrameBytes=0 is outside [1024, 1073741824]", low.getMessage());
    }

    @Test
    void frameLimitFromTheOptionsRejectsALargerFrameFromAChild() throws Exception {
        try (InProcessPair p = InProcessPair.withParent(IPOS.options().maxFrameBytes(4096).start())) {
            List<IposException> errors = new CopyOnWriteArrayList<>();
            p.parent.onError(errors::add);
            try (BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(p.parent, "raw child")) {
                raw.handshake(FrameDescriptor.VERSION);
                raw.send(BadInputProcessTest.frame(FrameDescriptor.OP, new byte[4096]));
                assertTrue(raw.awaitDropped());
                ChildMain.await("the error", () -> !errors.isEmpty());
                // the child's stream: magic (8 bytes), HELLO (17), READY (5), then the frame
                assertEquals("raw child: frame at offset 30 has length=4097 outside [1, maxFrameBytes=4096]; the stream "
                        + "can't be trusted", errors.get(0).getMessage());
            }
        }
    }

    @Test
    void optionsDescribeWhatIsSet() {
        assertEquals("IPOS.Options[format=unset, maxFrameBytes=unset, stallTimeout=unset, name=unset, listen=unset, callTimeout=unset]",
                IPOS.options().toString());
        assertEquals("IPOS.Options[format=json, maxFrameBytes=2048, stallTimeout=unset, name=unset, listen=unset, callTimeout=PT5S]",
                IPOS.options().format("json").maxFrameBytes(2048).callTimeout(java.time.Duration.ofSeconds(5)).toString());
    }

    private static <T> T withProperty(String key, String value, Supplier<T> body) {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return body.get();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }
}
