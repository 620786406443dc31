package io.ipos.benchmarks;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Every child process the benchmark starts, so that none outlives it: a section's {@code finally}
 * ends its own, and a shutdown hook ends whatever a failure left running.
 */
final class Children {
    private static final List<Process> STARTED = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Children::destroyAll, "bench-children-reaper"));
    }

    private Children() {
    }

    /** Starts {@code builder} and remembers the process. */
    static Process start(ProcessBuilder builder) throws IOException {
        return track(builder.start());
    }

    /** Remembers a process started elsewhere (by {@code IPOS.spawn}). */
    static Process track(Process p) {
        STARTED.add(p);
        return p;
    }

    /** Waits up to {@code millis} for {@code p} to exit on its own, then kills it. */
    static void end(Process p, long millis) {
        if (p == null) {
            return;
        }
        try {
            if (!p.waitFor(millis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        STARTED.remove(p);
    }

    private static void destroyAll() {
        for (Process p : STARTED) {
            p.destroyForcibly();
        }
    }
}
