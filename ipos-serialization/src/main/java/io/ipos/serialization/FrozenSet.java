package io.ipos.serialization;

import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An unmodifiable set that allows null and keeps insertion order, over a set it owns. Its elements
 * are themselves frozen, so {@link ValueCodec#freeze(Object)} returns it as is. Elements are never
 * arrays; one that holds an array (a frozen list) compares and hashes it by content, so this set's
 * {@link java.util.Set} equality and hash do too.
 */
final class FrozenSet<E> extends AbstractSet<E> {
    private final Set<E> elements;

    /** Takes ownership of {@code elements}: nobody may change the set afterwards. */
    FrozenSet(LinkedHashSet<E> elements) {
        this.elements = Collections.unmodifiableSet(elements);
    }

    @Override
    public Iterator<E> iterator() {
        return elements.iterator();
    }

    @Override
    public int size() {
        return elements.size();
    }

    @Override
    public boolean contains(Object o) {
        return elements.contains(o);
    }
}
