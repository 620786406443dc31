package io.ipos.examples;

import io.ipos.FieldChange;
import io.ipos.IPOS;
import io.ipos.Subscription;

import java.util.concurrent.CountDownLatch;

/** How the demos' child programs wait for the parent's signal: with a listener, not by polling. */
final class Await {
    private Await() {
    }

    /**
     * Blocks until field {@code key} exists in this process's view, or the link to the parent is
     * lost. A listener on the instance counts down a latch when a {@link FieldChange} adds the field;
     * the error handler counts it down when the parent goes away (the handler set here prints the
     * error, as the default one does).
     *
     * @param ipos a child's instance
     * @param key the field to wait for
     * @return true once the field exists; false if the parent went away first
     * @throws InterruptedException if interrupted while waiting
     */
    static boolean field(IPOS ipos, String key) throws InterruptedException {
        CountDownLatch signalled = new CountDownLatch(1);
        ipos.onError(e -> {
            System.err.println("[ipos] " + e.getMessage());
            if (!ipos.isConnected()) {
                signalled.countDown();
            }
        });
        try (Subscription s = ipos.onChange(change -> {
            if (change instanceof FieldChange f && f.added().containsKey(key)) {
                signalled.countDown();
            }
        })) {
            // subscribed first, then looked: a field created before the subscription is seen here,
            // one created after it reaches the listener
            if (ipos.get(key) == null && ipos.isConnected()) {
                signalled.await();
            }
        }
        return ipos.get(key) != null;
    }
}
