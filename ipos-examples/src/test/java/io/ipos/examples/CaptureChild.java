package io.ipos.examples;

import io.ipos.IPOS;
import io.ipos.SharedMap;
import java.util.List;

/**
 * The child of {@link SessionCaptureTest}: joins, waits for the parent's {@code go} field, writes
 * a map entry and a new field holding a list, flushes, and leaves.
 */
public final class CaptureChild {
    private CaptureChild() {
    }

    /**
     * Runs the child.
     *
     * @param args unused
     * @throws InterruptedException if interrupted while waiting
     */
    public static void main(String[] args) throws InterruptedException {
        IPOS ipos = IPOS.connect();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (ipos.get("go") == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the parent never said go");
            }
            Thread.sleep(1);
        }
        SharedMap<String, Object> config = ipos.get("config");
        config.put("fromChild", 42);
        ipos.create("childList", List.of(1, "one"));
        ipos.flush().join();
        ipos.close();
    }
}
