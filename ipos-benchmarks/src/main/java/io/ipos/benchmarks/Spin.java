package io.ipos.benchmarks;

/**
 * How a process waits for a shared field to change in the round-trip benchmark: ipos has no
 * change listeners, so the waiter polls. On a machine with few cores the pollers share them with
 * the link threads that carry the change, so the choice matters; both sides use the same one, and
 * so does the raw pipe's round trip it is compared with ({@link RawPipeChild}, polling
 * {@code available()}), so that baseline and product wait alike.
 */
enum Spin {
    /** Busy-poll, hinting the CPU ({@link Thread#onSpinWait()}). */
    SPIN {
        @Override
        void pause() {
            Thread.onSpinWait();
        }
    },
    /** Poll, offering the core to other runnable threads between polls ({@link Thread#yield()}). */
    YIELD {
        @Override
        void pause() {
            Thread.yield();
        }
    };

    abstract void pause();
}
