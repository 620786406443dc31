package io.ipos.serialization;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * An unmodifiable list that allows null, over an array it owns. Its elements are themselves
 * frozen, so {@link ValueCodec#freeze(Object)} returns it as is.
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
    public int hashCode() {
        return Arrays.hashCode(elements);
    }
}
