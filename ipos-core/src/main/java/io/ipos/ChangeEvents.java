package io.ipos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changes listeners receive: immutable records of the public change interfaces, made by the
 * event thread from what {@link ChangeFeed} recorded. {@code path()} is found when it is asked
 * for, as of then, by walking from the container up to its field.
 */
final class ChangeEvents {
    private ChangeEvents() {
    }

    static <K, V> Map<K, V> frozen(LinkedHashMap<K, V> m) {
        return Collections.unmodifiableMap(m);
    }

    static Set<Object> elements(LinkedHashMap<Object, Object> m) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(m.values()));
    }

    /** The field name, then the map keys and list indices down to {@code node}; empty when it is detached. */
    static List<Object> pathOf(Node node) {
        Replica r = node.replica();
        r.acquire();
        try {
            ArrayList<Object> path = new ArrayList<>();
            Node n = node;
            while (n.attached() && n.parent() != null) {
                Object step = n.parent().keyOf(n);
                if (step == null) {
                    return List.of();
                }
                path.add(step);
                n = n.parent();
            }
            if (!n.attached() || n.id() != 0) {
                return List.of();
            }
            Collections.reverse(path);
            return Collections.unmodifiableList(path);
        } finally {
            r.release();
        }
    }

    record Fields(Peer origin, boolean isLocal, Map<String, Object> removed, Map<String, Object> added) implements FieldChange {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Fields(Peer origin, boolean isLocal, Map<Object, Object> removed, Map<Object, Object> added, boolean raw) {
            this(origin, isLocal, (Map) removed, (Map) added);
        }

        @Override
        public List<Object> path() {
            return List.of();
        }
    }

    record MapDiff(MapNode map, Peer origin, boolean isLocal, Map<Object, Object> removed, Map<Object, Object> added)
            implements MapChange<Object, Object> {
        @Override
        public List<Object> path() {
            return pathOf(map);
        }

        @Override
        public String toString() {
            return "MapChange[removed=" + removed + ", added=" + added + ", origin=" + origin + "]";
        }
    }

    record ListDiff(ListNode list, Peer origin, boolean isLocal, int index, List<Object> removed, List<Object> added)
            implements ListChange<Object> {
        @Override
        public List<Object> path() {
            return pathOf(list);
        }

        @Override
        public String toString() {
            return "ListChange[index=" + index + ", removed=" + removed + ", added=" + added + ", origin=" + origin + "]";
        }
    }

    record SetDiff(SetNode set, Peer origin, boolean isLocal, Set<Object> removed, Set<Object> added) implements SetChange<Object> {
        @Override
        public List<Object> path() {
            return pathOf(set);
        }

        @Override
        public String toString() {
            return "SetChange[removed=" + removed + ", added=" + added + ", origin=" + origin + "]";
        }
    }

    /** A peer as changes name it: the parent is 0, {@code "parent"}; child n is {@code "child-n"}. */
    record KnownPeer(int id, String name) implements Peer {
        static KnownPeer of(int id) {
            return new KnownPeer(id, id == 0 ? "parent" : "child-" + id);
        }

        @Override
        public String toString() {
            return name + "#" + id;
        }
    }
}
