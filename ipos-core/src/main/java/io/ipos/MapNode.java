package io.ipos;

import io.ipos.serialization.ValueCodec;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
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
    private final NodeSite site = new NodeSite();
    private LinkedTable map = new LinkedTable();
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
    public Subscription onChange(java.util.function.Consumer<? super MapChange<Object, Object>> listener) {
        return subscribe(listener);
    }

    @Override
    public NodeSite site() {
        return site;
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
    public java.util.Iterator<Object> contentIterator() {
        java.util.Iterator<Map.Entry<Object, Object>> entries = map.entrySet().iterator();
        return new java.util.Iterator<>() {
            private Object value = ABSENT;

            @Override
            public boolean hasNext() {
                return value != ABSENT || entries.hasNext();
            }

            @Override
            public Object next() {
                if (value != ABSENT) {
                    Object v = value;
                    value = ABSENT;
                    return v;
                }
                Map.Entry<Object, Object> e = entries.next();
                value = unmask(e.getValue());
                return e.getKey();
            }
        };
    }

    @Override
    public void takeContents(Node other) {
        MapNode from = (MapNode) other;
        swapBacking(from.map);
        from.map = new LinkedTable();
    }

    @Override
    public Object keyOf(Node child) {
        for (Map.Entry<Object, Object> e : map.entrySet()) {
            if (e.getValue() == child) {
                return e.getKey();
            }
        }
        return null;
    }

    @Override
    public Node shallowCopy() {
        MapNode copy = new MapNode(replica, replica.newNodeId());
        copy.map = new LinkedTable(map.size());
        copy.map.putAll(map);
        return copy;
    }

    @Override
    public void replaceChildNodes(java.util.function.UnaryOperator<Node> replacement) {
        for (Map.Entry<Object, Object> e : map.entrySet()) {
            Node n = Node.of(e.getValue());
            if (n != null) {
                e.setValue(replacement.apply(n));
            }
        }
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

    /** Puts a stored entry (a new key goes last). @return the old stored value, or {@link #ABSENT} */
    Object rawPut(Object key, Object value) {
        Object old = map.put(key, mask(value));
        Object was = old == null ? ABSENT : unmask(old);
        if (replica.feed.observes(this)) {
            replica.feed.mapChanged(this, key, was, value, replica);
        }
        return was;
    }

    /**
     * Puts back an entry that a remove took out, right after the key that preceded it
     * ({@link LinkedTable#FIRST} for the first), so an undo restores the iteration order exactly.
     */
    void rawPutAfter(Object before, Object key, Object value) {
        map.putAfter(before, key, mask(value));
        if (replica.feed.observes(this)) {
            replica.feed.mapChanged(this, key, ABSENT, value, replica);
        }
    }

    /** The key before {@code key} (present) in iteration order, or {@link LinkedTable#FIRST}: what {@link #rawPutAfter} needs. */
    Object keyBefore(Object key) {
        return map.keyBefore(key);
    }

    /** @return the removed stored value, or {@link #ABSENT} */
    Object rawRemove(Object key) {
        Object old = map.remove(key);
        if (old == null) {
            return ABSENT;
        }
        Object was = unmask(old);
        if (replica.feed.observes(this)) {
            replica.feed.mapChanged(this, key, was, ABSENT, replica);
        }
        return was;
    }

    /** @return the stored value, or {@link #ABSENT} */
    Object rawGet(Object key) {
        Object v = lookup(key);
        return v == null ? ABSENT : unmask(v);
    }

    /**
     * The masked value under {@code key}, or null. A caller's key that holds a {@code byte[]}
     * ({@code List.of(bytes)}) hashes the array by identity, while stored keys hash it by content
     * (see {@link io.ipos.serialization.ValueCodec#sameValue}): on a miss, such a key is looked up
     * again in its frozen form. A hit never needs that (identity implies content).
     */
    private Object lookup(Object key) {
        Object v = map.get(key);
        if (v == null && !ValueCodec.isScalar(key)) {
            Object frozen = replica.comparable(key);
            if (frozen != key) {
                v = map.get(frozen);
            }
        }
        return v;
    }

    /**
     * Whether the stored value {@code old} is, as this process reads it, the value {@code value} a
     * caller expects: the rule a conditional op is decided by where it is applied
     * ({@link Replica#sameValue}: {@code byte[]} by content, at any depth), so the answer given here
     * is the one the parent gives. Under the lock.
     */
    private boolean holds(Object old, Object value) {
        return Replica.sameValue(replica.external(old), replica.comparable(value));
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

    /** Replaces every entry at once (clear, its undo, a re-sync). @return the entries it held */
    LinkedTable swapBacking(LinkedTable replacement) {
        LinkedTable old = map;
        map = replacement;
        if (replica.feed.observes(this)) {
            old.forEach((k, v) -> replica.feed.mapChanged(this, k, unmask(v), ABSENT, replica));
            replacement.forEach((k, v) -> replica.feed.mapChanged(this, k, ABSENT, unmask(v), replica));
        }
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
        if (!present.isEmpty() && attached()) {
            replica.submit(new MapOps.Remove(this, present.toArray()), this);
        }
        return present.size();
    }

    /** Puts stored entries in one op. Under the lock. */
    void putStored(Object[] kv) {
        if (kv.length > 0 && attached()) {
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
            return lookup(key) != null;
        } finally {
            replica.release();
        }
    }

    @Override
    public boolean containsValue(Object value) {
        replica.acquire();
        try {
            Object expected = replica.comparable(value);
            for (Object v : map.values()) {
                if (Replica.sameValue(replica.externalQuietly(unmask(v)), expected)) {
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
            Object v = lookup(key);
            return v == null ? null : replica.external(unmask(v));
        } finally {
            replica.release();
        }
    }

    @Override
    public Object getOrDefault(Object key, Object defaultValue) {
        replica.acquire();
        try {
            Object v = lookup(key);
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
        replica.acquireWrite();
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
        replica.acquireWrite();
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
        replica.acquireWrite();
        try {
            Object old = rawGet(key);
            if (old == ABSENT) {
                return null;
            }
            if (attached()) {
                replica.submit(new MapOps.Remove(this, new Object[] {storedKey(key)}), this);
            }
            return replica.externalQuietly(old);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public void clear() {
        replica.acquireWrite();
        try {
            if (!map.isEmpty() && attached()) {
                replica.submit(new MapOps.Clear(this), this);
            }
        } finally {
            replica.releaseWrite();
        }
    }

    /** One conditional op: where it is sequenced, the first claim on the key wins in every process. */
    @Override
    public Object putIfAbsent(Object key, Object value) {
        replica.acquireWrite();
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
        if (attached()) {
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
        replica.acquireWrite();
        try {
            Object old = rawGet(key);
            if (old == ABSENT || !holds(old, value)) {
                return false;
            }
            if (attached()) {
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
        replica.acquireWrite();
        try {
            Object old = rawGet(key);
            if (old == ABSENT || !holds(old, oldValue)) {
                return false;
            }
            Object v = replica.internalizeValue(newValue);
            if (attached()) {
                replica.submit(new MapOps.ReplaceIf(this, storedKey(key), expected(old), v), this);
            }
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public Object replace(Object key, Object value) {
        replica.acquireWrite();
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

    /**
     * One MAP_PUT_IF_ABSENT op, never run again: if another process claims the key first, the value
     * that won stays, which is what {@code computeIfAbsent} would have returned had it run after it.
     */
    @Override
    public Object computeIfAbsent(Object key, Function<? super Object, ?> mappingFunction) {
        Objects.requireNonNull(mappingFunction, "mappingFunction");
        replica.acquireWrite();
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

    /**
     * Atomic across processes: one MAP_COMPUTE op, applied only if the key still holds, where it
     * is sequenced, the value the function read; if not, this process runs the function again on
     * the value that won (see {@link ParentLink}). The function runs under the lock.
     */
    @Override
    public Object computeIfPresent(Object key, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return computeOnce(key, MapOps.Step.computeIfPresent(remappingFunction));
    }

    /** Atomic across processes, as {@link #computeIfPresent}. */
    @Override
    public Object compute(Object key, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return computeOnce(key, MapOps.Step.compute(remappingFunction));
    }

    /** Atomic across processes, as {@link #computeIfPresent}: N processes merging 1 into a key M times each add N*M. */
    @Override
    public Object merge(Object key, Object value, BiFunction<? super Object, ? super Object, ?> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        Objects.requireNonNull(value, "value");
        return computeOnce(key, MapOps.Step.merge(value, remappingFunction));
    }

    /** One call of the compute family, by the caller's thread; what it throws propagates and nothing is written then. */
    private Object computeOnce(Object key, MapOps.Step step) {
        replica.acquireWrite();
        try {
            Object now = computeSteps(key, replica.internalizeKey(key), List.of(step), null);
            return now == ABSENT ? null : replica.external(now);
        } finally {
            replica.releaseWrite();
        }
    }

    /**
     * Runs compute-family steps on the value under the stored key {@code k}, in order, each on the
     * outcome of the one before, and writes the last outcome as one MAP_COMPUTE op that expects the
     * value the first step read. Writes nothing if no step changed anything, or while this map is
     * detached. Under the lock. A caller's call runs one step; a child's re-run runs every call of
     * its that lost on this key, in their order (coalesced into one op).
     *
     * @param userKey the key handed to the functions
     * @param failed null to let a step's exception propagate (nothing is written then); else it hears
     *     each failing step's exception, that step is dropped and the others go on
     * @return the value now under the key (while detached: the last outcome), or {@link #ABSENT}
     * @throws IllegalArgumentException if the outcome can't be shared (nothing is written then)
     */
    Object computeSteps(Object userKey, Object k, List<MapOps.Step> steps, Consumer<RuntimeException> failed) {
        Object old = rawGet(k);
        Object state = old;
        boolean changed = false;
        List<MapOps.Step> kept = failed == null ? steps : new ArrayList<>(steps.size());
        for (MapOps.Step step : steps) {
            Object next;
            try {
                next = step.next(userKey, state == ABSENT ? ABSENT : replica.external(state));
                if (next != MapOps.Step.UNCHANGED && next != ABSENT) {
                    next = replica.internalizeValue(next);
                }
            } catch (RuntimeException e) {
                if (failed == null) {
                    throw e;
                }
                failed.accept(e);
                continue;
            }
            if (kept != steps) {
                kept.add(step);
            }
            if (next != MapOps.Step.UNCHANGED) {
                state = next;
                changed = true;
            }
        }
        if (changed && (state != ABSENT || old != ABSENT) && attached()) {
            replica.submit(new MapOps.Compute(this, k, old, expected(old), state, kept), this);
        }
        return state;
    }

    @Override
    public void replaceAll(BiFunction<? super Object, ? super Object, ?> function) {
        Objects.requireNonNull(function, "function");
        replica.acquireWrite();
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

    /** {@link Map#equals} over one snapshot of this map; a {@code byte[]} value compares by content. */
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
                Object theirs = other.get(kv[i]);
                if (theirs == null ? v != null || !other.containsKey(kv[i]) : !ValueCodec.sameValue(v, theirs)) {
                    return false;
                }
            }
        } catch (ClassCastException | NullPointerException unsupportedKey) {
            return false;
        }
        return true;
    }

    // hashCode and toString come from AbstractMap over the snapshot entry set (MapEntrySet.Entry
    // hashes a byte[] value by content).
}
