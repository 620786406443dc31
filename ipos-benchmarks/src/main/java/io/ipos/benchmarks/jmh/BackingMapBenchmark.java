package io.ipos.benchmarks.jmh;

import org.eclipse.collections.impl.map.mutable.UnifiedMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The backing map of a shared map's node, {@code java.util.HashMap<Object, Object>} (what {@code
 * MapNode} uses) against eclipse-collections' {@code UnifiedMap<Object, Object>}, with 1,000,000
 * {@code Integer -> Integer} entries.
 * <ul>
 *   <li>{@code *Put}: a new empty map filled with the 1,000,000 entries (keys and values made
 *       beforehand, as a decoded snapshot or op hands them over); time per entry;</li>
 *   <li>{@code *Get}: a hit for a key drawn at random (65,536 precomputed draws, taken in turn),
 *       with an equal but not identical {@code Integer}, as a user's {@code get} brings.</li>
 * </ul>
 * {@code *Put} makes a 1,000,000-entry map of garbage per call, a few calls per one-second
 * iteration, so garbage collection makes its figures noisy: compare medians over several
 * iterations. Memory per entry is measured separately, by {@link CollectionFootprint}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class BackingMapBenchmark {
    static final int ENTRIES = 1_000_000;
    private static final int DRAWS = 1 << 16;

    private Integer[] keys;
    private Integer[] values;
    private HashMap<Object, Object> jdk;
    private UnifiedMap<Object, Object> eclipse;
    private Integer[] draws;
    private int next;

    /**
     * The entries both maps hold: {@code i -> i * 31}, keys in random order.
     *
     * @return the keys, then the values
     */
    static Integer[][] entries() {
        Integer[] ks = new Integer[ENTRIES];
        Integer[] vs = new Integer[ENTRIES];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < ENTRIES; i++) {
            int j = random.nextInt(i + 1);
            ks[i] = ks[j];
            ks[j] = i;
        }
        for (int i = 0; i < ENTRIES; i++) {
            vs[i] = ks[i] * 31;
        }
        return new Integer[][] {ks, vs};
    }

    @Setup
    public void fill() {
        Integer[][] kv = entries();
        keys = kv[0];
        values = kv[1];
        jdk = new HashMap<>();
        eclipse = new UnifiedMap<>();
        fill(jdk);
        fill(eclipse);
        SplittableRandom random = new SplittableRandom(42);
        draws = new Integer[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            // a new Integer, equal to a stored key (the stored ones are outside the Integer cache)
            draws[i] = Integer.valueOf(keys[random.nextInt(ENTRIES)].intValue());
        }
    }

    private void fill(Map<Object, Object> map) {
        for (int i = 0; i < ENTRIES; i++) {
            map.put(keys[i], values[i]);
        }
    }

    /** 1,000,000 entries into a new JDK map; the score is per entry. */
    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public Object jdkPut() {
        HashMap<Object, Object> map = new HashMap<>();
        fill(map);
        return map;
    }

    /** 1,000,000 entries into a new eclipse-collections map; the score is per entry. */
    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public Object eclipsePut() {
        UnifiedMap<Object, Object> map = new UnifiedMap<>();
        fill(map);
        return map;
    }

    /** A hit in the JDK map. */
    @Benchmark
    public Object jdkGet() {
        return jdk.get(draws[next++ & (DRAWS - 1)]);
    }

    /** A hit in the eclipse-collections map. */
    @Benchmark
    public Object eclipseGet() {
        return eclipse.get(draws[next++ & (DRAWS - 1)]);
    }
}
