package io.ipos.benchmarks;

import io.ipos.IPOS;
import io.ipos.SharedMap;

import java.util.LinkedHashMap;
import java.util.Locale;

import org.openjdk.jol.info.GraphStats;

/**
 * Runs in a JVM of its own (started by {@link Memory}), so JOL's set-up and the million-entry
 * maps touch nothing else, and prints {@code name value unit} lines.
 *
 * <p>What is counted, with JOL's {@link GraphStats} (shallow sizes of every object reachable
 * through instance fields):
 * <ul>
 *   <li>the {@code SharedMap}: everything reachable from the {@code IPOS} instance after
 *       {@code create("m", map)} minus everything reachable from it just before. That is what the
 *       map adds to the instance, its node, its backing table, the entries, the keys and values,
 *       and its entries in the instance's bookkeeping (node table, root field), and not the
 *       instance's own machinery (lock, codec, replicator), which the map merely points to;</li>
 *   <li>the {@code LinkedHashMap} (the plain map with the same iteration guarantee): everything
 *       reachable from it, with the same key and value objects.</li>
 * </ul>
 * Keys are {@code "k0".."k999999"}, values their index as {@code Integer}.
 */
public final class MemoryFootprint {
    static final int ENTRIES = 1_000_000;

    private MemoryFootprint() {
    }

    /**
     * Measures and prints.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        LinkedHashMap<String, Integer> plain = new LinkedHashMap<>(Lifecycle.bigMap(ENTRIES));
        try (IPOS ipos = IPOS.start()) {
            long before = GraphStats.parseInstance(ipos).totalSize();
            SharedMap<String, Integer> shared = ipos.create("m", plain);
            GraphStats after = GraphStats.parseInstance(ipos);
            long sharedBytes = after.totalSize() - before;
            long plainBytes = GraphStats.parseInstance(plain).totalSize();
            if (shared.size() != ENTRIES) {
                throw new IllegalStateException("the shared map holds " + shared.size() + " entries, not " + ENTRIES);
            }
            print("mem.map1m.shared", sharedBytes / 1e6, "MB");
            print("mem.map1m.linkedhashmap", plainBytes / 1e6, "MB");
            print("mem.map1m.ratio", (double) sharedBytes / plainBytes, "x");
        }
    }

    private static void print(String name, double value, String unit) {
        System.out.println(String.format(Locale.ROOT, "%s %.6f %s", name, value, unit));
    }
}
