package io.ipos.benchmarks.jmh;

import org.eclipse.collections.impl.map.mutable.primitive.LongObjectHashMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.HashMap;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The replica's node table, id to container, as {@code java.util.HashMap<Long, Object>} (what
 * {@code Replica} uses) against eclipse-collections' {@code LongObjectHashMap<Object>}, at 1,000
 * and 1,000,000 nodes.
 *
 * <p>Ids are made as the product makes them, {@code counter << 20 | creator}: four processes
 * (the parent and three children) each count their containers from 1, taking turns. The JDK map
 * is used as {@code Replica} uses it, with a primitive {@code long} boxed at every call.
 * <ul>
 *   <li>{@code *Get}: a hit, {@code node(id)} for an id drawn at random from the table (65,536
 *       precomputed draws, taken in turn), as every op applied and every container literal
 *       decoded does;</li>
 *   <li>{@code *Churn}: one container detached and one made, {@code remove} of the oldest id and
 *       {@code put} of a new one from the same creator, so the table keeps its size.</li>
 * </ul>
 * Memory per entry is measured separately, by {@link CollectionFootprint}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class NodeTableBenchmark {
    /** Processes making containers: the parent (creator 0) and three children. */
    static final int CREATORS = 4;
    static final int CREATOR_BITS = 20;
    private static final int DRAWS = 1 << 16;

    @Param({"1000", "1000000"})
    public int size;

    private final Object node = new Object();
    private HashMap<Long, Object> jdk;
    /** The JDK map keyed as {@code Replica} keys it: the id rotated so the counter is in the low bits. */
    private HashMap<Long, Object> rotated;
    private LongObjectHashMap<Object> eclipse;
    /** Ids to look up, drawn from the table. */
    private long[] draws;
    private int next;
    /** The live ids, oldest first from {@link #oldest}: churn removes the oldest and puts a new one in its slot. */
    private long[] jdkLive;
    private long[] eclipseLive;
    private long[] rotatedLive;
    private int rotatedOldest;
    private int jdkOldest;
    private int eclipseOldest;

    /**
     * The id of the {@code i}th container made (from 0) when {@link #CREATORS} processes take turns.
     *
     * @param i the container's index in the order made
     * @return its id
     */
    static long id(long i) {
        long creator = i % CREATORS;
        long counter = i / CREATORS + 1;
        return counter << CREATOR_BITS | creator;
    }

    /**
     * The id made {@code size} containers after {@code id}: the same creator, its counter moved on
     * by {@code size / CREATORS}, just past that creator's newest live id.
     */
    private static long laterId(long id, int size) {
        return id + ((long) (size / CREATORS) << CREATOR_BITS);
    }

    @Setup
    public void fill() {
        jdk = new HashMap<>();
        rotated = new HashMap<>();
        eclipse = new LongObjectHashMap<>();
        jdkLive = new long[size];
        for (int i = 0; i < size; i++) {
            long id = id(i);
            jdk.put(id, node);
            rotated.put(rotate(id), node);
            eclipse.put(id, node);
            jdkLive[i] = id;
        }
        eclipseLive = jdkLive.clone();
        rotatedLive = jdkLive.clone();
        SplittableRandom random = new SplittableRandom(42);
        draws = new long[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            draws[i] = jdkLive[random.nextInt(size)];
        }
    }

    private static long rotate(long id) {
        return Long.rotateRight(id, CREATOR_BITS);
    }

    /** A hit in the JDK map keyed by the rotated id, boxing it. */
    @Benchmark
    public Object rotatedGet() {
        long id = draws[next++ & (DRAWS - 1)];
        return rotated.get(rotate(id));
    }

    /** The oldest container detached, a new one made, in the JDK map keyed by the rotated id. */
    @Benchmark
    public Object rotatedChurn() {
        int slot = rotatedOldest;
        long old = rotatedLive[slot];
        long id = laterId(old, size);
        rotatedLive[slot] = id;
        rotatedOldest = slot + 1 == size ? 0 : slot + 1;
        rotated.remove(rotate(old));
        return rotated.put(rotate(id), node);
    }

    /** A hit in the JDK map, boxing the id. */
    @Benchmark
    public Object jdkGet() {
        long id = draws[next++ & (DRAWS - 1)];
        return jdk.get(id);
    }

    /** A hit in the eclipse-collections map. */
    @Benchmark
    public Object eclipseGet() {
        long id = draws[next++ & (DRAWS - 1)];
        return eclipse.get(id);
    }

    /** The oldest container detached, a new one made, in the JDK map. */
    @Benchmark
    public Object jdkChurn() {
        int slot = jdkOldest;
        long old = jdkLive[slot];
        long id = laterId(old, size);
        jdkLive[slot] = id;
        jdkOldest = slot + 1 == size ? 0 : slot + 1;
        jdk.remove(old);
        return jdk.put(id, node);
    }

    /** The oldest container detached, a new one made, in the eclipse-collections map. */
    @Benchmark
    public Object eclipseChurn() {
        int slot = eclipseOldest;
        long old = eclipseLive[slot];
        long id = laterId(old, size);
        eclipseLive[slot] = id;
        eclipseOldest = slot + 1 == size ? 0 : slot + 1;
        eclipse.remove(old);
        return eclipse.put(id, node);
    }
}
