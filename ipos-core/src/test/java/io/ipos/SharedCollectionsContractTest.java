package io.ipos;

import com.google.common.collect.testing.ListTestSuiteBuilder;
import com.google.common.collect.testing.MapTestSuiteBuilder;
import com.google.common.collect.testing.SetTestSuiteBuilder;
import com.google.common.collect.testing.TestStringListGenerator;
import com.google.common.collect.testing.TestStringMapGenerator;
import com.google.common.collect.testing.TestStringSetGenerator;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.Feature;
import com.google.common.collect.testing.features.ListFeature;
import com.google.common.collect.testing.features.MapFeature;
import com.google.common.collect.testing.features.SetFeature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;
import junit.extensions.TestSetup;
import junit.framework.AssertionFailedError;
import junit.framework.Test;
import junit.framework.TestSuite;

/**
 * The {@code java.util} contract of {@link SharedMap}, {@link SharedList} and {@link SharedSet},
 * proven by Guava testlib's suites (JUnit 3, run through the JUnit Vintage engine).
 *
 * <p>Each collection is tested as itself and, for the list, as {@code subList} views one and two
 * levels deep (its elements sit between other elements of a shared list). Every suite runs three
 * times:
 * <ul>
 *   <li><b>[parent]</b>: the collection comes from {@code IPOS.start().create("x", ...)}, a parent
 *       with no children, so every write takes the local path;</li>
 *   <li><b>[child]</b>: the parent of an {@link InProcessPair} creates a fresh field per generated
 *       instance, and the suite tests the child's view of it ({@code child.get(field)} after
 *       {@code settle()}), so every write is applied at once, kept pending, re-based over the
 *       parent's concurrent writes and then acknowledged. After each test the pair settles and the
 *       parent's copy must equal the child's: the ops a contract method emitted replicate exactly
 *       what it did locally;</li>
 *   <li><b>[child, nested]</b>: the same, with the collection nested in a map field.</li>
 * </ul>
 *
 * <p>Features are declared as the collections behave: general purpose, nulls allowed as keys,
 * values, elements and in queries, iterator removal supported. Not declared:
 * <ul>
 *   <li>{@code FAILS_FAST_ON_CONCURRENT_MODIFICATION}: iterators walk a snapshot by design and never
 *       throw {@code ConcurrentModificationException}; testlib then skips the fail-fast tests;</li>
 *   <li>{@code KNOWN_ORDER} for maps and sets: they are backed by a {@code HashMap}/{@code HashSet};</li>
 *   <li>{@code RESTRICTS_KEYS/VALUES/ELEMENTS}: values must be shareable, but testlib's samples are
 *       Strings, which always are; the only effect of declaring them would be to skip
 *       {@code testAdd_nullSupported} and {@code testAddAll_nullSupported}, which we pass;</li>
 *   <li>{@code SERIALIZABLE}: shared collections are replicated, not Java-serialized.</li>
 * </ul>
 * No test is suppressed.
 */
public final class SharedCollectionsContractTest {
    private SharedCollectionsContractTest() {
    }

    /** Elements around a sub-list's range in its backing list: never equal to testlib's samples. */
    private static final List<String> PREFIX = List.of("prefix-0", "prefix-1");
    private static final List<String> SUFFIX = List.of("suffix-0");

    @SuppressWarnings("exports") // JUnit 3's Test, from the unnamed module, in this patched test module
    public static Test suite() {
        TestSuite all = new TestSuite("SharedCollectionsContractTest");
        List<Supplier<Backend>> backends = List.of(ParentBackend::new, () -> new ChildBackend(false), () -> new ChildBackend(true));
        for (Supplier<Backend> backend : backends) {
            all.addTest(closing(backend, SharedCollectionsContractTest::mapSuite));
            all.addTest(closing(backend, SharedCollectionsContractTest::listSuite));
            all.addTest(closing(backend, b -> subListSuite(b, 1)));
            all.addTest(closing(backend, b -> subListSuite(b, 2)));
            all.addTest(closing(backend, SharedCollectionsContractTest::setSuite));
        }
        return all;
    }

    // ---------------------------------------------------------------- suites

    static Test mapSuite(Backend backend) {
        return MapTestSuiteBuilder.using(new TestStringMapGenerator() {
                    @Override
                    protected Map<String, String> create(Map.Entry<String, String>[] entries) {
                        Map<String, String> contents = new LinkedHashMap<>();
                        for (Map.Entry<String, String> e : entries) {
                            contents.put(e.getKey(), e.getValue());
                        }
                        return backend.map(contents);
                    }
                })
                .named("SharedMap " + backend)
                .withFeatures(MapFeature.GENERAL_PURPOSE,
                        MapFeature.ALLOWS_NULL_KEYS,
                        MapFeature.ALLOWS_NULL_VALUES,
                        MapFeature.ALLOWS_ANY_NULL_QUERIES,
                        CollectionFeature.SUPPORTS_ITERATOR_REMOVE,
                        CollectionSize.ANY)
                .withTearDown(backend::verifyReplicated)
                .createTestSuite();
    }

    static Test listSuite(Backend backend) {
        return ListTestSuiteBuilder.using(new TestStringListGenerator() {
                    @Override
                    protected List<String> create(String[] elements) {
                        return backend.list(Arrays.asList(elements));
                    }
                })
                .named("SharedList " + backend)
                .withFeatures(listFeatures())
                .withTearDown(backend::verifyReplicated)
                .createTestSuite();
    }

    /**
     * The list contract for {@code subList} views, {@code depth} levels deep: the generated elements
     * sit between {@link #PREFIX} and {@link #SUFFIX} in the shared list, and testlib gets the view.
     */
    static Test subListSuite(Backend backend, int depth) {
        return ListTestSuiteBuilder.using(new TestStringListGenerator() {
                    @Override
                    protected List<String> create(String[] elements) {
                        List<String> contents = new ArrayList<>();
                        for (int i = 0; i < depth; i++) {
                            contents.addAll(PREFIX);
                        }
                        contents.addAll(Arrays.asList(elements));
                        for (int i = 0; i < depth; i++) {
                            contents.addAll(SUFFIX);
                        }
                        List<String> view = backend.list(contents);
                        for (int i = 0; i < depth; i++) {
                            view = view.subList(PREFIX.size(), view.size() - SUFFIX.size());
                        }
                        return view;
                    }
                })
                .named("SharedList" + ".subList".repeat(depth) + " " + backend)
                .withFeatures(listFeatures())
                .withTearDown(backend::verifyReplicated)
                .createTestSuite();
    }

    private static List<Feature<?>> listFeatures() {
        return List.of(ListFeature.GENERAL_PURPOSE,
                CollectionFeature.ALLOWS_NULL_VALUES,
                CollectionFeature.ALLOWS_NULL_QUERIES,
                CollectionFeature.SUPPORTS_ITERATOR_REMOVE,
                CollectionFeature.KNOWN_ORDER,
                CollectionSize.ANY);
    }

    static Test setSuite(Backend backend) {
        return SetTestSuiteBuilder.using(new TestStringSetGenerator() {
                    @Override
                    protected Set<String> create(String[] elements) {
                        return backend.set(new LinkedHashSet<>(Arrays.asList(elements)));
                    }
                })
                .named("SharedSet " + backend)
                .withFeatures(SetFeature.GENERAL_PURPOSE,
                        CollectionFeature.ALLOWS_NULL_VALUES,
                        CollectionFeature.ALLOWS_NULL_QUERIES,
                        CollectionFeature.SUPPORTS_ITERATOR_REMOVE,
                        CollectionSize.ANY)
                .withTearDown(backend::verifyReplicated)
                .createTestSuite();
    }

    /** A suite over a fresh backend, closed when the suite ends. */
    private static Test closing(Supplier<Backend> backends, Function<Backend, Test> suite) {
        Backend backend = backends.get();
        return new TestSetup(suite.apply(backend)) {
            @Override
            protected void tearDown() {
                backend.close();
            }
        };
    }

    // ---------------------------------------------------------------- where collections come from

    /** Makes the shared collections a suite tests. */
    abstract static class Backend {
        abstract <K, V> Map<K, V> map(Map<K, V> contents);

        abstract <E> List<E> list(List<E> contents);

        abstract <E> Set<E> set(Set<E> contents);

        /** After each test: what the test did is replicated. */
        void verifyReplicated() {
        }

        void close() {
        }
    }

    /** A parent with no children: the local path. */
    static final class ParentBackend extends Backend {
        @Override
        <K, V> Map<K, V> map(Map<K, V> contents) {
            return IPOS.start().create("x", contents);
        }

        @Override
        <E> List<E> list(List<E> contents) {
            return IPOS.start().create("x", contents);
        }

        @Override
        <E> Set<E> set(Set<E> contents) {
            return IPOS.start().create("x", contents);
        }

        @Override
        public String toString() {
            return "[parent]";
        }
    }

    /**
     * The child's view of a field the parent created: the pending/acknowledge/re-base path. One
     * pair per suite, made on first use and closed with the suite; one field per generated instance.
     *
     * <p>While the suite runs, the parent keeps writing to a field of its own ({@code "noise"}), so
     * foreign ops keep reaching the child while its writes are pending: the child undoes and redoes
     * them (re-bases) over and over, and its view must still honour the contract.
     *
     * <p>{@code nested}: the collection under test is not a field but the value under key
     * {@code "c"} of a map field, so every op addresses a nested node.
     */
    static final class ChildBackend extends Backend {
        private final boolean nested;
        private InProcessPair pair;
        private Thread noise;
        private volatile boolean closed;
        private int fields;
        private final List<String> unverified = new ArrayList<>();

        ChildBackend(boolean nested) {
            this.nested = nested;
        }

        private InProcessPair pair() {
            if (pair == null) {
                InProcessPair p = new InProcessPair(1);
                SharedMap<String, Integer> ticks = p.parent.create("noise", Map.of());
                noise = new Thread(() -> {
                    for (int i = 0; !closed; i++) {
                        ticks.put("tick", i);
                        LockSupport.parkNanos(50_000);
                    }
                }, "contract-noise");
                noise.setDaemon(true);
                noise.start();
                pair = p;
            }
            return pair;
        }

        private <T> T inChild(Object contents) {
            InProcessPair p = pair();
            String field = "x" + fields++;
            p.parent.create(field, nested ? Map.of("c", contents) : contents);
            p.settle();
            unverified.add(field);
            T view = nested ? p.child(0).<Map<String, T>>get(field).get("c") : p.child(0).get(field);
            if (view == null) {
                throw new AssertionFailedError("field " + field + " did not reach the child");
            }
            return view;
        }

        @Override
        <K, V> Map<K, V> map(Map<K, V> contents) {
            return inChild(contents);
        }

        @Override
        <E> List<E> list(List<E> contents) {
            return inChild(contents);
        }

        @Override
        <E> Set<E> set(Set<E> contents) {
            return inChild(contents);
        }

        @Override
        void verifyReplicated() {
            if (pair == null) {
                return;
            }
            pair.settle();
            for (String field : unverified) {
                Object inParent = pair.parent.get(field);
                Object inChild = pair.child(0).get(field);
                if (!inParent.equals(inChild) || !inChild.equals(inParent)) {
                    throw new AssertionFailedError("field " + field + " diverged: parent holds " + inParent
                            + ", child holds " + inChild);
                }
            }
            unverified.clear();
            if (!pair.parentErrors.isEmpty() || !pair.childErrors.isEmpty()) {
                throw new AssertionFailedError("link errors: parent " + pair.parentErrors + ", child " + pair.childErrors);
            }
        }

        @Override
        void close() {
            closed = true;
            if (pair != null) {
                try {
                    noise.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                pair.close();
                pair = null;
            }
        }

        @Override
        public String toString() {
            return nested ? "[child, nested]" : "[child]";
        }
    }
}
