package io.ipos.serialization;

import java.util.AbstractList;
import java.util.Iterator;
import java.util.List;
import java.util.RandomAccess;

/**
 * An unmodifiable list that allows null, over an array it owns. Its elements are themselves
 * frozen, so {@link ValueCodec#freeze(Object)} returns it as is. Equality and hash follow
 * {@link java.util.List}, except that a {@code byte[]} element compares and hashes by content
 * ({@link ValueCodec#sameValue}): a copy decoded in another process is equal to it, and as a map
 * key or set element it is the same key there.
 */
final class FrozenList<E> extends AbstractList<E> implements RandomAccess {
    static final FrozenList<Object> EMPTY = new FrozenList<>(new Object[0]);

    private final Object[] elements;

    /** Takes ownership of {@code elements}: nobody may change the array afterwards. */
    FrozenList(Object[] elements) {
        this.elements = elements;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        return (E) elements[index];
    }

    @Override
    public int size() {
        return elements.length;
    }

    @Override
    public Object[] toArray() {
        return elements.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof List<?> other) || other.size() != elements.length) {
            return false;
        }
        Iterator<?> theirs = other.iterator();
        for (Object e : elements) {
            if (!theirs.hasNext() || !ValueCodec.sameValue(e, theirs.next())) {
                return false;
            }
        }
        return !theirs.hasNext();
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Object e : elements) {
            h = 31 * h + ValueCodec.valueHash(e);
        }
        return h;
    }
}
