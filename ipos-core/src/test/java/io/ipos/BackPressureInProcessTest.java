package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Back-pressure between two processes that both write hard: each side's queue to the other goes
 * over the soft limit, so both writers wait. They must wait without holding their replica's lock,
 * or neither reader could apply what arrives and neither queue would ever drain.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BackPressureInProcessTest {
    static final int VALUE_BYTES = 256 << 10;
    static final int WRITES = 120; // 30 MB each way, well over the 8 MB soft limit

    @Test
    void parentAndChildWritingHardAtOnceBothFinishAndAgree() {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Object> parent = p.parent.create("m", Map.of());
            p.settle();
            SharedMap<String, Object> child = p.child(0).get("m");
            CompletableFuture<Void> fromParent = CompletableFuture.runAsync(() -> writeHard(parent, "p"));
            CompletableFuture<Void> fromChild = CompletableFuture.runAsync(() -> writeHard(child, "c"));
            CompletableFuture.allOf(fromParent, fromChild).join();
            p.settle();
            assertEquals(2 * 16, parent.size());
            assertTrue(ChildMain.canon(parent).equals(ChildMain.canon(child)), "parent and child diverged");
            assertTrue(p.parentErrors.isEmpty(), p.parentErrors.toString());
            assertEquals(List.of(), p.childErrors);
        }
    }

    static void writeHard(Map<String, Object> m, String who) {
        for (int i = 0; i < WRITES; i++) {
            byte[] value = new byte[VALUE_BYTES];
            Arrays.fill(value, (byte) i);
            m.put(who + (i % 16), value);
        }
    }
}
