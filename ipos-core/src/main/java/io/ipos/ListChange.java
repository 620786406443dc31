package io.ipos;

import java.util.List;

/**
 * A shared list changed in one place: {@code removed().size()} elements at {@link #index()} were
 * replaced by {@link #added()}. Applied to a plain copy of the list: remove
 * {@code removed().size()} elements at {@code index()}, then insert {@code added()} there. A bulk
 * call is one change where its shape allows ({@code addAll}, {@code sort}, {@code replaceAll},
 * {@code clear}); a {@code removeIf} is one change per removed range, in order.
 *
 * @param <E> the list's element type
 */
public interface ListChange<E> extends Change {
    /**
     * The list that changed.
     *
     * @return the live shared list
     */
    SharedList<E> list();

    /**
     * The splice point.
     *
     * @return the index where elements were removed and added
     */
    int index();

    /**
     * The elements that were at {@code index() .. index() + removed().size()}.
     *
     * @return unmodifiable
     */
    List<E> removed();

    /**
     * The elements that are now at {@code index() .. index() + added().size()}.
     *
     * @return unmodifiable
     */
    List<E> added();
}
