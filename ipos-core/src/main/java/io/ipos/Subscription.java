package io.ipos;

/**
 * A registration that can be ended: a listener added with {@code onChange} (and, in later
 * versions, message handlers and exposed objects).
 *
 * <p>{@link #close()} is idempotent. Once it has returned, the listener is not called again: if the
 * event thread is calling it at that moment, {@code close()} waits for that call to end, unless
 * {@code close()} is called from the listener itself (or another listener of the same instance).
 */
public interface Subscription extends AutoCloseable {
    /** Ends the registration; no event is delivered to its listener after this returns. */
    @Override
    void close();
}
