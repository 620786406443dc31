package io.ipos;

import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link Set} replicated between a parent process and its children.
 *
 * <p>Elements are immutable values (a plain collection given as an element is stored as an
 * unmodifiable copy). Every mutating call, including iterator removal, is applied locally at once
 * and sent to the other processes as one small operation; bulk calls ({@code addAll},
 * {@code removeAll}, {@code retainAll}, {@code removeIf}, {@code clear}) are one operation each.
 *
 * <p>The set is safe to use from several threads; iterators work on a snapshot and never throw
 * {@link java.util.ConcurrentModificationException}. Iteration order is the order in which the
 * parent sequenced the elements' insertions, the same in every process. A detached set (removed from its place) keeps its last contents for reading
 * and ignores writes in every process alike.
 *
 * @param <E> the type of elements
 */
public interface SharedSet<E> extends Set<E> {
    /**
     * Calls {@code listener} with every change of this set as this process sees it, once each, in
     * order, on the instance's event thread. A plain copy taken now and updated only from the
     * changes (remove {@code removed()}, then add {@code added()}) equals the set after every change.
     *
     * @param listener what to call
     * @return the subscription; close it to stop
     */
    Subscription onChange(Consumer<? super SetChange<E>> listener);
}
