package io.ipos;

import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.canon;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values compare and encode alike in every process, in every format: a {@code byte[]} compares by
 * content wherever values are compared (conditional writes, keys and elements that hold one), so a
 * writer's answer is the parent's and every process ends with the same state; and a String either
 * travels exactly or is refused at the write, with nothing stored anywhere.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ValueRulesProcessTest {

    // ---------------------------------------------------------------- conditional writes on byte[]

    /** A map whose values hold arrays directly and nested; fresh arrays on every call. */
    static Map<String, Object> withArrays() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("direct", new byte[] {1, 2});
        m.put("directReplace", new byte[] {3});
        m.put("list", List.of(new byte[] {4}, "x"));
        m.put("map", Map.of("b", new byte[] {5}));
        m.put("viaValues", List.of(new byte[] {6}));
        m.put("viaEntries", Map.of("deep", List.of(new byte[] {7})));
        m.put("own", List.of(new byte[] {8}));
        m.put("ownReplace", Map.of("b", List.of(new byte[] {9})));
        m.put("miss", new byte[] {10});
        m.put("missNested", List.of(new byte[] {11}));
        return m;
    }

    /**
     * Every conditional write against values that hold arrays, each given an equal copy (or the
     * value read back); returns the answers, one per line.
     */
    static String conditionals(SharedMap<String, Object> m) {
        List<String> a = new ArrayList<>();
        a.add("remove(direct, copy) " + m.remove("direct", new byte[] {1, 2}));
        a.add("replace(directReplace, copy, x) " + m.replace("directReplace", new byte[] {3}, "replaced"));
        a.add("replace(list, equal list, x) " + m.replace("list", List.of(new byte[] {4}, "x"), "replaced"));
        a.add("remove(map, equal map) " + m.remove("map", Map.of("b", new byte[] {5})));
        a.add("values().remove(equal list) " + m.values().remove(List.of(new byte[] {6})));
        a.add("entrySet().remove(equal entry) "
                + m.entrySet().remove(Map.entry("viaEntries", Map.of("deep", List.of(new byte[] {7})))));
        a.add("remove(own, get(own)) " + m.remove("own", m.get("own")));
        a.add("replace(ownReplace, get(ownReplace), x) " + m.replace("ownReplace", m.get("ownReplace"), "replaced"));
        a.add("remove(miss, other bytes) " + m.remove("miss", new byte[] {0}));
        a.add("remove(missNested, other bytes) " + m.remove("missNested", List.of(new byte[] {0})));
        a.add("containsValue(equal list) " + m.containsValue(List.of(new byte[] {11})));
        return String.join("\n", a);
    }

    static final String ANSWERS = String.join("\n",
            "remove(direct, copy) true",
            "replace(directReplace, copy, x) true",
            "replace(list, equal list, x) true",
            "remove(map, equal map) true",
            "values().remove(equal list) true",
            "entrySet().remove(equal entry) true",
            "remove(own, get(own)) true",
            "replace(ownReplace, get(ownReplace), x) true",
            "remove(miss, other bytes) false",
            "remove(missNested, other bytes) false",
            "containsValue(equal list) true");

    static final String AFTER = "Map{String(\"directReplace\")=String(\"replaced\"), String(\"list\")=String(\"replaced\"), "
            + "String(\"miss\")=byte[](0a), String(\"missNested\")=List[byte[](0b)], "
            + "String(\"ownReplace\")=String(\"replaced\")}";

    @ParameterizedTest
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    void conditionalWritesOnByteArraysGetTheSameAnswerAndStateInEveryProcess(String format, @TempDir Path dir)
            throws IOException {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = ChildMain.startParent(format).onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> p = ipos.create("byParent", withArrays());
            ipos.create("byChild", withArrays());
            kids.spawn(ipos, ValueRulesProcessTest.class, "conditionalsChild", dir.toString(), "writer");
            kids.spawn(ipos, ValueRulesProcessTest.class, "conditionalsChild", dir.toString(), "observer");

            assertEquals(ANSWERS, conditionals(p), "the parent's answers");
            assertEquals(AFTER, canon(p), "the parent's own writes, as the parent applied them");
            ipos.flush().join();
            signal(dir.resolve("go"), "");
            assertEquals(ANSWERS, awaitFile(dir.resolve("writer-answers")), "the child's answers");
            awaitFile(dir.resolve("writer-flushed"));
            assertEquals(AFTER, canon(ipos.get("byChild")), "the child's writes, as the parent decided them");

            ipos.flush().join();
            signal(dir.resolve("dump"), "");
            String parentDump = dump(ipos);
            assertEquals("byChild = " + AFTER + "\nbyParent = " + AFTER + "\n", parentDump);
            assertEquals(parentDump, awaitFile(dir.resolve("writer-dump")));
            assertEquals(parentDump, awaitFile(dir.resolve("observer-dump")));
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    static void conditionalsChild(String[] args) {
        Path dir = Path.of(args[0]);
        String role = args[1];
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("go"));
        if (role.equals("writer")) {
            signal(dir.resolve("writer-answers"), conditionals(ipos.get("byChild")));
            ipos.flush().join();
            signal(dir.resolve("writer-flushed"), "");
        }
        awaitFile(dir.resolve("dump"));
        ipos.flush().join();
        signal(dir.resolve(role + "-dump"), dump(ipos));
        ipos.close();
    }

    // ---------------------------------------------------------------- keys and elements that hold a byte[]

    static List<Object> listKey() {
        return List.of(new byte[] {1, 2});
    }

    static Map<String, Object> mapKey() {
        return Map.of("b", new byte[] {3});
    }

    /** Puts and adds keys that hold arrays, as fresh objects; returns what the local view answered. */
    static String writeKeys(IPOS ipos, String who) {
        SharedMap<Object, Object> k = ipos.get("keys");
        SharedSet<Object> s = ipos.get("elements");
        List<String> a = new ArrayList<>();
        a.add("put(list key) was " + k.put(listKey(), who));
        a.add("put(map key) was " + k.put(mapKey(), who));
        a.add("add(list element) " + s.add(listKey()));
        a.add("add(map element) " + s.add(mapKey()));
        a.add("get(list key) " + k.get(listKey()));
        a.add("containsKey(map key) " + k.containsKey(mapKey()));
        a.add("contains(list element) " + s.contains(listKey()));
        a.add("sizes " + k.size() + " " + s.size());
        return String.join("\n", a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    void aKeyHoldingAByteArrayWrittenByTwoProcessesIsOneKeyEverywhere(String format, @TempDir Path dir)
            throws IOException {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = ChildMain.startParent(format).onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("keys", Map.of());
            ipos.create("elements", Set.of());
            kids.spawn(ipos, ValueRulesProcessTest.class, "keysChild", dir.toString(), "writer");
            kids.spawn(ipos, ValueRulesProcessTest.class, "keysChild", dir.toString(), "observer");

            assertEquals(String.join("\n",
                    "put(list key) was null",
                    "put(map key) was null",
                    "add(list element) true",
                    "add(map element) true",
                    "get(list key) parent",
                    "containsKey(map key) true",
                    "contains(list element) true",
                    "sizes 2 2"), writeKeys(ipos, "parent"));
            ipos.flush().join();
            signal(dir.resolve("go"), "");
            assertEquals(String.join("\n",
                    "put(list key) was parent",
                    "put(map key) was parent",
                    "add(list element) false",
                    "add(map element) false",
                    "get(list key) child",
                    "containsKey(map key) true",
                    "contains(list element) true",
                    "sizes 2 2"), awaitFile(dir.resolve("writer-answers")));
            awaitFile(dir.resolve("writer-flushed"));

            ipos.flush().join();
            signal(dir.resolve("dump"), "");
            String parentDump = dump(ipos);
            assertEquals("elements = Set{List[byte[](0102)], Map{String(\"b\")=byte[](03)}}\n"
                    + "keys = Map{List[byte[](0102)]=String(\"child\"), Map{String(\"b\")=byte[](03)}=String(\"child\")}\n",
                    parentDump);
            SharedMap<Object, Object> keys = ipos.get("keys");
            assertEquals(2, keys.size(), "a dump renders two equal keys as one line each; count them too");
            assertEquals(parentDump + "sizes 2 2", awaitFile(dir.resolve("writer-dump")));
            assertEquals(parentDump + "sizes 2 2", awaitFile(dir.resolve("observer-dump")));
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    static void keysChild(String[] args) {
        Path dir = Path.of(args[0]);
        String role = args[1];
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("go"));
        if (role.equals("writer")) {
            signal(dir.resolve("writer-answers"), writeKeys(ipos, "child"));
            ipos.flush().join();
            signal(dir.resolve("writer-flushed"), "");
        }
        awaitFile(dir.resolve("dump"));
        ipos.flush().join();
        SharedMap<Object, Object> k = ipos.get("keys");
        SharedSet<Object> s = ipos.get("elements");
        signal(dir.resolve(role + "-dump"), dump(ipos) + "sizes " + k.size() + " " + s.size());
        ipos.close();
    }

    // ---------------------------------------------------------------- Strings with a lone surrogate

    /**
     * Tries to store a lone surrogate in every place a String can go; returns, per attempt, the
     * refusal's message (or what happened instead). Then writes what does travel exactly.
     */
    @SuppressWarnings("unchecked")
    static String surrogateAttempts(IPOS ipos, String who) {
        SharedMap<Object, Object> m = ipos.get("m");
        SharedSet<Object> s = ipos.get("s");
        SharedList<Object> l = ipos.get("l");
        Map<String, Runnable> attempts = new LinkedHashMap<>();
        attempts.put("field name", () -> ipos.create("field\uD800", 1));
        attempts.put("field value", () -> ipos.create("field", "v\uDC00"));
        attempts.put("map key", () -> m.put("k\uD800", 1));
        attempts.put("map value", () -> m.put("k", "\uDBFF"));
        attempts.put("nested in a value", () -> m.put("k", List.of("a", Map.of("b", "xy\uD800"))));
        attempts.put("nested in a key", () -> m.put(List.of("\uD800"), 1));
        attempts.put("putAll, one bad value", () -> m.putAll(Map.of("good", 1, "bad", "\uD800")));
        attempts.put("set element", () -> s.add("\uDFFF"));
        attempts.put("nested in an element", () -> s.add(Map.of("a", "\uD800")));
        attempts.put("addAll, one bad element", () -> s.addAll(List.of("good", "\uD800")));
        attempts.put("list add", () -> l.add("x\uD800"));
        attempts.put("list set", () -> l.set(0, "\uD800"));
        attempts.put("into a nested container", () -> ((List<Object>) m.get("inner")).add("\uDC00"));
        attempts.put("a URI", () -> m.put("uri", URI.create("urn:\uD800")));
        List<String> report = new ArrayList<>();
        attempts.forEach((what, write) -> {
            try {
                write.run();
                report.add(what + ": stored");
            } catch (IllegalArgumentException e) {
                report.add(what + ": " + e.getMessage());
            }
        });
        m.put("char " + who, '\uD800'); // a Character travels as its code unit, exactly
        m.put("pair " + who, "\uD83D\uDE00");
        return String.join("\n", report);
    }

    static String refusal(int index, char c) {
        return String.format("cannot share a String with a lone surrogate \\u%04X at index %d", (int) c, index)
                + ": it can't travel exactly in every wire format (msgpack would turn it into '?'); remove it,"
                + " complete the pair, or share the raw data as a byte[]";
    }

    static final String REFUSALS = String.join("\n",
            "field name: " + refusal(5, '\uD800'),
            "field value: " + refusal(1, '\uDC00'),
            "map key: " + refusal(1, '\uD800'),
            "map value: " + refusal(0, '\uDBFF'),
            "nested in a value: " + refusal(2, '\uD800'),
            "nested in a key: " + refusal(0, '\uD800'),
            "putAll, one bad value: " + refusal(0, '\uD800'),
            "set element: " + refusal(0, '\uDFFF'),
            "nested in an element: " + refusal(0, '\uD800'),
            "addAll, one bad element: " + refusal(0, '\uD800'),
            "list add: " + refusal(1, '\uD800'),
            "list set: " + refusal(0, '\uD800'),
            "into a nested container: " + refusal(0, '\uDC00'),
            "a URI: " + refusal(4, '\uD800'));

    @ParameterizedTest
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    void aStringWithALoneSurrogateIsRefusedAtTheWriteAndStoredNowhere(String format, @TempDir Path dir)
            throws IOException {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = ChildMain.startParent(format).onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("m", Map.of("inner", List.of()));
            ipos.create("s", Set.of());
            ipos.create("l", List.of("first"));
            kids.spawn(ipos, ValueRulesProcessTest.class, "surrogateChild", dir.toString(), "writer");
            kids.spawn(ipos, ValueRulesProcessTest.class, "surrogateChild", dir.toString(), "observer");

            assertEquals(REFUSALS, surrogateAttempts(ipos, "parent"), "the parent's attempts");
            ipos.flush().join();
            signal(dir.resolve("go"), "");
            assertEquals(REFUSALS, awaitFile(dir.resolve("writer-answers")), "the child's attempts");
            awaitFile(dir.resolve("writer-flushed"));

            ipos.flush().join();
            signal(dir.resolve("dump"), "");
            String parentDump = dump(ipos);
            assertEquals("l = List[String(\"first\")]\n"
                    + "m = Map{String(\"char child\")=Character(d800), String(\"char parent\")=Character(d800), "
                    + "String(\"inner\")=List[], String(\"pair child\")=String(\"\\u{1f600}\"), "
                    + "String(\"pair parent\")=String(\"\\u{1f600}\")}\n"
                    + "s = Set{}\n", parentDump);
            assertEquals(parentDump, awaitFile(dir.resolve("writer-dump")));
            assertEquals(parentDump, awaitFile(dir.resolve("observer-dump")));
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    static void surrogateChild(String[] args) {
        Path dir = Path.of(args[0]);
        String role = args[1];
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("go"));
        if (role.equals("writer")) {
            signal(dir.resolve("writer-answers"), surrogateAttempts(ipos, "child"));
            ipos.flush().join();
            signal(dir.resolve("writer-flushed"), "");
        }
        awaitFile(dir.resolve("dump"));
        ipos.flush().join();
        signal(dir.resolve(role + "-dump"), dump(ipos));
        ipos.close();
    }
}
