package io.ipos;

import java.util.Set;

/**
 * A {@link Set} replicated between a parent process and its children.
 *
 * <p>Elements are immutable values (a plain collection given as an element is stored as an
 * unmodifiable copy). Every mutating call, including iterator removal, is applied locally at once
 * and sent to the other processes as one small operation; bulk calls ({@code addAll},
 * {@code removeAll}, {@code retainAll}, {@code removeIf}, {@code clear}) are one operation each.
 *
 * <p>The set is safe to use from several threads; iterators work on a snapshot and never throw
 * {@link java.util.ConcurrentModificationException}. Iteration order is unspecified and may differ
 * between processes. A detached set (removed from its place) keeps its last contents for reading
 * and ignores writes in every process alike.
 *
 * @param <E> the type of elements
 */
public interface SharedSet<E> extends Set<E> {
}
