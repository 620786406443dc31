package io.ipos;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The shared list. {@link AbstractList} supplies {@code subList} and {@code listIterator}, which
 * call back into the methods here; {@code modCount} is never touched, so neither ever throws
 * {@link java.util.ConcurrentModificationException}.
 */
final class ListNode extends AbstractList<Object> implements SharedList<Object>, Node, RandomAccess {
    private final Replica replica;
    private final long id;
    private boolean attached;
    private ArrayList<Object> list = new ArrayList<>();

    ListNode(Replica replica, long id) {
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
        return FrameDescriptor.LITERAL_LIST;
    }

    @Override
    public String kindName() {
        return "list";
    }

    @Override
    public void forEachChildNode(Consumer<Node> action) {
        for (Object v : list) {
            if (v instanceof Node n) {
                action.accept(n);
            }
        }
    }

    @Override
    public int contentElementCount() {
        return list.size();
    }

    @Override
    public void forEachContentElement(Consumer<Object> action) {
        list.forEach(action);
    }

    @Override
    public Node deepCopy() {
        ListNode copy = new ListNode(replica, replica.newNodeId());
        for (Object v : list) {
            copy.list.add(v instanceof Node n ? n.deepCopy() : v);
        }
        return copy;
    }

    ArrayList<Object> backing() {
        return list;
    }

    ArrayList<Object> swapBacking(ArrayList<Object> replacement) {
        ArrayList<Object> old = list;
        list = replacement;
        return old;
    }

    /** Appends a stored element to a node that is being built (not yet attached). */
    void load(Object value) {
        list.add(value);
    }

    private Object[] snapshot() {
        replica.acquire();
        try {
            return list.toArray();
        } finally {
            replica.release();
        }
    }

    private void submit(Op op) {
        if (attached) {
            replica.submit(op, this);
        }
    }

    private Object[] internalizeAll(Collection<?> c) {
        Object[] values = c.toArray();
        for (int i = 0; i < values.length; i++) {
            values[i] = replica.internalizeValue(values[i]);
        }
        return values;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Object get(int index) {
        replica.acquire();
        try {
            return replica.external(list.get(index));
        } finally {
            replica.release();
        }
    }

    @Override
    public int size() {
        replica.acquire();
        try {
            return list.size();
        } finally {
            replica.release();
        }
    }

    @Override
    public boolean contains(Object o) {
        return indexOf(o) >= 0;
    }

    @Override
    public int indexOf(Object o) {
        replica.acquire();
        try {
            return list.indexOf(o);
        } finally {
            replica.release();
        }
    }

    @Override
    public int lastIndexOf(Object o) {
        replica.acquire();
        try {
            return list.lastIndexOf(o);
        } finally {
            replica.release();
        }
    }

    @Override
    public Object[] toArray() {
        Object[] snap = snapshot();
        for (int i = 0; i < snap.length; i++) {
            snap[i] = replica.external(snap[i]);
        }
        return snap;
    }

    @Override
    public <T> T[] toArray(T[] a) {
        Object[] snap = toArray();
        if (a.length < snap.length) {
            @SuppressWarnings("unchecked")
            T[] copy = (T[]) Arrays.copyOf(snap, snap.length, a.getClass());
            return copy;
        }
        System.arraycopy(snap, 0, a, 0, snap.length);
        if (a.length > snap.length) {
            a[snap.length] = null;
        }
        return a;
    }

    /** Iterates a snapshot; {@code remove} removes the same element from the live list. */
    @Override
    public Iterator<Object> iterator() {
        Object[] snap = snapshot();
        int[] removedBefore = {0};
        return new SnapshotIterator<>(snap.length, i -> replica.external(snap[i]), i -> {
            replica.acquire();
            try {
                int at = i - removedBefore[0];
                if (at < 0 || at >= list.size() || list.get(at) != snap[i]) {
                    at = indexOfIdentical(snap[i]);
                }
                if (at >= 0) {
                    remove(at);
                }
                removedBefore[0]++;
            } finally {
                replica.releaseWrite();
            }
        });
    }

    private int indexOfIdentical(Object stored) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == stored) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Spliterator<Object> spliterator() {
        return Spliterators.spliterator(toArray(), Spliterator.ORDERED);
    }

    @Override
    public void forEach(Consumer<? super Object> action) {
        Objects.requireNonNull(action, "action");
        for (Object v : toArray()) {
            action.accept(v);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof List<?> other)) {
            return false;
        }
        Object[] mine = toArray();
        Iterator<?> theirs = other.iterator();
        for (Object v : mine) {
            if (!theirs.hasNext() || !Objects.equals(v, theirs.next())) {
                return false;
            }
        }
        return !theirs.hasNext();
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toArray());
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Object set(int index, Object element) {
        replica.acquire();
        try {
            Objects.checkIndex(index, list.size());
            Object v = replica.internalizeValue(element);
            Object old = list.get(index);
            submit(new ListOps.Set(this, new int[] {index}, new Object[] {v}));
            return replica.externalQuietly(old);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean add(Object element) {
        replica.acquire();
        try {
            Object v = replica.internalizeValue(element);
            submit(new ListOps.Insert(this, list.size(), new Object[] {v}));
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public void add(int index, Object element) {
        replica.acquire();
        try {
            checkPosition(index);
            Object v = replica.internalizeValue(element);
            submit(new ListOps.Insert(this, index, new Object[] {v}));
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean addAll(Collection<?> c) {
        replica.acquire();
        try {
            return addAll(list.size(), c);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean addAll(int index, Collection<?> c) {
        replica.acquire();
        try {
            checkPosition(index);
            Object[] values = internalizeAll(c);
            if (values.length == 0) {
                return false;
            }
            submit(new ListOps.Insert(this, index, values));
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public Object remove(int index) {
        replica.acquire();
        try {
            Objects.checkIndex(index, list.size());
            Object old = list.get(index);
            submit(new ListOps.Remove(this, new int[] {index, index + 1}));
            return replica.externalQuietly(old);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean remove(Object o) {
        replica.acquire();
        try {
            int at = list.indexOf(o);
            if (at < 0) {
                return false;
            }
            remove(at);
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    /** Called by {@code subList(from, to).clear()}: one op. */
    @Override
    protected void removeRange(int fromIndex, int toIndex) {
        replica.acquire();
        try {
            Objects.checkFromToIndex(fromIndex, toIndex, list.size());
            if (fromIndex < toIndex) {
                submit(new ListOps.Remove(this, new int[] {fromIndex, toIndex}));
            }
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public void clear() {
        replica.acquire();
        try {
            if (!list.isEmpty()) {
                submit(new ListOps.Clear(this));
            }
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean removeIf(Predicate<? super Object> filter) {
        Objects.requireNonNull(filter, "filter");
        replica.acquire();
        try {
            // ranges from the end, so each range's indices hold when the ones before it are removed
            int[] ranges = new int[8];
            int n = 0;
            for (int i = list.size() - 1; i >= 0; ) {
                if (!filter.test(replica.external(list.get(i)))) {
                    i--;
                    continue;
                }
                int to = i + 1;
                i--;
                while (i >= 0 && filter.test(replica.external(list.get(i)))) {
                    i--;
                }
                if (n + 2 > ranges.length) {
                    ranges = Arrays.copyOf(ranges, ranges.length * 2);
                }
                ranges[n++] = i + 1;
                ranges[n++] = to;
            }
            if (n == 0) {
                return false;
            }
            submit(new ListOps.Remove(this, Arrays.copyOf(ranges, n)));
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        Objects.requireNonNull(c, "c");
        return removeIf(c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        Objects.requireNonNull(c, "c");
        return removeIf(e -> !c.contains(e));
    }

    @Override
    public void replaceAll(UnaryOperator<Object> operator) {
        Objects.requireNonNull(operator, "operator");
        replica.acquire();
        try {
            int[] indices = new int[list.size()];
            Object[] values = new Object[list.size()];
            int n = 0;
            for (int i = 0; i < list.size(); i++) {
                Object old = list.get(i);
                Object now = operator.apply(replica.external(old));
                if (now != old) {
                    indices[n] = i;
                    values[n++] = replica.internalizeValue(now);
                }
            }
            if (n > 0) {
                submit(new ListOps.Set(this, Arrays.copyOf(indices, n), Arrays.copyOf(values, n)));
            }
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public void sort(Comparator<? super Object> c) {
        replica.acquire();
        try {
            Object[] values = list.toArray();
            for (int i = 0; i < values.length; i++) {
                values[i] = replica.external(values[i]);
            }
            Integer[] order = new Integer[values.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            @SuppressWarnings("unchecked")
            Comparator<Object> cmp = c != null ? (Comparator<Object>) c : (a, b) -> ((Comparable<Object>) a).compareTo(b);
            Arrays.sort(order, (a, b) -> cmp.compare(values[a], values[b]));
            int[] permutation = new int[order.length];
            boolean identity = true;
            for (int i = 0; i < order.length; i++) {
                permutation[i] = order[i];
                identity &= order[i] == i;
            }
            if (!identity) {
                submit(new ListOps.Permute(this, permutation));
            }
        } finally {
            replica.releaseWrite();
        }
    }

    private void checkPosition(int index) {
        if (index < 0 || index > list.size()) {
            throw new IndexOutOfBoundsException("index=" + index + " is outside [0, size=" + list.size() + "]");
        }
    }
}
