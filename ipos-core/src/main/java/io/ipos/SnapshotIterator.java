package io.ipos;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * An iterator over a snapshot taken when it was made: changes from other threads or processes
 * never make it throw {@link java.util.ConcurrentModificationException}. {@link #remove()} writes
 * through to the live container.
 *
 * @param <T> the element type
 */
final class SnapshotIterator<T> implements Iterator<T> {
    private final int size;
    private final IntFunction<T> element;
    private final Consumer<Integer> remover;
    private int cursor;
    private int last = -1;

    /**
     * @param size number of elements in the snapshot
     * @param element the i-th element handed out
     * @param remover removes the i-th element from the live container
     */
    SnapshotIterator(int size, IntFunction<T> element, Consumer<Integer> remover) {
        this.size = size;
        this.element = element;
        this.remover = remover;
    }

    @Override
    public boolean hasNext() {
        return cursor < size;
    }

    @Override
    public T next() {
        if (cursor >= size) {
            throw new NoSuchElementException("no element " + cursor + " in a snapshot of " + size);
        }
        last = cursor++;
        return element.apply(last);
    }

    @Override
    public void remove() {
        if (last < 0) {
            throw new IllegalStateException("remove() without a next(), or twice for one element");
        }
        remover.accept(last);
        last = -1;
    }
}
