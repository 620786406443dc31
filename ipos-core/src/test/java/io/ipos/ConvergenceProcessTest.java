package io.ipos;

import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.read;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomized convergence across real processes: the parent and three children write at once
 * (random map, list and set ops, nested containers made and written into, fields reset and
 * deleted), each from its own seed; once all have finished and flushed, every process dumps its
 * whole state in canonical form, and the four dumps must be identical.
 *
 * <p>The children are started once and reused: each round, the parent resets the fields and
 * tells the children (through files) to go. Rounds: {@code -Dipos.convergence.rounds} (default
 * {@value #DEFAULT_ROUNDS}); ops per process per round: {@code -Dipos.convergence.ops} (default
 * {@value #DEFAULT_OPS}); first seed: {@code -Dipos.convergence.seed} (default 1).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConvergenceProcessTest {
    /** The parent's wire format: null for {@code IPOS.start()}'s default; the per-format subclasses name one. */
    String format() {
        return null;
    }

    /**
     * How the children link: {@code "socket"}, spawned (each on a private Unix socket);
     * {@code "stdio"}, started here and linked by their stdin/stdout ({@code addProcess});
     * {@code "tcp"}, processes of their own that join the parent's TCP address. The
     * per-transport subclasses name one.
     */
    String transport() {
        return "socket";
    }

    static final int DEFAULT_ROUNDS = 40;
    static final int DEFAULT_OPS = 1_000;
    static final int CHILDREN = 3;

    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicInteger divergences = new AtomicInteger();
    /** Runs in which all four writers were writing at the same moment. */
    private final AtomicInteger overlapped = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong stateChars = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong mirrorEvents = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger mirrorFailures = new AtomicInteger();
    private final AtomicInteger orderFailures = new AtomicInteger();
    /** Increments of the shared counter made in all runs, and those missing from it at the end. */
    private final java.util.concurrent.atomic.AtomicLong increments = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong lostIncrements = new java.util.concurrent.atomic.AtomicLong();

    private final List<IposException> errors = new CopyOnWriteArrayList<>();
    private Path dir;
    private IPOS ipos;
    private ChildMain.Kids kids;
    private int round;

    /** The rounds to run; the per-format subclasses run fewer. */
    int rounds() {
        return Integer.getInteger("ipos.convergence.rounds", DEFAULT_ROUNDS);
    }

    LongStream seeds() {
        long first = Long.getLong("ipos.convergence.seed", 1L);
        return LongStream.range(first, first + rounds());
    }

    static int ops() {
        return Integer.getInteger("ipos.convergence.ops", DEFAULT_OPS);
    }

    @BeforeAll
    void startChildren() throws Exception {
        dir = Files.createTempDirectory("ipos-convergence");
        IPOS.Options options = IPOS.options();
        if (format() != null) {
            options.format(format());
        }
        if (transport().equals("tcp")) {
            options.listen("tcp://127.0.0.1:0");
        }
        ipos = options.start().onError(errors::add);
        kids = new ChildMain.Kids();
        for (int i = 0; i < CHILDREN; i++) {
            String index = Integer.toString(i);
            switch (transport()) {
                case "socket" -> kids.spawn(ipos, ConvergenceProcessTest.class, "convergenceChild", dir.toString(), index);
                case "stdio" -> kids.spawnOverStdio(ipos, ConvergenceProcessTest.class, "convergenceChild", dir.toString(), index);
                case "tcp" -> kids.start(ChildMain.joinerProcess(ConvergenceProcessTest.class, "convergenceChild", dir.toString(),
                        index, ipos.address()));
                default -> throw new IllegalArgumentException(transport());
            }
        }
        ChildMain.await(CHILDREN + " children linked", () -> ipos.peers().size() == CHILDREN);
    }

    @AfterAll
    void stopChildren() throws IOException {
        signal(dir.resolve("stop"), "");
        try {
            ipos.close();
        } finally {
            kids.close();
        }
        System.out.println("[convergence] real processes, format " + ChildMain.formatName(format()) + ", children over "
                + transport() + " (parent + " + CHILDREN + " children, " + ops()
                + " ops each per run): " + runs.get() + " runs, " + divergences.get() + " divergences; all four writers "
                + "overlapped in " + overlapped.get() + " runs; mean final state " + stateChars.get() / Math.max(1, runs.get())
                + " chars; mirror rule: " + mirrorEvents.get() + " changes checked in " + runs.get() * (CHILDREN + 1)
                + " processes, " + mirrorFailures.get() + " failures; iteration order: " + orderFailures.get()
                + " processes differing from the parent; counter: " + increments.get() + " increments (merge/compute/computeIfPresent), "
                + lostIncrements.get() + " lost");
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void parentAndThreeChildrenWritingAtRandomConverge(long seed) {
        int r = round++;
        RandomWriter.resetFields(ipos, new Random(seed));
        ipos.flush().join();
        Mirrors mirror = new Mirrors(ipos);
        signal(dir.resolve("go-" + r), seed + " " + ops());
        long start = System.currentTimeMillis();
        RandomWriter writer = new RandomWriter(ipos, new Random(seed * 31));
        writer.run(ops());
        int counted = writer.counted;
        long latestStart = start;
        long earliestEnd = System.currentTimeMillis();
        for (int i = 0; i < CHILDREN; i++) {
            String[] window = awaitFile(dir.resolve("done-" + r + "-" + i)).split(" ");
            latestStart = Math.max(latestStart, Long.parseLong(window[0]));
            earliestEnd = Math.min(earliestEnd, Long.parseLong(window[1]));
            counted += Integer.parseInt(window[2]);
        }
        if (latestStart <= earliestEnd) {
            overlapped.incrementAndGet();
        }
        // every child's writes are applied here (each flushed); now every child has everything
        ipos.flush().join();
        signal(dir.resolve("dump-" + r), "");
        String parentDump = dump(ipos);
        stateChars.addAndGet(parentDump.length());
        List<String> diverged = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            String childDump = awaitFile(dir.resolve("state-" + r + "-" + i));
            if (!parentDump.equals(childDump)) {
                diverged.add("child " + i);
                System.err.println("[convergence] seed " + seed + ": child " + i + " diverged\n--- parent\n" + parentDump
                        + "--- child " + i + "\n" + childDump);
            }
        }
        runs.incrementAndGet();
        if (!diverged.isEmpty()) {
            divergences.incrementAndGet();
        }
        List<String> mirrorProblems = new ArrayList<>(mirror.mismatches());
        mirrorEvents.addAndGet(mirror.events.get());
        mirror.close();
        if (!mirrorProblems.isEmpty()) {
            mirrorFailures.incrementAndGet();
        }
        String parentOrder = orderOf(ipos);
        List<String> orderDiffers = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            String[] report = awaitFile(dir.resolve("mirror-" + r + "-" + i)).split("\n", 2);
            mirrorEvents.addAndGet(Long.parseLong(report[0]));
            if (report.length > 1 && !report[1].isEmpty()) {
                mirrorFailures.incrementAndGet();
                mirrorProblems.add("child " + i + ": " + report[1]);
            }
            if (!parentOrder.equals(awaitFile(dir.resolve("order-" + r + "-" + i)))) {
                orderFailures.incrementAndGet();
                orderDiffers.add("child " + i);
            }
        }
        int total = RandomWriter.counterValue(ipos);
        increments.addAndGet(counted);
        lostIncrements.addAndGet(counted - total);
        assertEquals(List.of(), diverged, "seed " + seed);
        assertEquals(counted, total, "seed " + seed + ": every increment of the counter, from every process");
        assertEquals(List.of(), mirrorProblems, "seed " + seed + ": the mirror rule");
        assertEquals(List.of(), orderDiffers, "seed " + seed + ": iteration order");
        assertEquals(CHILDREN, ipos.peers().size(), "every child still linked");
        assertTrue(errors.isEmpty(), errors.toString());
    }

    static void convergenceChild(String[] args) {
        Path dir = Path.of(args[0]);
        int index = Integer.parseInt(args[1]);
        IPOS ipos = args.length > 2 ? IPOS.join(args[2]) : IPOS.connect(); // a joiner is given the address
        for (int r = 0; ; r++) {
            Path go = dir.resolve("go-" + r);
            Path stop = dir.resolve("stop");
            ChildMain.await("round " + r + " or stop", () -> Files.exists(go) || Files.exists(stop)
                    || !ipos.isConnected(), java.time.Duration.ofMinutes(10));
            if (!Files.exists(go)) {
                ipos.close();
                return;
            }
            String[] spec = read(go).split(" ");
            long seed = Long.parseLong(spec[0]);
            Mirrors mirror = new Mirrors(ipos);
            long start = System.currentTimeMillis();
            RandomWriter writer = new RandomWriter(ipos, new Random(seed * 31 + index + 1));
            writer.run(Integer.parseInt(spec[1]));
            long end = System.currentTimeMillis();
            ipos.flush().join();
            signal(dir.resolve("done-" + r + "-" + index), start + " " + end + " " + writer.counted);
            awaitFile(dir.resolve("dump-" + r));
            signal(dir.resolve("state-" + r + "-" + index), dump(ipos));
            List<String> problems = mirror.mismatches();
            mirror.close();
            signal(dir.resolve("order-" + r + "-" + index), orderOf(ipos));
            signal(dir.resolve("mirror-" + r + "-" + index), mirror.events.get() + "\n"
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
        }
    }

    // ---------------------------------------------------------------- the random writer

    /** Every map's and set's iteration order, field by field, depth first (lists are ordered anyway). */
    static String orderOf(IPOS ipos) {
        StringBuilder sb = new StringBuilder();
        for (String key : new java.util.TreeSet<>(ipos.keys())) {
            sb.append(key).append(": ");
            order(ipos.get(key), sb);
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void order(Object v, StringBuilder sb) {
        if (v instanceof java.util.Map<?, ?> m) {
            sb.append('{');
            m.forEach((k, x) -> {
                sb.append(ChildMain.canon(k)).append('=');
                order(x, sb);
                sb.append(' ');
            });
            sb.append('}');
        } else if (v instanceof java.util.Collection<?> c) {
            sb.append(v instanceof java.util.Set ? "<" : "[");
            c.forEach(x -> {
                order(x, sb);
                sb.append(' ');
            });
            sb.append(v instanceof java.util.Set ? ">" : "]");
        } else {
            sb.append(ChildMain.canon(v));
        }
    }

    /**
     * Random writes on an instance's fields: map put/remove/putAll/clear/merge/removeIf, list
     * add anywhere/set/remove/subList clear/sort/iterator writes, set add/remove/removeAll,
     * nested containers made and then written into, fields reset and deleted. Any process may
     * change a list between this writer's {@code size()} and its write, so an index that turns
     * out to be stale is counted and skipped, as a user would. Now and then it adds 1 to the
     * shared counter (field {@value #COUNTER}, key {@code n}) with merge, compute or
     * computeIfPresent, and counts that in {@link #counted}: at the end the counter must hold every
     * writer's count (no lost updates).
     */
    static final class RandomWriter {
        static final List<String> FIELDS = List.of("m0", "m1", "l0", "l1", "s0", "s1", "x");
        /** The counter's field: never deleted or reset by a writer. */
        static final String COUNTER = "count";

        final IPOS ipos;
        final Random rnd;
        int staleIndices;
        int counted;

        RandomWriter(IPOS ipos, Random rnd) {
            this.ipos = ipos;
            this.rnd = rnd;
        }

        /** Deletes every field and creates each of {@link #FIELDS} with random contents. */
        static void resetFields(IPOS ipos, Random rnd) {
            for (String k : ipos.keys()) {
                ipos.delete(k);
            }
            RandomWriter w = new RandomWriter(ipos, rnd);
            for (String f : FIELDS) {
                w.resetField(f);
            }
            ipos.create(COUNTER, Map.of("n", 0));
        }

        /** What the counter holds here. */
        static int counterValue(IPOS ipos) {
            Map<String, Integer> counter = ipos.get(COUNTER);
            return counter.get("n");
        }

        /** Adds 1 to the counter, one of three ways. */
        void count() {
            SharedMap<String, Integer> counter = ipos.get(COUNTER);
            switch (rnd.nextInt(3)) {
                case 0 -> counter.merge("n", 1, Integer::sum);
                case 1 -> counter.compute("n", (k, v) -> v == null ? 1 : v + 1);
                default -> counter.computeIfPresent("n", (k, v) -> v + 1);
            }
            counted++;
        }

        void run(int ops) {
            for (int i = 0; i < ops; i++) {
                step();
            }
        }

        void step() {
            int r = rnd.nextInt(100);
            try {
                if (r < 1) {
                    ipos.delete(field());
                } else if (r < 3) {
                    resetField(field());
                } else if (r < 7) {
                    count();
                } else {
                    Object target = pickContainer();
                    if (target instanceof Map<?, ?> m) {
                        mapOp(cast(m));
                    } else if (target instanceof List<?> l) {
                        listOp(cast(l));
                    } else if (target instanceof Set<?> s) {
                        setOp(cast(s));
                    } else {
                        resetField(field());
                    }
                }
            } catch (IndexOutOfBoundsException e) {
                staleIndices++;
            }
        }

        String field() {
            return FIELDS.get(rnd.nextInt(FIELDS.size()));
        }

        void resetField(String f) {
            switch (f.charAt(0)) {
                case 'm' -> ipos.create(f, randomMap(0));
                case 'l' -> ipos.create(f, randomList(0));
                case 's' -> ipos.create(f, randomSet());
                default -> ipos.create(f, randomValue(1));
            }
        }

        /** A field's container, or one nested in it (descending at random). */
        Object pickContainer() {
            Object v = ipos.get(field());
            while (rnd.nextBoolean()) {
                List<Object> nested = new ArrayList<>();
                if (v instanceof Map<?, ?> m) {
                    for (Object x : m.values().toArray()) {
                        if (x instanceof Map || x instanceof List || x instanceof Set) {
                            nested.add(x);
                        }
                    }
                } else if (v instanceof List<?> l) {
                    for (Object x : l.toArray()) {
                        if (x instanceof Map || x instanceof List || x instanceof Set) {
                            nested.add(x);
                        }
                    }
                }
                if (nested.isEmpty()) {
                    break;
                }
                v = nested.get(rnd.nextInt(nested.size()));
            }
            return v;
        }

        Object key() {
            return rnd.nextInt(5) == 0 ? (Object) rnd.nextInt(4) : "k" + rnd.nextInt(8);
        }

        Object scalar() {
            return switch (rnd.nextInt(9)) {
                case 0 -> rnd.nextInt(100);
                case 1 -> (long) rnd.nextInt(100);
                case 2 -> "s" + rnd.nextInt(50);
                case 3 -> rnd.nextBoolean();
                case 4 -> rnd.nextInt(10) / 4.0;
                case 5 -> null;
                case 6 -> new BigDecimal(rnd.nextInt(1000)).movePointLeft(2);
                case 7 -> List.of(rnd.nextInt(3), "frozen");
                default -> "" + (char) ('a' + rnd.nextInt(26));
            };
        }

        /** A map value or list element: a scalar, a byte[], or (not too deep) a new container. */
        Object randomValue(int depth) {
            int r = rnd.nextInt(10);
            if (depth < 3 && r < 2) {
                return switch (rnd.nextInt(3)) {
                    case 0 -> randomMap(depth + 1);
                    case 1 -> randomList(depth + 1);
                    default -> randomSet();
                };
            }
            if (r == 2) {
                byte[] b = new byte[rnd.nextInt(4)];
                rnd.nextBytes(b);
                return b;
            }
            return scalar();
        }

        Map<Object, Object> randomMap(int depth) {
            Map<Object, Object> m = new HashMap<>();
            for (int i = rnd.nextInt(4); i > 0; i--) {
                m.put(key(), randomValue(depth + 1));
            }
            return m;
        }

        List<Object> randomList(int depth) {
            List<Object> l = new ArrayList<>();
            for (int i = rnd.nextInt(5); i > 0; i--) {
                l.add(randomValue(depth + 1));
            }
            return l;
        }

        Set<Object> randomSet() {
            Set<Object> s = new HashSet<>();
            for (int i = rnd.nextInt(5); i > 0; i--) {
                s.add(scalar());
            }
            return s;
        }

        void mapOp(Map<Object, Object> m) {
            int r = rnd.nextInt(100);
            if (r < 30) {
                m.put(key(), randomValue(1));
            } else if (r < 45) {
                m.remove(key());
            } else if (r < 55) {
                Map<Object, Object> more = new HashMap<>();
                for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
                    more.put(key(), randomValue(1));
                }
                m.putAll(more);
            } else if (r < 60) {
                if (m.size() > 6) {
                    m.clear();
                } else {
                    m.remove(key());
                }
            } else if (r < 68) {
                m.merge(key(), 1, (a, b) -> a instanceof Integer i ? (Object) (i + 1) : b);
            } else if (r < 72) {
                m.compute(key(), (k, v) -> v == null ? "computed" : null);
            } else if (r < 76) {
                int parity = rnd.nextInt(2);
                m.entrySet().removeIf(e -> Math.floorMod(ChildMain.canon(e.getKey()).hashCode(), 3) == parity);
            } else if (r < 80) {
                m.keySet().remove(key());
            } else if (r < 83) {
                m.replaceAll((k, v) -> v instanceof Integer i ? (Object) (i * 2) : v);
            } else if (r < 86) {
                for (Iterator<Map.Entry<Object, Object>> it = m.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<Object, Object> e = it.next();
                    if (rnd.nextInt(4) == 0) {
                        it.remove();
                    }
                }
            } else {
                Object nested = m.computeIfAbsent(key(), k -> rnd.nextBoolean() ? new HashMap<>() : new ArrayList<>());
                if (nested instanceof Map<?, ?> n) {
                    this.<Map<Object, Object>>cast(n).put(key(), scalar());
                } else if (nested instanceof List<?> n) {
                    this.<List<Object>>cast(n).add(scalar());
                }
            }
        }

        void listOp(List<Object> l) {
            int size = l.size();
            int r = rnd.nextInt(100);
            if (size > 25 && r < 50) {
                r = 40; // shrink
            }
            if (r < 20) {
                l.add(rnd.nextInt(size + 1), randomValue(1));
            } else if (r < 32) {
                l.add(randomValue(1));
            } else if (r < 45) {
                l.set(rnd.nextInt(Math.max(size, 1)), randomValue(1));
            } else if (r < 60) {
                l.remove(rnd.nextInt(Math.max(size, 1)));
            } else if (r < 67) {
                int from = rnd.nextInt(size + 1);
                l.subList(from, Math.min(size, from + rnd.nextInt(4))).clear();
            } else if (r < 72) {
                l.sort(Comparator.comparing(ChildMain::canon));
            } else if (r < 78) {
                l.addAll(rnd.nextInt(size + 1), List.of(scalar() == null ? 0 : 1, "bulk" + rnd.nextInt(9)));
            } else if (r < 82) {
                String gone = "s" + rnd.nextInt(50);
                l.removeIf(x -> gone.equals(x) || x instanceof Boolean);
            } else if (r < 85) {
                l.replaceAll(x -> x instanceof Long v ? (Object) (v + 1) : x);
            } else if (r < 89) {
                for (ListIterator<Object> it = l.listIterator(); it.hasNext(); ) {
                    Object x = it.next();
                    if (x instanceof Integer) {
                        it.set("was an int");
                    } else if (rnd.nextInt(8) == 0) {
                        it.add("inserted");
                    }
                }
            } else if (r < 93) {
                for (Iterator<Object> it = l.iterator(); it.hasNext(); ) {
                    it.next();
                    if (rnd.nextInt(5) == 0) {
                        it.remove();
                    }
                }
            } else {
                Object x = size == 0 ? null : l.get(rnd.nextInt(size));
                if (x instanceof Map<?, ?> n) {
                    this.<Map<Object, Object>>cast(n).put(key(), randomValue(2));
                } else if (x instanceof List<?> n) {
                    this.<List<Object>>cast(n).add(0, scalar());
                } else if (x instanceof Set<?> n) {
                    this.<Set<Object>>cast(n).add(scalar());
                } else {
                    l.add(randomList(2));
                }
            }
        }

        void setOp(Set<Object> s) {
            int r = rnd.nextInt(100);
            if (r < 40) {
                s.add(scalar());
            } else if (r < 62) {
                s.remove(scalar());
            } else if (r < 72) {
                s.addAll(Arrays.asList(scalar(), scalar()));
            } else if (r < 80) {
                s.removeAll(Arrays.asList(scalar(), scalar(), scalar()));
            } else if (r < 85) {
                s.removeIf(x -> x instanceof String);
            } else if (r < 88) {
                s.retainAll(Arrays.asList(scalar(), scalar(), 1, 2, 3, "s1", "s2"));
            } else if (r < 90) {
                if (s.size() > 8) {
                    s.clear();
                }
            } else {
                for (Iterator<Object> it = s.iterator(); it.hasNext(); ) {
                    it.next();
                    if (rnd.nextInt(4) == 0) {
                        it.remove();
                    }
                }
            }
        }

        @SuppressWarnings("unchecked")
        <T> T cast(Object o) {
            return (T) o;
        }
    }
}
