package io.ipos.serialization;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An unmodifiable map that allows null keys and values and keeps insertion order, over a map it
 * owns. Its keys and values are themselves frozen, so {@link ValueCodec#freeze(Object)} returns it
 * as is. Equality and hash follow {@link Map}, except that a {@code byte[]} value compares and
 * hashes by content ({@link ValueCodec#sameValue}); keys are never arrays, and a frozen key that
 * holds one hashes by content itself.
 */
final class FrozenMap<K, V> extends AbstractMap<K, V> {
    private final Map<K, V> entries;

    /** Takes ownership of {@code entries}: nobody may change the map afterwards. */
    FrozenMap(LinkedHashMap<K, V> entries) {
        this.entries = Collections.unmodifiableMap(entries);
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return entries.entrySet();
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public boolean containsKey(Object key) {
        return entries.containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
        return entries.containsValue(value);
    }

    @Override
    public V get(Object key) {
        return entries.get(key);
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        return entries.getOrDefault(key, defaultValue);
    }

    @Override
    public Set<K> keySet() {
        return entries.keySet();
    }

    @Override
    public V put(K key, V value) {
        return entries.put(key, value);
    }

    @Override
    public V remove(Object key) {
        return entries.remove(key);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        entries.putAll(m);
    }

    @Override
    public void clear() {
        entries.clear();
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map<?, ?> other) || other.size() != entries.size()) {
            return false;
        }
        try {
            for (Entry<K, V> e : entries.entrySet()) {
                Object theirs = other.get(e.getKey());
                if (theirs == null && !other.containsKey(e.getKey())) {
                    return false;
                }
                if (!ValueCodec.sameValue(e.getValue(), theirs)) {
                    return false;
                }
            }
        } catch (ClassCastException | NullPointerException unsupportedKey) {
            return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Entry<K, V> e : entries.entrySet()) {
            h += ValueCodec.valueHash(e.getKey()) ^ ValueCodec.valueHash(e.getValue());
        }
        return h;
    }
}
