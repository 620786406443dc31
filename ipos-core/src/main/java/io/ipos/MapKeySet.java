package io.ipos;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Predicate;

/** {@link MapNode#keySet()}: removals write through, bulk removals are one op. */
final class MapKeySet extends AbstractSet<Object> {
    private final MapNode map;

    MapKeySet(MapNode map) {
        this.map = map;
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public boolean contains(Object o) {
        return map.containsKey(o);
    }

    @Override
    public boolean remove(Object o) {
        Replica r = map.replica();
        r.acquireWrite();
        try {
            if (!map.containsKey(o)) {
                return false;
            }
            map.remove(o);
            return true;
        } finally {
            r.releaseWrite();
        }
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public Iterator<Object> iterator() {
        Object[] kv = map.snapshot();
        return new SnapshotIterator<>(kv.length / 2, i -> kv[2 * i], i -> map.remove(kv[2 * i]));
    }

    @Override
    public Object[] toArray() {
        Object[] kv = map.snapshot();
        Object[] keys = new Object[kv.length / 2];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = kv[2 * i];
        }
        return keys;
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return ListNode.intoArray(toArray(), a);
    }

    /** Over one snapshot, so its size is exact even while the map changes. */
    @Override
    public Spliterator<Object> spliterator() {
        return Spliterators.spliterator(toArray(), Spliterator.DISTINCT);
    }

    @Override
    public boolean removeIf(Predicate<? super Object> filter) {
        Objects.requireNonNull(filter, "filter");
        return removeWhere(filter);
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        Objects.requireNonNull(c, "c");
        return removeWhere(c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        Objects.requireNonNull(c, "c");
        return removeWhere(k -> !c.contains(k));
    }

    private boolean removeWhere(Predicate<Object> doomed) {
        Replica r = map.replica();
        r.acquireWrite();
        try {
            Object[] kv = map.snapshot();
            ArrayList<Object> keys = new ArrayList<>();
            for (int i = 0; i < kv.length; i += 2) {
                if (doomed.test(kv[i])) {
                    keys.add(kv[i]);
                }
            }
            return map.removeKeys(keys) > 0;
        } finally {
            r.releaseWrite();
        }
    }
}
