package io.ipos;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mirror rule, checked: for one process, a plain copy of every container (and of the fields),
 * each taken when its listener subscribed and updated only from the changes it receives. Every
 * change is checked against the copy before it is applied (a removed entry must be there with that
 * value, a list range must hold the removed elements); {@link #mismatches()} compares every copy with
 * its container once writes have stopped and the process has flushed. Containers that appear in a
 * change are mirrored from then on.
 */
final class Mirrors {
    private final IPOS ipos;
    private final Replica replica;
    private final IdentityHashMap<Object, Object> copies = new IdentityHashMap<>();
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    final AtomicLong events = new AtomicLong();
    final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());

    Mirrors(IPOS ipos) {
        this.ipos = ipos;
        this.replica = replicaOf(ipos);
        replica.acquire();
        try {
            for (String key : ipos.keys()) {
                Object v = ipos.get(key);
                fields.put(key, v);
                watch(v);
            }
            subscriptions.add(ipos.onChange(this::onAnyChange));
        } finally {
            replica.release();
        }
    }

    private static Replica replicaOf(IPOS ipos) {
        try {
            java.lang.reflect.Field f = IPOS.class.getDeclaredField("replica");
            f.setAccessible(true);
            return (Replica) f.get(ipos);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Subscribes to {@code value} (and the containers inside it) if it is a container not mirrored yet. Under the lock. */
    private void watch(Object value) {
        if (value instanceof SharedMap<?, ?> m && !copies.containsKey(m)) {
            @SuppressWarnings("unchecked")
            SharedMap<Object, Object> map = (SharedMap<Object, Object>) m;
            copies.put(map, new LinkedHashMap<>(map));
            subscriptions.add(map.onChange(c -> onMap(map, c)));
            map.values().forEach(this::watch);
        } else if (value instanceof SharedList<?> l && !copies.containsKey(l)) {
            @SuppressWarnings("unchecked")
            SharedList<Object> list = (SharedList<Object>) l;
            copies.put(list, new ArrayList<>(list));
            subscriptions.add(list.onChange(c -> onList(list, c)));
            list.forEach(this::watch);
        } else if (value instanceof SharedSet<?> s && !copies.containsKey(s)) {
            @SuppressWarnings("unchecked")
            SharedSet<Object> set = (SharedSet<Object>) s;
            copies.put(set, new LinkedHashSet<>(set));
            subscriptions.add(set.onChange(c -> onSet(set, c)));
        }
    }

    private void watchAll(Iterable<?> values) {
        replica.acquire();
        try {
            for (Object v : values) {
                watch(v);
            }
        } finally {
            replica.release();
        }
    }

    private void onAnyChange(Change c) {
        if (!(c instanceof FieldChange f)) {
            return;
        }
        events.incrementAndGet();
        for (Map.Entry<String, Object> e : f.removed().entrySet()) {
            if (!fields.containsKey(e.getKey()) || !same(fields.get(e.getKey()), e.getValue())) {
                problems.add("field " + e.getKey() + " removed as " + e.getValue() + " but the copy had " + fields.get(e.getKey()));
            }
            fields.remove(e.getKey());
        }
        fields.putAll(f.added());
        watchAll(f.added().values());
    }

    private void onMap(SharedMap<Object, Object> map, MapChange<Object, Object> c) {
        events.incrementAndGet();
        @SuppressWarnings("unchecked")
        Map<Object, Object> copy = (Map<Object, Object>) copies.get(map);
        for (Map.Entry<Object, Object> e : c.removed().entrySet()) {
            if (!copy.containsKey(e.getKey()) || !same(copy.get(e.getKey()), e.getValue())) {
                problems.add("map key " + e.getKey() + " removed as " + e.getValue() + " but the copy had " + copy.get(e.getKey()));
            }
            copy.remove(e.getKey());
        }
        copy.putAll(c.added());
        watchAll(c.added().values());
        if (c.map() != map) {
            problems.add("MapChange.map() is not the map listened to");
        }
    }

    private void onList(SharedList<Object> list, ListChange<Object> c) {
        events.incrementAndGet();
        @SuppressWarnings("unchecked")
        List<Object> copy = (List<Object>) copies.get(list);
        int n = c.removed().size();
        if (c.index() < 0 || c.index() + n > copy.size()) {
            problems.add("list change at " + c.index() + " removing " + n + " outside the copy's size " + copy.size());
            return;
        }
        List<Object> range = copy.subList(c.index(), c.index() + n);
        if (!sameList(range, c.removed())) {
            problems.add("list change at " + c.index() + " removed " + c.removed() + " but the copy had " + range);
        }
        range.clear();
        copy.addAll(c.index(), c.added());
        watchAll(c.added());
    }

    private void onSet(SharedSet<Object> set, SetChange<Object> c) {
        events.incrementAndGet();
        @SuppressWarnings("unchecked")
        Set<Object> copy = (Set<Object>) copies.get(set);
        for (Object e : c.removed()) {
            if (!copy.remove(e)) {
                problems.add("set element " + e + " removed but not in the copy");
            }
        }
        for (Object e : c.added()) {
            if (!copy.add(e)) {
                problems.add("set element " + e + " added but already in the copy");
            }
        }
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return java.util.Arrays.equals(x, y);
        }
        return a == b || Objects.equals(a, b);
    }

    private static boolean sameList(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!same(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * After writes stopped and {@code flush()} completed: every copy against its container (by
     * content: the rule re-maps a key by removing and re-adding it, so a copy's order may differ);
     * plus the problems met while applying changes.
     */
    List<String> mismatches() {
        if (ipos.isConnected()) {
            ipos.flush().join(); // its listeners have seen every change applied here so far
        }
        List<String> out = new ArrayList<>(problems);
        replica.acquire();
        try {
            if (!fields.keySet().equals(ipos.keys())) {
                out.add("fields " + fields.keySet() + " but the instance has " + ipos.keys());
            }
            copies.forEach((container, copy) -> {
                boolean equal = copy instanceof List<?> l ? sameList(castList(l), castList((List<?>) container))
                        : copy.equals(container);
                if (!equal) {
                    out.add("copy " + copy + " != container " + container);
                }
            });
        } finally {
            replica.release();
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(List<?> l) {
        return (List<Object>) l;
    }

    void close() {
        subscriptions.forEach(Subscription::close);
    }
}
