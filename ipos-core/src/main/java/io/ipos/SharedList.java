package io.ipos;

import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link List} replicated between a parent process and its children.
 *
 * <p>Every mutating call, including those made through {@link #subList(int, int)} and list
 * iterators, is applied locally at once and sent to the other processes as one small operation
 * addressed to this list (not to a path), so a concurrent insert elsewhere cannot redirect it.
 * Bulk calls ({@code addAll}, {@code removeIf}, {@code removeAll}, {@code retainAll},
 * {@code replaceAll}, {@code sort}, {@code clear}, {@code subList(..).clear()}) are one operation
 * each. Elements that are plain maps, lists or sets are copied in as nested shared containers.
 *
 * <p>When a write from another process changes the list before this process's own pending write
 * reaches the parent, indices are resolved by one rule in every process: an insert position past
 * the end appends, a {@code set} past the end is dropped, a removed range is clipped to the list.
 *
 * <p>The list is safe to use from several threads. {@link #iterator()}, {@code forEach} and
 * streams work on a snapshot and never throw {@link java.util.ConcurrentModificationException};
 * {@link #listIterator()} works on live indices. A detached list (removed from its place) keeps
 * its last contents for reading and ignores writes in every process alike.
 *
 * @param <E> the type of elements
 */
public interface SharedList<E> extends List<E> {
    /**
     * Calls {@code listener} with every change of this list as this process sees it, once each, in
     * order, on the instance's event thread. A plain copy taken now and updated only from the
     * changes (remove {@code removed().size()} elements at {@code index()}, then insert
     * {@code added()} there) equals the list after every change.
     *
     * @param listener what to call
     * @return the subscription; close it to stop
     */
    Subscription onChange(Consumer<? super ListChange<E>> listener);
}
