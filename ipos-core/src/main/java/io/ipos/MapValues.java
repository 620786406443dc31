package io.ipos;

import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Predicate;

/** {@link MapNode#values()}: removals write through, bulk removals are one op. */
final class MapValues extends AbstractCollection<Object> {
    private final MapNode map;

    MapValues(MapNode map) {
        this.map = map;
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public boolean contains(Object o) {
        return map.containsValue(o);
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public Iterator<Object> iterator() {
        Object[] kv = map.snapshot();
        Replica r = map.replica();
        return new SnapshotIterator<>(kv.length / 2, i -> r.external(kv[2 * i + 1]), i -> map.remove(kv[2 * i]));
    }

    @Override
    public Object[] toArray() {
        Object[] kv = map.snapshot();
        Replica r = map.replica();
        Object[] values = new Object[kv.length / 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.external(kv[2 * i + 1]);
        }
        return values;
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return ListNode.intoArray(toArray(), a);
    }

    /** Over one snapshot, so its size is exact even while the map changes. */
    @Override
    public Spliterator<Object> spliterator() {
        return Spliterators.spliterator(toArray(), 0);
    }

    @Override
    public boolean remove(Object o) {
        Replica r = map.replica();
        r.acquireWrite();
        try {
            Object[] kv = map.snapshot();
            Object expected = r.comparable(o);
            for (int i = 0; i < kv.length; i += 2) {
                // the rule the conditional op below is decided by: byte[] by content, at any depth
                if (Replica.sameValue(r.external(kv[i + 1]), expected)) {
                    // conditional: the key goes only if, where the op is sequenced, it still holds o
                    return map.remove(kv[i], o);
                }
            }
            return false;
        } finally {
            r.releaseWrite();
        }
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
        return removeWhere(v -> !c.contains(v));
    }

    private boolean removeWhere(Predicate<Object> doomed) {
        Replica r = map.replica();
        r.acquireWrite();
        try {
            Object[] kv = map.snapshot();
            ArrayList<Object> keys = new ArrayList<>();
            for (int i = 0; i < kv.length; i += 2) {
                if (doomed.test(r.external(kv[i + 1]))) {
                    keys.add(kv[i]);
                }
            }
            return map.removeKeys(keys) > 0;
        } finally {
            r.releaseWrite();
        }
    }
}
