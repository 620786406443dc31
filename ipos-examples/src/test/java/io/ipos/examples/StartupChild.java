package io.ipos.examples;

import io.ipos.IPOS;
import io.ipos.SharedMap;
import java.time.Instant;
import java.util.List;

/**
 * The child of {@link StartupTimeTest}. With the argument {@code baseline} it only prints the
 * moment its {@code main} began and exits (a JVM's own start-up); otherwise it connects, writes
 * one op, flushes, and reports its timestamps through the shared map.
 */
public final class StartupChild {
    private StartupChild() {
    }

    /** Now, in microseconds since the epoch: comparable between processes on one machine. */
    static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /**
     * Runs the child.
     *
     * @param args {@code baseline}, or nothing
     */
    public static void main(String[] args) {
        long mainAt = micros();
        if (args.length > 0 && args[0].equals("baseline")) {
            System.out.println(mainAt);
            return;
        }
        IPOS ipos = IPOS.connect();
        long connectedAt = micros();
        SharedMap<String, Object> m = ipos.get("m");
        m.put("first", connectedAt);
        ipos.flush().join();
        long flushedAt = micros();
        m.put("times", List.of(mainAt, connectedAt, flushedAt));
        ipos.flush().join();
        ipos.close();
    }
}
