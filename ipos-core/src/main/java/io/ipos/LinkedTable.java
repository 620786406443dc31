package io.ipos;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The backing store of a shared map or set: a hash table whose entries are also linked in
 * insertion order, like {@link java.util.LinkedHashMap}, and which can put a key back right after
 * another ({@link #putAfter}): that is what lets a re-base undo a remove exactly, so that every
 * process iterates a map or set in the order the parent sequenced its keys' insertions.
 *
 * <p>An entry holds what a {@code LinkedHashMap} entry holds (hash, key, value, bucket chain,
 * before, after), so the memory is the same. Keys may not be null here (the caller stores a
 * null key as itself: {@code Objects.hashCode} and {@code Objects.equals} are used throughout).
 * Not thread-safe: guarded by the replica's lock. Iterators are fail-late: mutating the table while
 * iterating it, other than through the iterator, is not supported (the nodes never do).
 */
final class LinkedTable extends AbstractMap<Object, Object> {
    /** What {@link #keyBefore} returns for the first key. */
    static final Object FIRST = new Object() {
        @Override
        public String toString() {
            return "first";
        }
    };

    private static final class Entry implements Map.Entry<Object, Object> {
        final int hash;
        final Object key;
        Object value;
        Entry next;
        Entry before;
        Entry after;

        Entry(int hash, Object key, Object value) {
            this.hash = hash;
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
        public Object setValue(Object v) {
            Object old = value;
            value = v;
            return old;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && Objects.equals(key, e.getKey()) && Objects.equals(value, e.getValue());
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(key) ^ Objects.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    private Entry[] table;
    private Entry head;
    private Entry tail;
    private int size;
    private Set<Map.Entry<Object, Object>> entries;

    LinkedTable() {
    }

    LinkedTable(int expected) {
        if (expected > 0) {
            table = new Entry[capacityFor(expected)];
        }
    }

    private static int capacityFor(int n) {
        int cap = 16;
        while (cap < (1 << 30) && cap * 3L / 4 < n) {
            cap <<= 1;
        }
        return cap;
    }

    private static int hash(Object key) {
        int h = Objects.hashCode(key);
        return h ^ (h >>> 16);
    }

    private Entry find(Object key) {
        if (table == null) {
            return null;
        }
        int h = hash(key);
        for (Entry e = table[h & (table.length - 1)]; e != null; e = e.next) {
            if (e.hash == h && Objects.equals(e.key, key)) {
                return e;
            }
        }
        return null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        return find(key) != null;
    }

    /** @return the value, or null when absent (store values masked to tell a null value apart) */
    @Override
    public Object get(Object key) {
        Entry e = find(key);
        return e == null ? null : e.value;
    }

    /** Puts a key at the end, or re-maps it in place. @return the previous value, or null */
    @Override
    public Object put(Object key, Object value) {
        return put(key, value, tail, false);
    }

    /**
     * Puts {@code key} right after {@code before} (a key present here, or {@link #FIRST}), or
     * re-maps it in place if present.
     *
     * @return the previous value, or null
     */
    Object putAfter(Object before, Object key, Object value) {
        Entry at = before == FIRST ? null : find(before);
        if (before != FIRST && at == null) {
            throw new IllegalStateException("no key " + before + " to put " + key + " after");
        }
        return put(key, value, at, true);
    }

    private Object put(Object key, Object value, Entry after, boolean placed) {
        int h = hash(key);
        if (table == null) {
            table = new Entry[16];
        }
        int i = h & (table.length - 1);
        for (Entry e = table[i]; e != null; e = e.next) {
            if (e.hash == h && Objects.equals(e.key, key)) {
                Object old = e.value;
                e.value = value;
                return old;
            }
        }
        Entry e = new Entry(h, key, value);
        e.next = table[i];
        table[i] = e;
        link(e, placed ? after : tail);
        if (++size > table.length * 3L / 4) {
            resize();
        }
        return null;
    }

    /** Links {@code e} into the order after {@code prev} (null: first). */
    private void link(Entry e, Entry prev) {
        Entry nextInOrder = prev == null ? head : prev.after;
        e.before = prev;
        e.after = nextInOrder;
        if (prev == null) {
            head = e;
        } else {
            prev.after = e;
        }
        if (nextInOrder == null) {
            tail = e;
        } else {
            nextInOrder.before = e;
        }
    }

    private void resize() {
        if (table.length >= 1 << 30) {
            return;
        }
        Entry[] bigger = new Entry[table.length << 1];
        for (Entry e = head; e != null; e = e.after) {
            int i = e.hash & (bigger.length - 1);
            e.next = bigger[i];
            bigger[i] = e;
        }
        table = bigger;
    }

    /** @return the value removed, or null when absent */
    @Override
    public Object remove(Object key) {
        Entry e = unlink(key);
        return e == null ? null : e.value;
    }

    private Entry unlink(Object key) {
        if (table == null) {
            return null;
        }
        int h = hash(key);
        int i = h & (table.length - 1);
        Entry prevInBucket = null;
        for (Entry e = table[i]; e != null; prevInBucket = e, e = e.next) {
            if (e.hash == h && Objects.equals(e.key, key)) {
                if (prevInBucket == null) {
                    table[i] = e.next;
                } else {
                    prevInBucket.next = e.next;
                }
                if (e.before == null) {
                    head = e.after;
                } else {
                    e.before.after = e.after;
                }
                if (e.after == null) {
                    tail = e.before;
                } else {
                    e.after.before = e.before;
                }
                size--;
                return e;
            }
        }
        return null;
    }

    /** The key just before {@code key} in iteration order ({@link #FIRST} if it is first); {@code key} must be present. */
    Object keyBefore(Object key) {
        Entry e = find(key);
        if (e == null) {
            throw new IllegalStateException("no key " + key);
        }
        return e.before == null ? FIRST : e.before.key;
    }

    @Override
    public void clear() {
        table = null;
        head = null;
        tail = null;
        size = 0;
    }

    @Override
    public Set<Map.Entry<Object, Object>> entrySet() {
        Set<Map.Entry<Object, Object>> es = entries;
        return es != null ? es : (entries = new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<Object, Object>> iterator() {
                return new Iterator<>() {
                    private Entry next = head;
                    private Entry last;

                    @Override
                    public boolean hasNext() {
                        return next != null;
                    }

                    @Override
                    public Map.Entry<Object, Object> next() {
                        if (next == null) {
                            throw new NoSuchElementException();
                        }
                        last = next;
                        next = next.after;
                        return last;
                    }

                    @Override
                    public void remove() {
                        if (last == null) {
                            throw new IllegalStateException();
                        }
                        unlink(last.key);
                        last = null;
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        });
    }
}
