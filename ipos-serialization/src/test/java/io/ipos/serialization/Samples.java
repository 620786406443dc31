package io.ipos.serialization;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Test helper: a registry with a class of every registration kind (record, enum, enum with
 * constant bodies, hooks, stringify, explicit functions, bean), each also under an alias, and
 * named values that use every value type.
 */
final class Samples {
    private Samples() {
    }

    record Point(int x, int y) { }

    record Line(Point from, Point to, String label, List<Integer> weights) { }

    /** A record registered under an alias. */
    record Tag(String name, long id) { }

    enum Color { RED, GREEN }

    enum Op {
        PLUS { @Override int apply(int a, int b) { return a + b; } },
        MINUS { @Override int apply(int a, int b) { return a - b; } };

        abstract int apply(int a, int b);
    }

    /** An enum registered under an alias. */
    enum Suit { HEARTS, SPADES }

    /** serialize() returning a map, and a from(Map). */
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

    /** stringify() and from(String); registered under an alias. */
    static final class Version {
        final int major;
        final int minor;

        Version(int major, int minor) {
            this.major = major;
            this.minor = minor;
        }

        String stringify() {
            return major + "." + minor;
        }

        static Version from(String s) {
            String[] parts = s.split("\\.");
            return new Version(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
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

    /** No hooks: registered with explicit functions (and {@link Opaque} under an alias). */
    static final class Plain {
        final String text;

        Plain(String text) {
            this.text = text;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Plain && ((Plain) o).text.equals(text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }
    }

    /** Explicit functions under an alias. */
    static final class Opaque {
        final byte[] bytes;

        Opaque(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Opaque && Arrays.equals(((Opaque) o).bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** A plain Java bean: no hooks, a no-arg constructor, getters and setters. */
    public static final class Person {
        private String name;
        private int age;
        private double score;
        private boolean active;
        private Long id;
        private UUID uuid;
        private List<String> tags;
        private ArrayList<Integer> numbers;
        private Point home;
        private Color color;
        private Map<String, Object> extra;

        public Person() {
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public int getAge() {
            return age;
        }

        public void setAge(int age) {
            this.age = age;
        }

        public double getScore() {
            return score;
        }

        public void setScore(double score) {
            this.score = score;
        }

        public boolean isActive() {
            return active;
        }

        public void setActive(boolean active) {
            this.active = active;
        }

        public Long getId() {
            return id;
        }

        public void setId(Long id) {
            this.id = id;
        }

        public UUID getUuid() {
            return uuid;
        }

        public void setUuid(UUID uuid) {
            this.uuid = uuid;
        }

        public List<String> getTags() {
            return tags;
        }

        public void setTags(List<String> tags) {
            this.tags = tags;
        }

        public ArrayList<Integer> getNumbers() {
            return numbers;
        }

        public void setNumbers(ArrayList<Integer> numbers) {
            this.numbers = numbers;
        }

        public Point getHome() {
            return home;
        }

        public void setHome(Point home) {
            this.home = home;
        }

        public Color getColor() {
            return color;
        }

        public void setColor(Color color) {
            this.color = color;
        }

        public Map<String, Object> getExtra() {
            return extra;
        }

        public void setExtra(Map<String, Object> extra) {
            this.extra = extra;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Person)) {
                return false;
            }
            Person p = (Person) o;
            return Objects.equals(name, p.name) && age == p.age && Double.compare(score, p.score) == 0
                    && active == p.active && Objects.equals(id, p.id) && Objects.equals(uuid, p.uuid)
                    && Objects.equals(tags, p.tags) && Objects.equals(numbers, p.numbers)
                    && Objects.equals(home, p.home) && color == p.color && Objects.equals(extra, p.extra);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, age, id);
        }

        @Override
        public String toString() {
            return "Person[" + name + "]";
        }
    }

    /** A bean registered under an alias. */
    public static final class Gadget {
        private String label = "";
        private float weight;

        public String getLabel() {
            return label;
        }

        public void setLabel(String label) {
            this.label = label;
        }

        public float getWeight() {
            return weight;
        }

        public void setWeight(float weight) {
            this.weight = weight;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Gadget && ((Gadget) o).label.equals(label)
                    && Float.floatToRawIntBits(((Gadget) o).weight) == Float.floatToRawIntBits(weight);
        }

        @Override
        public int hashCode() {
            return label.hashCode();
        }

        @Override
        public String toString() {
            return "Gadget[" + label + "]";
        }
    }

    /** A new registry holding every sample class. */
    static ClassRegistry registry() {
        ClassRegistry r = new ClassRegistry();
        r.register(Point.class);
        r.register(Line.class);
        r.register(Tag.class, "tag");
        r.register(Color.class);
        r.register(Op.class);
        r.register(Suit.class, "suit");
        r.register(Money.class);
        r.register(Version.class, "version");
        r.register(Plain.class, p -> p.text, form -> new Plain((String) form));
        r.register(Opaque.class, "opaque", o -> o.bytes, form -> new Opaque((byte[]) form));
        r.register(Person.class);
        r.register(Gadget.class, "gadget");
        return r;
    }

    static Person person() {
        Person p = new Person();
        p.setName("Ada \ud83d\ude00");
        p.setAge(36);
        p.setScore(-0.0);
        p.setActive(true);
        p.setId(1L << 40);
        p.setUuid(new UUID(1, 2));
        p.setTags(List.of("a", "b"));
        p.setNumbers(new ArrayList<>(List.of(1, 2, 3)));
        p.setHome(new Point(3, 4));
        p.setColor(Color.GREEN);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("f", 1.5f);
        extra.put("n", null);
        p.setExtra(extra);
        return p;
    }

    static Gadget gadget() {
        Gadget g = new Gadget();
        g.setLabel("spanner");
        g.setWeight(Float.NaN);
        return g;
    }

    /** A name and a value, for parameterized tests. */
    record Named(String name, Object value) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Values of every kind: scalars with their edge values, byte strings, collections, registered classes. */
    static List<Named> values() {
        List<Named> v = new ArrayList<>();
        v.add(new Named("null", null));
        ScalarRoundTripTest.scalars().forEach(s -> v.add(new Named(describe(s), s)));
        v.add(new Named("float NaN with payload", Float.intBitsToFloat(0x7f80_0001)));
        v.add(new Named("float negative NaN", Float.intBitsToFloat(0xffc0_0000)));
        v.add(new Named("double NaN with payload", Double.longBitsToDouble(0x7ff0_0000_0000_0001L)));
        v.add(new Named("double negative NaN", Double.longBitsToDouble(0xfff8_0000_0000_0000L)));
        v.add(new Named("string NUL only", "\0"));
        v.add(new Named("string NUL and non-BMP", "a\0b\ud83d\ude00c\u0000\ud800\udc00"));
        v.add(new Named("string control characters", "\t\n\r\u0001\u001f\u007f\"\\/\u2028\u2029"));
        v.add(new Named("empty byte[]", new byte[0]));
        v.add(new Named("small byte[]", new byte[] {0, -1, 127, -128}));
        byte[] big = new byte[10 << 20];
        new Random(7).nextBytes(big);
        v.add(new Named("10 MiB byte[]", big));
        v.add(new Named("empty list", List.of()));
        v.add(new Named("empty set", Set.of()));
        v.add(new Named("empty map", Map.of()));
        v.add(new Named("list with null", Arrays.asList(1, null, "x", 2L, (byte) 3)));
        LinkedHashSet<Object> set = new LinkedHashSet<>(Arrays.asList("b", "a", null, 3, 3L, 3.0, 3.0f));
        v.add(new Named("set keeps order", set));
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("z", 1);
        map.put(null, null);
        map.put(1, "one");
        map.put(1L, "one long");
        map.put(List.of(1, 2), Set.of("k"));
        map.put(new UUID(3, 4), Map.of("nested", List.of()));
        map.put(new Point(0, 0), Color.RED);
        v.add(new Named("map of mixed keys", map));
        v.add(new Named("nested frozen collections", List.of(List.of(List.of(Map.of("a", Set.of(1)))), Set.of(List.of()))));
        Object deep = "bottom";
        for (int i = 0; i < 900; i++) {
            deep = List.of(deep);
        }
        v.add(new Named("list nested 900 deep", deep));
        v.add(new Named("record", new Point(1, -2)));
        v.add(new Named("record with nested records and collections",
                new Line(new Point(0, 0), new Point(3, 4), null, List.of(1, 2))));
        v.add(new Named("record under an alias", new Tag("t", Long.MIN_VALUE)));
        v.add(new Named("enum", Color.GREEN));
        v.add(new Named("enum with constant bodies", Op.MINUS));
        v.add(new Named("enum under an alias", Suit.SPADES));
        v.add(new Named("serialize and from hooks", new Money(1234, "EUR")));
        v.add(new Named("stringify hook under an alias", new Version(17, 3)));
        v.add(new Named("explicit functions", new Plain("hello")));
        v.add(new Named("explicit functions under an alias", new Opaque(new byte[] {1, 2})));
        v.add(new Named("bean", person()));
        v.add(new Named("empty bean", new Person()));
        v.add(new Named("bean under an alias", gadget()));
        v.add(new Named("registered classes in collections",
                List.of(new Point(1, 1), Map.of(Color.RED, new Money(1, "USD")), Set.of(Suit.HEARTS), person())));
        v.add(new Named("everything", everything()));
        return v;
    }

    /** One value that uses most tags, formats and registration kinds, for fuzzing. */
    static Object everything() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("nil", null);
        map.put(null, Arrays.asList(true, false, 1, -100, 70_000, 5L, 1L << 40, (byte) 1, (short) 2, 'c'));
        map.put(1.5f, 2.5);
        map.put("bytes", new byte[] {1, 2, 3});
        map.put(List.of(1), Set.of("a"));
        map.put("big", List.of(BigInteger.TWO.pow(70), new BigDecimal("1.50"), new UUID(1, 2)));
        map.put("time", List.of(Instant.ofEpochSecond(1, 2), Duration.ofMillis(5), LocalDate.of(2020, 1, 2),
                LocalDateTime.of(2020, 1, 2, 3, 4), OffsetDateTime.parse("2020-01-02T03:04:05+01:00"),
                ZonedDateTime.parse("2020-01-02T03:04Z[UTC]"), Period.of(1, 2, 3), YearMonth.of(2020, 5),
                ZoneId.of("Europe/Paris"), URI.create("a:b")));
        map.put("registered", List.of(new Point(3, 4), Color.RED, Op.PLUS, new Money(5, "EUR"), new Version(1, 2),
                new Plain("p"), new Tag("t", 9), Suit.HEARTS, new Opaque(new byte[] {9})));
        map.put("floats", List.of(Float.NaN, -0.0f, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Float.MAX_VALUE));
        map.put("strings", List.of("", "s".repeat(300), "\0\ud83d\ude00", "\u00e9t\u00e9"));
        map.put("ints", List.of(Integer.MIN_VALUE, Long.MAX_VALUE, 255, 256, 65535, 65536, -129, 4_294_967_295L));
        return map;
    }

    private static String describe(Object s) {
        String text = String.valueOf(s);
        if (text.length() > 40) {
            text = text.substring(0, 40) + "...";
        }
        return s.getClass().getSimpleName() + " " + text;
    }
}
