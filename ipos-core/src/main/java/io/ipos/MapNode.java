package io.ipos;

import io.ipos.serialization.ValueCodec;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The shared map. Stored keys are frozen values; stored values are frozen values or nodes; a null
 * value is held as {@link #NULL} so that one lookup tells absent from null.
 */
final class MapNode extends AbstractMap<Object, Object> implements SharedMap<Object, Object>, Node {
    /** Stands for a null value inside {@link #map}. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    /** What raw reads and writes return for a key with no mapping. */
    static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "absent";
        }
    };

    private final Replica replica;
    private final long id;
    private boolean attached;
    private HashMap<Object, Object> map = new HashMap<>();
    private Set<Object> keySet;
    private Collection<Object> values;
    private Set<Map.Entry<Object, Object>> entrySet;

    MapNode(Replica replica, long id) {
        this.replica = replica;
        this.id = id;
    }

    // ---------------------------------------------------------------- Node

    @Override
    public long id() {
        return id;
    }

    @Override
    public Replica replica() {
        return replica;
    }

    @Override
    public boolean attached() {
        return attached;
    }

    @Override
    public void attached(boolean attached) {
        this.attached = attached;
    }

    @Override
    public int literalTag() {
        return FrameDescriptor.LITERAL_MAP;
    }

    @Override
    public String kindName() {
        return "map";
    }

    @Override
    public void forEachChildNode(Consumer<Node> action) {
        for (Object v : map.values()) {
            Node n = Node.of(v);
            if (n != null) {
                action.accept(n);
            }
        }
    }

    @Override
    public int contentElementCount() {
        return map.size() * 2;
    }

    @Override
    public void forEachContentElement(Consumer<Object> action) {
        map.forEach((k, v) -> {
            action.accept(k);
            action.accept(unmask(v));
        });
    }

    @Override
    public Node deepCopy() {
        MapNode copy = new MapNode(replica, replica.newNodeId());
        map.forEach((k, v) -> {
            Node n = Node.of(v);
            copy.map.put(k, n != null ? n.deepCopy() : v);
        });
        return copy;
    }

    // ---------------------------------------------------------------- raw access (under the lock)

    static Object mask(Object v) {
        return v == null ? NULL : v;
    }

    static Object unmask(Object v) {
        return v == NULL ? null : v;
    }

    /** Puts a stored entry into a node that is being built (not yet attached). */
    void load(Object key, Object value) {
        map.put(key, mask(value));
    }

    /** @return the old stored value, or {@link #ABSENT} */
    Object rawPut(Object key, Object value) {
        Object old = map.put(key, mask(value));
        return old == null ? ABSENT : unmask(old);
    }

    /** @return the removed stored value, or {@link #ABSENT} */
    Object rawRemove(Object key) {
        Object old = map.remove(key);
        return old == null ? ABSENT : unmask(old);
    }

    /** @return the stored value, or {@link #ABSENT} */
    Object rawGet(Object key) {
        Object v = map.get(key);
        return v == null ? ABSENT : unmask(v);
    }

    /**
     * The stored form of {@code key}, a key that is present: what an op must carry. Never the
     * caller's object, which may be mutable (an op stays pending in a child and may be applied again
     * on a re-base) or a live shared container. Under the lock.
     */
    Object storedKey(Object key) {
        if (ValueCodec.isScalar(key)) {
            return key;
        }
        try {
            return replica.internalizeKey(key);
        } catch (IllegalArgumentException unshareable) {
            // an unshareable object that equals a stored key: find that key
            for (Object k : map.keySet()) {
                if (Objects.equals(key, k)) {
                    return k;
                }
            }
            return key;
        }
    }

    HashMap<Object, Object> swapBacking(HashMap<Object, Object> replacement) {
        HashMap<Object, Object> old = map;
        map = replacement;
        return old;
    }

    /** Keys and stored values, alternating, as of now. */
    Object[] snapshot() {
        replica.acquire();
        try {
            Object[] out = new Object[map.size() * 2];
            int i = 0;
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                out[i++] = e.getKey();
                out[i++] = unmask(e.getValue());
            }
            return out;
        } finally {
            replica.release();
        }
    }

    /** Removes the given stored keys (those present) in one op; returns how many were removed. Under the lock. */
    int removeKeys(Collection<Object> keys) {
        ArrayList<Object> present = new ArrayList<>(keys.size());
        for (Object k : keys) {
            if (map.containsKey(k)) {
                present.add(k);
            }
        }
        if (!present.isEmpty() && attached) {
            replica.submit(new MapOps.Remove(this, present.toArray()), this);
        }
        return present.size();
    }

    /** Puts stored entries in one op. Under the lock. */
    void putStored(Object[] kv) {
        if (kv.length > 0 && attached) {
            replica.submit(new MapOps.Put(this, kv), this);
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public int size() {
        replica.acquire();
        try {
            return map.size();
        } finally {
            replica.release();
        }
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        replica.acquire();
        try {
            return map.containsKey(key);
        } finally {
            replica.release();
        }
    }

    @Override
    public boolean containsValue(Object value) {
        replica.acquire();
        try {
            for (Object v : map.values()) {
                if (Objects.equals(unmask(v), value)) {
                    return true;
                }
            }
            return false;
        } finally {
            replica.release();
        }
    }

    @Override
    public Object get(Object key) {
        replica.acquire();
        try {
            Object v = map.get(key);
            return v == null ? null : replica.external(unmask(v));
        } finally {
            replica.release();
        }
    }

    @Override
    public Object getOrDefault(Object key, Object defaultValue) {
        replica.acquire();
        try {
            Object v = map.get(key);
            return v == null ? defaultValue : replica.external(unmask(v));
        } finally {
            replica.release();
        }
    }

    @Override
    public void forEach(BiConsumer<? super Object, ? super Object> action) {
        Objects.requireNonNull(action, "action");
        Object[] kv = snapshot();
        for (int i = 0; i < kv.length; i += 2) {
            action.accept(kv[i], replica.external(kv[i + 1]));
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Object put(Object key, Object value) {
        replica.acquire();
        try {
            Object k = replica.internalizeKey(key);
            Object v = replica.internalizeValue(value);
            Object old = rawGet(k);
            putStored(new Object[] {k, v});
            return old == ABSENT ? null : replica.externalQuietly(old);
        } finally {
            replica.releaseWrite();
        }
    }

    /** One op for all entries; each is checked before anything is stored. {@code m} is read before the lock is taken. */
    @Override
    public void putAll(Map<?, ?> m) {
        Object[] kv = new Object[m.size() * 2];
        int n = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (n == kv.length) {
                kv = Arrays.copyOf(kv, kv.length * 2 + 2);
            }
            kv[n++] = e.getKey();
            kv[n++] = e.getValue();
        }
        replica.acquire();
        try {
            Object[] stored = new Object[n];
            for (int i = 0; i < n; i += 2) {
                stored[i] = replica.internalizeKey(kv[i]);
                stored[i + 1] = replica.internalizeValue(kv[i + 1]);
            }
            putStored(stored);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public Object remove(Object key) {
        replica.acquire();
        try {
            Object old = rawGet(key);
            if (old == ABSENT) {
                return null;
            }
            if (attached) {
                replica.submit(new MapOps.Remove(this, new Object[] {storedKey(key)}), this);
            }
            return replica.externalQuietly(old);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public void clear() {
        replica.acquire();
        try {
            if (!map.isEmpty() && attached) {
                replica.submit(new MapOps.Clear(this), this);
            }
        } finally {
            replica.releaseWrite();
        }
    }

    /** One conditional op: where it is sequenced, the first claim on the key wins in every process. */
    @Override
    public Object putIfAbsent(Object key, Object value) {
        replica.acquire();
        try {
            Object old = rawGet(key);
            if (old != ABSENT && old != null) {
                return replica.external(old);
            }
            putIfAbsentStored(key, value);
            return null;
        } finally {
            replica.releaseWrite();
        }
    }

    /** Ships a put-if-absent of a user key and value (absent or null here). Under the lock. */
    private void putIfAbsentStored(Object key, Object value) {
        Object k = replica.internalizeKey(key);
        Object v = replica.internalizeValue(value);
        if (attached) {
            replica.submit(new MapOps.PutIfAbsent(this, k, v), this);
        }
    }

    /**
     * What a conditional op expects to find: the stored value itself, or for a container a frozen
     * copy of its contents (ops compare a container by its contents). Under the lock.
     */
    private Object expected(Object stored) {
        return Node.of(stored) != null ? replica.values.freeze(stored) : stored;
    }

    /** One conditional op: removes the key only if, where the op is sequenced, it still holds this value. */
    @Override
    public boolean remove(Object key, Object value) {
        replica.acquire();
        try {
            Object old = rawGet(key);
            if (old == ABSENT || !Objects.equals(replica.external(old), value)) {
                return false;
            }
            if (attached) {
                replica.submit(new MapOps.RemoveIf(this, storedKey(key), expected(old)), this);
            }
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    /** One conditional op: replaces the value only if, where the op is sequenced, it is still {@code oldValue}. */
    @Override
    public boolean replace(Object key, Object oldValue, Object newValue) {
        replica.acquire();
        try {
            Object old = rawGet(key);
            if (old == ABSENT || !Objects.equals(replica.external(old), oldValue)) {
                return false;
            }
            Object v = replica.internalizeValue(newValue);
            if (attached) {
                replica.submit(new MapOps.ReplaceIf(this, storedKey(key), expected(old), v), this);
            }
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public Object replace(Object key, Object value) {
        replica.acquire();
        try {
            Object old = rawGet(key);
            if (old == ABSENT) {
                return null;
            }
            put(key, value);
            return replica.externalQuietly(old);
        } finally {
            replica.releaseWrite();
        }
    }

    /** Puts a value and returns what is now stored (a new node for a collection). Under the lock. */
    private Object putAndGet(Object key, Object value) {
        put(key, value);
        Object now = rawGet(key);
        return now == ABSENT ? value : replica.external(now);
    }

    @Override
    public Object computeIfAbsent(Object key, Function<? super Object, ?> mappingFunction) {
        Objects.requireNonNull(mappingFunction, "mappingFunction");
        replica.acquire();
        try {
            Object old = rawGet(key);
            if (old != ABSENT && old != null) {
                return replica.external(old);
            }
            Object value = mappingFunction.apply(key);
            if (value == null) {
                return null;
            }
            putIfAbsentStored(key, value);
            Object now = rawGet(key);
            return now == ABSENT ? value : replica.external(now);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public Object computeIfPresent(Object key, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        replica.acquire();
        try {
            Object old = rawGet(key);
            if (old == ABSENT || old == null) {
                return null;
            }
            Object value = remappingFunction.apply(key, replica.external(old));
            if (value == null) {
                remove(key);
                return null;
            }
            return putAndGet(key, value);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public Object compute(Object key, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        replica.acquire();
        try {
            Object old = rawGet(key);
            Object value = remappingFunction.apply(key, old == ABSENT ? null : replica.external(old));
            if (value == null) {
                if (old != ABSENT) {
                    remove(key);
                }
                return null;
            }
            return putAndGet(key, value);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public Object merge(Object key, Object value, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        Objects.requireNonNull(value, "value");
        replica.acquire();
        try {
            Object old = rawGet(key);
            Object merged = old == ABSENT || old == null ? value : remappingFunction.apply(replica.external(old), value);
            if (merged == null) {
                remove(key);
                return null;
            }
            return putAndGet(key, merged);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public void replaceAll(BiFunction<? super Object, ? super Object, ?> function) {
        Objects.requireNonNull(function, "function");
        replica.acquire();
        try {
            ArrayList<Object> kv = new ArrayList<>();
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                Object old = unmask(e.getValue());
                Object value = function.apply(e.getKey(), replica.external(old));
                if (value != old) {
                    kv.add(e.getKey());
                    kv.add(replica.internalizeValue(value));
                }
            }
            putStored(kv.toArray());
        } finally {
            replica.releaseWrite();
        }
    }

    // ---------------------------------------------------------------- views

    @Override
    public Set<Object> keySet() {
        Set<Object> ks = keySet;
        return ks != null ? ks : (keySet = new MapKeySet(this));
    }

    @Override
    public Collection<Object> values() {
        Collection<Object> vs = values;
        return vs != null ? vs : (values = new MapValues(this));
    }

    @Override
    public Set<Map.Entry<Object, Object>> entrySet() {
        Set<Map.Entry<Object, Object>> es = entrySet;
        return es != null ? es : (entrySet = new MapEntrySet(this));
    }

    /** {@link Map#equals} over one snapshot of this map. */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map<?, ?> other)) {
            return false;
        }
        Object[] kv = snapshot();
        if (other.size() != kv.length / 2) {
            return false;
        }
        try {
            for (int i = 0; i < kv.length; i += 2) {
                Object v = replica.external(kv[i + 1]);
                if (v == null ? other.get(kv[i]) != null || !other.containsKey(kv[i]) : !v.equals(other.get(kv[i]))) {
                    return false;
                }
            }
        } catch (ClassCastException | NullPointerException unsupportedKey) {
            return false;
        }
        return true;
    }

    // hashCode and toString come from AbstractMap over the snapshot entry set.
}
