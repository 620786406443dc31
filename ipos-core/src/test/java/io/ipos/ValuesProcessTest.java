package io.ipos;

import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.canon;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of value crosses real process boundaries with its exact type and value: synced when
 * a child connects, sent by the parent after it connected, and sent by the child back. Values of a
 * class the receiver did not register are kept, reported clearly, and readable once registered.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ValuesProcessTest {
    /** The parent's wire format: null for {@code IPOS.start()}'s default; the per-format subclasses name one. */
    String format() {
        return null;
    }

    /** One of every shareable kind, keyed by a name (a fresh, mutable copy on each call). */
    static Map<String, Object> everyKind() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("null", null);
        v.put("booleanFalse", Boolean.FALSE);
        v.put("booleanTrue", Boolean.TRUE);
        v.put("byte", (byte) -7);
        v.put("byteMin", Byte.MIN_VALUE);
        v.put("short", (short) 300);
        v.put("shortMin", Short.MIN_VALUE);
        v.put("int0", 0);
        v.put("intMin", Integer.MIN_VALUE);
        v.put("long0", 0L);
        v.put("long5", 5L);
        v.put("longIntMax", (long) Integer.MAX_VALUE);
        v.put("longMax", Long.MAX_VALUE);
        v.put("longMin", Long.MIN_VALUE);
        v.put("float", 1.5f);
        v.put("floatNaN", Float.NaN);
        v.put("floatNegZero", -0.0f);
        v.put("double", 0.1);
        v.put("doubleNaN", Double.NaN);
        v.put("doubleNegZero", -0.0);
        v.put("doubleInfinity", Double.NEGATIVE_INFINITY);
        v.put("char", 'x');
        v.put("charNonAscii", '\u00e9');
        v.put("char0", '\0');
        v.put("emptyString", "");
        v.put("nonBmpString", "a\uD83D\uDE00\uD834\uDD1Ez \u00e9\u4e2d\n\u0000");
        v.put("bytes", new byte[] {0, -1, 127, -128, 42});
        v.put("emptyBytes", new byte[0]);
        v.put("bigInteger", new BigInteger("-123456789012345678901234567890"));
        v.put("bigIntegerZero", BigInteger.ZERO);
        v.put("bigDecimal", new BigDecimal("1.50"));
        v.put("bigDecimalBig", new BigDecimal("-12345678901234567890.000000000000000000001"));
        v.put("bigDecimalNegScale", new BigDecimal("1E+5"));
        v.put("uuid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        v.put("instant", Instant.ofEpochSecond(1_700_000_000L, 123_456_789));
        v.put("instantBefore1970", Instant.ofEpochSecond(-86_400L * 365, 1));
        v.put("duration", Duration.ofSeconds(3, 5));
        v.put("durationNegative", Duration.ofMillis(-1500));
        v.put("localDate", LocalDate.of(2024, 2, 29));

        Map<Object, Object> nestedMap = new HashMap<>();
        nestedMap.put("list", new ArrayList<>(List.of(1, "two", new ArrayList<>(List.of(3L)))));
        nestedMap.put("set", new HashSet<>(Set.of("a", "b")));
        nestedMap.put("map", new HashMap<>(Map.of("k", new HashMap<>())));
        nestedMap.put("nullValue", null);
        nestedMap.put(1, "an Integer key");
        nestedMap.put(1L, "a Long key, distinct from the Integer one");
        nestedMap.put('1', "a Character key");
        nestedMap.put(UUID.fromString("00000000-0000-0000-0000-000000000001"), new byte[] {1});
        nestedMap.put(List.of(1, 2), "a list key");
        v.put("nestedMap", nestedMap);

        List<Object> nestedList = new ArrayList<>();
        nestedList.add(null);
        nestedList.add((short) 1);
        nestedList.add(new HashSet<>(Set.of(1, 1L, List.of("in", "set"))));
        nestedList.add(new ArrayList<>(List.of(new ArrayList<>(List.of(new ArrayList<>())))));
        nestedList.add(new BigDecimal("1.50"));
        v.put("nestedList", nestedList);

        v.put("nestedSet", new HashSet<>(Set.of(Instant.EPOCH, "s", 2.5f, Set.of(1), Map.of("k", List.of(1L)))));
        v.put("emptyMap", new HashMap<>());
        v.put("emptyList", new ArrayList<>());
        v.put("emptySet", new HashSet<>());
        return v;
    }

    /** The canonical rendering of {@link #everyKind()} as fields named {@code prefix + name}. */
    static String expectedFields(String prefix) {
        StringBuilder sb = new StringBuilder();
        Map<String, String> sorted = new java.util.TreeMap<>();
        everyKind().forEach((k, v) -> sorted.put(prefix + k, canon(v)));
        sorted.put(prefix + "ALL", canon(everyKind()));
        sorted.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }

    /** The fields with {@code prefix}, rendered as {@link ChildMain#dump} does. */
    static String fieldsWithPrefix(IPOS ipos, String prefix) {
        StringBuilder sb = new StringBuilder();
        for (String k : new TreeSet<>(ipos.keys())) {
            if (k.startsWith(prefix)) {
                sb.append(k).append(" = ").append(canon(ipos.get(k))).append('\n');
            }
        }
        return sb.toString();
    }

    static void createAll(IPOS ipos, String prefix) {
        everyKind().forEach((k, v) -> ipos.create(prefix + k, v));
        ipos.create(prefix + "ALL", everyKind());
    }

    @Test
    void everyValueKindArrivesWithItsExactTypeAtConnectAfterConnectAndBack(@TempDir Path dir) throws IOException {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = ChildMain.startParent(format()).onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            createAll(ipos, "pre.");
            kids.spawn(ipos, ValuesProcessTest.class, "everyKindChild", dir.toString());
            createAll(ipos, "post.");
            SharedMap<String, Object> live = ipos.create("live", Map.of());
            everyKind().forEach(live::put);
            ipos.flush().join();
            signal(dir.resolve("posted"), "");

            String expectedAll = canon(everyKind());
            String childSaw = awaitFile(dir.resolve("child-saw"));
            assertEquals(expectedFields("pre.") + expectedFields("post.") + "live = " + expectedAll + "\n", childSaw);

            awaitFile(dir.resolve("echoed"));
            assertEquals(expectedFields("echo."), fieldsWithPrefix(ipos, "echo."));
            assertEquals("List[Map{String(\"x\")=List[Integer(1)]}]", canon(ipos.get("appended")));
            assertEquals(expectedAll, canon(ipos.get("live")), "after the child's putAll of the same values");
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    static void everyKindChild(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("posted"));
        signal(dir.resolve("child-saw"), fieldsWithPrefix(ipos, "pre.") + fieldsWithPrefix(ipos, "post.")
                + "live = " + canon(ipos.get("live")) + "\n");
        createAll(ipos, "echo.");
        SharedMap<String, Object> live = ipos.get("live");
        live.putAll(everyKind());
        SharedList<Object> appended = ipos.create("appended", List.of());
        appended.add(Map.of("x", List.of(1)));
        ipos.flush().join();
        signal(dir.resolve("echoed"), "");
        ipos.close();
    }

    // ---------------------------------------------------------------- registered classes

    record Point(int x, int y) {
    }

    @Test
    void childThatDidNotRegisterAClassReadsEverythingElseAndTheValueOnceRegistered(@TempDir Path dir) throws IOException {
        IPOS.registerClass(Point.class);
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = ChildMain.startParent(format()).onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("before", 1);
            ipos.create("point", new Point(1, 2));
            Map<String, Object> mixed = new HashMap<>();
            mixed.put("p", new Point(3, 4));
            mixed.put("n", 5);
            ipos.create("mixed", mixed);
            ipos.create("after", List.of("x"));
            kids.spawn(ipos, ValuesProcessTest.class, "unregisteredChild", dir.toString());
            ipos.create("later", new Point(7, 8));
            ipos.flush().join();
            signal(dir.resolve("go"), "");
            String report = awaitFile(dir.resolve("report"));
            assertEquals(String.join("\n",
                    "before = Integer(1)",
                    "after = List[String(\"x\")]",
                    "mixed.n = Integer(5)",
                    "point threw IposException naming the class: true, naming IPOS.registerClass: true",
                    "later threw IposException naming the class: true, naming IPOS.registerClass: true",
                    "mixed.p threw IposException naming the class: true, naming IPOS.registerClass: true",
                    "registered: point = Point[x=1, y=2]",
                    "registered: later = Point[x=7, y=8]",
                    "registered: mixed.p = Point[x=3, y=4]",
                    "registered equals: true"), report);
            awaitFile(dir.resolve("wrote-back"));
            assertEquals(new Point(9, 9), ipos.get("fromChild"));
            SharedMap<String, Object> m = ipos.get("mixed");
            assertEquals(Map.of("p", new Point(3, 4), "n", 5, "q", new Point(5, 6)), m);
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    static void unregisteredChild(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("go"));
        List<String> lines = new ArrayList<>();
        lines.add("before = " + canon(ipos.get("before")));
        lines.add("after = " + canon(ipos.get("after")));
        SharedMap<String, Object> mixed = ipos.get("mixed");
        lines.add("mixed.n = " + canon(mixed.get("n")));
        lines.add("point " + failure(() -> ipos.get("point")));
        lines.add("later " + failure(() -> ipos.get("later")));
        lines.add("mixed.p " + failure(() -> mixed.get("p")));
        IPOS.registerClass(Point.class);
        lines.add("registered: point = " + ipos.get("point"));
        lines.add("registered: later = " + ipos.get("later"));
        lines.add("registered: mixed.p = " + mixed.get("p"));
        lines.add("registered equals: " + new Point(1, 2).equals(ipos.get("point")));
        signal(dir.resolve("report"), String.join("\n", lines));
        ipos.create("fromChild", new Point(9, 9));
        mixed.put("q", new Point(5, 6));
        ipos.flush().join();
        signal(dir.resolve("wrote-back"), "");
        ipos.close();
    }

    private static String failure(java.util.function.Supplier<Object> read) {
        try {
            return "returned " + read.get();
        } catch (IposException e) {
            String m = String.valueOf(e.getMessage());
            return "threw IposException naming the class: " + m.contains(Point.class.getName())
                    + ", naming IPOS.registerClass: " + m.contains("IPOS.registerClass");
        }
    }
}
