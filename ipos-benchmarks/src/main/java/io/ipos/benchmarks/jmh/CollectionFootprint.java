package io.ipos.benchmarks.jmh;

import org.eclipse.collections.impl.map.mutable.UnifiedMap;
import org.eclipse.collections.impl.map.mutable.primitive.LongObjectHashMap;
import org.openjdk.jol.info.GraphStats;

import java.util.HashMap;
import java.util.Locale;

/**
 * The memory side of {@link NodeTableBenchmark} and {@link BackingMapBenchmark}: the retained size
 * of each map at 1,000,000 entries, with JOL's {@link GraphStats} (shallow sizes of every object
 * reachable from the map), printed as {@code name bytes-per-entry total-bytes} lines.
 *
 * <ul>
 *   <li>node table: the same ids in both maps, every value the one shared object (counted once,
 *       so the figure is the table's own cost: entries, boxed {@code Long} keys, arrays);</li>
 *   <li>backing map: the same {@code Integer} keys and values in both maps (counted in both: they
 *       are the same for both, 32 bytes per entry with compressed oops).</li>
 * </ul>
 *
 * <pre>
 * java -Djdk.attach.allowAttachSelf=true -cp ipos-benchmarks.jar io.ipos.benchmarks.jmh.CollectionFootprint
 * </pre>
 */
public final class CollectionFootprint {
    static final int ENTRIES = 1_000_000;

    private CollectionFootprint() {
    }

    /**
     * Measures and prints.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Object node = new Object();
        HashMap<Long, Object> jdkNodes = new HashMap<>();
        LongObjectHashMap<Object> eclipseNodes = new LongObjectHashMap<>();
        for (int i = 0; i < ENTRIES; i++) {
            long id = NodeTableBenchmark.id(i);
            jdkNodes.put(id, node);
            eclipseNodes.put(id, node);
        }
        print("nodeTable.jdk.HashMap<Long,Object>", GraphStats.parseInstance(jdkNodes).totalSize());
        print("nodeTable.eclipse.LongObjectHashMap", GraphStats.parseInstance(eclipseNodes).totalSize());
        jdkNodes = null;
        eclipseNodes = null;

        Integer[][] kv = BackingMapBenchmark.entries();
        HashMap<Object, Object> jdkMap = new HashMap<>();
        UnifiedMap<Object, Object> eclipseMap = new UnifiedMap<>();
        for (int i = 0; i < ENTRIES; i++) {
            jdkMap.put(kv[0][i], kv[1][i]);
            eclipseMap.put(kv[0][i], kv[1][i]);
        }
        print("backingMap.jdk.HashMap<Object,Object>", GraphStats.parseInstance(jdkMap).totalSize());
        print("backingMap.eclipse.UnifiedMap", GraphStats.parseInstance(eclipseMap).totalSize());
    }

    private static void print(String name, long bytes) {
        System.out.println(String.format(Locale.ROOT, "%s %.1f B/entry %d B", name, (double) bytes / ENTRIES, bytes));
    }
}
