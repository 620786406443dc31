package io.ipos;

import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maps and sets iterate in the order the parent sequenced their keys' insertions, in every
 * process (as {@link LinkedHashMap}): for a joining child's snapshot, for later writes from any
 * process, for re-mapping (keeps the place) and remove-then-add (moves to the end), and through a
 * child's re-base, which must put an undone remove back exactly where it was.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IterationOrderProcessTest {

    @Test
    void everyProcessIteratesInTheParentsInsertionOrder(@TempDir Path dir) throws Exception {
        try (IPOS ipos = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            LinkedHashMap<String, Integer> initial = new LinkedHashMap<>();
            for (String k : List.of("zeta", "alpha", "k9", "k1", "mu", "b")) {
                initial.put(k, initial.size());
            }
            SharedMap<String, Integer> m = ipos.create("m", initial);
            SharedSet<String> s = ipos.create("s", new LinkedHashSet<>(List.of("zeta", "alpha", "k9", "k1")));
            kids.spawn(ipos, IterationOrderProcessTest.class, "orderChild", dir.toString(), "0");
            kids.spawn(ipos, IterationOrderProcessTest.class, "orderChild", dir.toString(), "1");
            assertEquals("m=[zeta, alpha, k9, k1, mu, b] s=[zeta, alpha, k9, k1]", awaitFile(dir.resolve("snapshot")));

            m.put("alpha", 100);      // re-mapped: keeps its place
            m.remove("k9");
            m.put("k9", 9);           // removed and added again: last
            s.remove("zeta");
            s.add("zeta");
            m.put("new", 1);
            ipos.flush().get(20, TimeUnit.SECONDS);
            signal(dir.resolve("race"), "");
            // while the children remove keys, keep putting, so their removes are undone and redone
            for (int i = 0; i < 2_000; i++) {
                m.put("p" + (i % 50), i);
            }
            for (int i = 0; i < 2; i++) {
                awaitFile(dir.resolve("raced-" + i));
            }
            ipos.flush().get(20, TimeUnit.SECONDS);
            signal(dir.resolve("report"), "");
            String expected = order(m, s);
            assertEquals(expected, awaitFile(dir.resolve("order-0")));
            assertEquals(expected, awaitFile(dir.resolve("order-1")));
            assertEquals(List.of("zeta", "alpha", "k1", "k9"), new ArrayList<>(m.keySet()).subList(0, 4)); // b and mu moved on
        }
    }

    private static String order(SharedMap<String, Integer> m, SharedSet<String> s) {
        return "m=" + new ArrayList<>(m.keySet()) + " s=" + new ArrayList<>(s);
    }

    static void orderChild(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Integer> m = ipos.get("m");
        SharedSet<String> s = ipos.get("s");
        int me = Integer.parseInt(args[1]);
        if (me == 0) {
            signal(dir.resolve("snapshot"), order(m, s));
        }
        awaitFile(dir.resolve("race"));
        for (int i = 0; i < 50; i++) {
            m.remove(me == 0 ? "b" : "mu");   // a middle key, removed and put back ...
            m.put(me == 0 ? "b" : "mu", i);   // ... lands last, in the order the parent sees it
            s.remove("k1");
            s.add("k1");
        }
        ipos.flush().get(20, TimeUnit.SECONDS);
        signal(dir.resolve("raced-" + me), "");
        awaitFile(dir.resolve("report"));
        ipos.flush().get(20, TimeUnit.SECONDS);
        signal(dir.resolve("order-" + me), order(m, s));
        ipos.close();
    }
}
