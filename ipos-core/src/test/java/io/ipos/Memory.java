package io.ipos;

import java.lang.reflect.Method;

/**
 * Memory figures for tests: bytes a thread allocated, and the heap in use after garbage
 * collection. The management beans are reached by reflection: the tests compile inside the module
 * io.ipos, which does not read java.management, but run on the class path.
 */
final class Memory {
    private static final Object THREADS;
    private static final Method ALLOCATED;

    static {
        try {
            THREADS = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Memory() {
    }

    /** Bytes {@code thread} has allocated since it started (HotSpot's per-thread counter). */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    static long allocatedBytes(Thread thread) {
        try {
            return (Long) ALLOCATED.invoke(THREADS, thread.getId());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The heap in use after a few full collections: what is still reachable, give or take a little. */
    static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    /** The live thread named {@code name}, or null. */
    static Thread thread(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        return null;
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
