package io.ipos;

import io.ipos.serialization.ValueCodec;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Predicate;

/** {@link MapNode#entrySet()}: entries write through {@code setValue}, bulk removals are one op. */
final class MapEntrySet extends AbstractSet<Map.Entry<Object, Object>> {
    private final MapNode map;

    MapEntrySet(MapNode map) {
        this.map = map;
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public boolean contains(Object o) {
        if (!(o instanceof Map.Entry<?, ?> e)) {
            return false;
        }
        Replica r = map.replica();
        r.acquire();
        try {
            Object v = map.rawGet(e.getKey());
            return v != MapNode.ABSENT && Replica.sameValue(r.external(v), r.comparable(e.getValue()));
        } finally {
            r.release();
        }
    }

    /** A conditional remove: the key goes only if, where the op is sequenced, it still holds the entry's value. */
    @Override
    public boolean remove(Object o) {
        return o instanceof Map.Entry<?, ?> e && map.remove(e.getKey(), e.getValue());
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public Iterator<Map.Entry<Object, Object>> iterator() {
        Object[] kv = map.snapshot();
        Replica r = map.replica();
        return new SnapshotIterator<>(kv.length / 2,
                i -> new Entry(map, kv[2 * i], r.externalQuietly(kv[2 * i + 1])),
                i -> map.remove(kv[2 * i]));
    }

    @Override
    public Object[] toArray() {
        Object[] kv = map.snapshot();
        Replica r = map.replica();
        Object[] entries = new Object[kv.length / 2];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = new Entry(map, kv[2 * i], r.externalQuietly(kv[2 * i + 1]));
        }
        return entries;
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return ListNode.intoArray(toArray(), a);
    }

    /** Over one snapshot, so its size is exact even while the map changes. */
    @Override
    public Spliterator<Map.Entry<Object, Object>> spliterator() {
        return Spliterators.spliterator(toArray(), Spliterator.DISTINCT);
    }

    @Override
    public boolean removeIf(Predicate<? super Map.Entry<Object, Object>> filter) {
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
        return removeWhere(e -> !c.contains(e));
    }

    private boolean removeWhere(Predicate<? super Map.Entry<Object, Object>> doomed) {
        Replica r = map.replica();
        r.acquireWrite();
        try {
            Object[] kv = map.snapshot();
            ArrayList<Object> keys = new ArrayList<>();
            for (int i = 0; i < kv.length; i += 2) {
                if (doomed.test(new Entry(map, kv[i], r.external(kv[i + 1])))) {
                    keys.add(kv[i]);
                }
            }
            return map.removeKeys(keys) > 0;
        } finally {
            r.releaseWrite();
        }
    }

    /** A snapshot entry whose {@code setValue} writes through to the map. */
    static final class Entry implements Map.Entry<Object, Object> {
        private final MapNode map;
        private final Object key;
        private Object value;

        Entry(MapNode map, Object key, Object value) {
            this.map = map;
            this.key = key;
            this.value = value;
        }

        @Override
        public Object getKey() {
            return key;
        }

        @Override
        public Object getValue() {
            return value;
        }

        @Override
        public Object setValue(Object newValue) {
            Replica r = map.replica();
            r.acquireWrite();
            try {
                Object old = value;
                map.put(key, newValue);
                Object stored = map.rawGet(key);
                value = stored == MapNode.ABSENT ? newValue : r.externalQuietly(stored);
                return old;
            } finally {
                r.releaseWrite();
            }
        }

        /** {@link Map.Entry#equals}, except that a {@code byte[]} value compares by content. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && Objects.equals(key, e.getKey())
                    && ValueCodec.sameValue(value, e.getValue());
        }

        /** {@link Map.Entry#hashCode}, except that a {@code byte[]} value hashes by content. */
        @Override
        public int hashCode() {
            return Objects.hashCode(key) ^ ValueCodec.valueHash(value);
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }
}
