package io.ipos;

import java.util.Set;

/**
 * A shared set changed. Applied to a plain copy of the set: remove {@link #removed()}, then add
 * {@link #added()}. One write is one change: an {@code addAll}, {@code clear} or {@code removeIf}
 * is one {@code SetChange}.
 *
 * @param <E> the set's element type
 */
public interface SetChange<E> extends Change {
    /**
     * The set that changed.
     *
     * @return the live shared set
     */
    SharedSet<E> set();

    /**
     * The elements that were removed.
     *
     * @return unmodifiable
     */
    Set<E> removed();

    /**
     * The elements that were added.
     *
     * @return unmodifiable
     */
    Set<E> added();
}
