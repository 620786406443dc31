package io.ipos;

import java.util.Map;
import java.util.function.Consumer;

/**
 * A {@link Map} replicated between a parent process and its children.
 *
 * <p>Every mutating call, including those made through {@link #keySet()}, {@link #values()},
 * {@link #entrySet()} and their iterators, is applied locally at once and sent to the other
 * processes as one small operation; bulk calls ({@code putAll}, {@code replaceAll},
 * {@code removeIf} on a view, {@code clear}) are one operation each. Values that are plain maps,
 * lists or sets are copied in as nested shared containers; keys are immutable values (a plain
 * collection given as a key is stored as an unmodifiable copy).
 *
 * <p>The map is safe to use from several threads. Iterators work on a snapshot taken when they
 * are created, so they never throw {@link java.util.ConcurrentModificationException}; their
 * {@code remove} and {@link Map.Entry#setValue} still write through. Iteration order is
 * the order in which the parent sequenced the keys' insertions, the same in every process (as
 * {@link java.util.LinkedHashMap}: re-mapping a key keeps its place, removing and re-adding moves
 * it to the end). {@code equals} and {@code hashCode} follow the
 * {@link Map} contract, so a shared map equals any map with the same entries.
 *
 * <p>A shared map that has been removed from its place (its field deleted, its key overwritten,
 * its list slot removed) is <em>detached</em>: it keeps its last contents for reading, and writes
 * through it are ignored in every process alike.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface SharedMap<K, V> extends Map<K, V> {
    /**
     * Calls {@code listener} with every change of this map as this process sees it: its own
     * writes, other processes' writes and re-base corrections, once each, in order, on the
     * instance's event thread (never under its lock; a listener may read and write shared state).
     * A plain copy taken now and updated only from the changes (remove {@code removed()} keys, then
     * put {@code added()}) equals the map after every change.
     *
     * @param listener what to call
     * @return the subscription; close it to stop
     */
    Subscription onChange(Consumer<? super MapChange<K, V>> listener);
}
