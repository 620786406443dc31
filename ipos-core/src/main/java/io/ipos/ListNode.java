package io.ipos;

import io.ipos.serialization.ValueCodec;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The shared list.
 *
 * <p>Every bulk call ({@code addAll}, {@code removeIf}, {@code removeAll}, {@code retainAll},
 * {@code replaceAll}, {@code sort}, {@code clear}) is one op, on the list and on its
 * {@link #subList sub-lists} alike: both go through the range operations below. Iterators and list
 * iterators walk a snapshot and write through ({@link Cursor}); {@code modCount} is never touched,
 * so nothing here ever throws {@link java.util.ConcurrentModificationException}.
 */
final class ListNode extends AbstractList<Object> implements SharedList<Object>, Node, RandomAccess {
    private final Replica replica;
    private final long id;
    private final NodeSite site = new NodeSite();
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
    public Subscription onChange(java.util.function.Consumer<? super ListChange<Object>> listener) {
        return subscribe(listener);
    }

    @Override
    public NodeSite site() {
        return site;
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
            Node n = Node.of(v);
            if (n != null) {
                action.accept(n);
            }
        }
    }

    @Override
    public int contentElementCount() {
        return list.size();
    }

    @Override
    public Iterator<Object> contentIterator() {
        return list.iterator();
    }

    @Override
    public void takeContents(Node other) {
        ListNode from = (ListNode) other;
        swapBacking(from.list);
        from.list = new ArrayList<>();
    }

    @Override
    public Object keyOf(Node child) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == child) {
                return i;
            }
        }
        return null;
    }

    @Override
    public Node shallowCopy() {
        ListNode copy = new ListNode(replica, replica.newNodeId());
        copy.list = new ArrayList<>(list);
        return copy;
    }

    @Override
    public void replaceChildNodes(UnaryOperator<Node> replacement) {
        for (int i = 0; i < list.size(); i++) {
            Node n = Node.of(list.get(i));
            if (n != null) {
                list.set(i, replacement.apply(n));
            }
        }
    }

    ArrayList<Object> backing() {
        return list;
    }

    /** Replaces every element at once (clear, sort, their undo, a re-sync). @return what it held */
    ArrayList<Object> swapBacking(ArrayList<Object> replacement) {
        ArrayList<Object> old = list;
        list = replacement;
        if (replica.feed.observes(this) && !(old.isEmpty() && replacement.isEmpty())) {
            replica.feed.listChanged(this, 0, old.toArray(), replacement.toArray(), replica);
        }
        return old;
    }

    /** Inserts stored values at {@code at} (in range). */
    void rawInsert(int at, Object[] values) {
        if (values.length == 1) {
            list.add(at, values[0]);
        } else {
            list.addAll(at, Arrays.asList(values));
        }
        if (replica.feed.observes(this)) {
            replica.feed.listChanged(this, at, NONE, values, replica);
        }
    }

    /** Removes {@code [from, to)} (in range). @return the stored values removed */
    Object[] rawRemove(int from, int to) {
        List<Object> range = list.subList(from, to);
        Object[] gone = range.toArray();
        range.clear();
        if (gone.length > 0 && replica.feed.observes(this)) {
            replica.feed.listChanged(this, from, gone, NONE, replica);
        }
        return gone;
    }

    /** Replaces the stored value at {@code at} (in range). @return the old one */
    Object rawSet(int at, Object value) {
        Object old = list.set(at, value);
        if (replica.feed.observes(this)) {
            replica.feed.listChanged(this, at, new Object[] {old}, new Object[] {value}, replica);
        }
        return old;
    }

    private static final Object[] NONE = new Object[0];

    /** Appends a stored element to a node that is being built (not yet attached). */
    void load(Object value) {
        list.add(value);
    }

    /** Ships an op; returns whether it changed anything (a detached list changes nothing). Under the lock. */
    private boolean submit(Op op) {
        if (attached()) {
            replica.submit(op, this);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- range operations
    //
    // The list and its sub-lists (ListSubList) share these. A range [from, to) is clipped to the
    // live list, which another thread or process may have shortened since the caller sized it.
    // Each takes the lock itself.

    /** The stored elements of [from, to) as of now. */
    Object[] storedRange(int from, int to) {
        replica.acquire();
        try {
            int end = Math.min(to, list.size());
            int start = Math.min(Math.max(from, 0), end);
            return list.subList(start, end).toArray();
        } finally {
            replica.release();
        }
    }

    /** The elements of [from, to) as of now, as a user sees them. */
    Object[] externalRange(int from, int to) {
        Object[] out = storedRange(from, to);
        for (int i = 0; i < out.length; i++) {
            out[i] = replica.external(out[i]);
        }
        return out;
    }

    /**
     * Index of the first element of [from, to) equal to {@code o} ({@link Replica#sameValue}: a
     * {@code byte[]} by content), relative to {@code from}; -1 if none.
     */
    int indexOf(int from, int to, Object o) {
        replica.acquire();
        try {
            int end = Math.min(to, list.size());
            Object expected = replica.comparable(o);
            for (int i = Math.max(from, 0); i < end; i++) {
                if (Replica.sameValue(list.get(i), expected)) {
                    return i - from;
                }
            }
            return -1;
        } finally {
            replica.release();
        }
    }

    /** Index of the last element of [from, to) equal to {@code o} (as {@link #indexOf}), relative to {@code from}; -1 if none. */
    int lastIndexOf(int from, int to, Object o) {
        replica.acquire();
        try {
            int start = Math.max(from, 0);
            Object expected = replica.comparable(o);
            for (int i = Math.min(to, list.size()) - 1; i >= start; i--) {
                if (Replica.sameValue(list.get(i), expected)) {
                    return i - from;
                }
            }
            return -1;
        } finally {
            replica.release();
        }
    }

    /**
     * Inserts user values at {@code index} (checked against {@code [0, size]}) in one op; each value
     * is checked before anything is stored.
     *
     * @return how many elements the live list gained (0 for none, or when detached)
     */
    int insert(int index, Object[] raw) {
        replica.acquireWrite();
        try {
            checkPosition(index);
            return insertUnchecked(index, raw);
        } finally {
            replica.releaseWrite();
        }
    }

    /**
     * Appends user values in one op, at the end of the list where the op is applied
     * ({@link ListOps#APPEND}), so one writer's appends keep their order everywhere.
     */
    private void append(Object[] raw) {
        replica.acquireWrite();
        try {
            insertUnchecked(ListOps.APPEND, raw);
        } finally {
            replica.releaseWrite();
        }
    }

    /** {@link #insert} with {@code index} checked, or {@link ListOps#APPEND}. Under the lock. */
    private int insertUnchecked(int index, Object[] raw) {
        if (raw.length == 0) {
            return 0;
        }
        Object[] values = new Object[raw.length];
        for (int i = 0; i < raw.length; i++) {
            values[i] = replica.internalizeValue(raw[i]);
        }
        return submit(new ListOps.Insert(this, index, values)) ? values.length : 0;
    }

    /**
     * Removes the elements of [from, to) that {@code filter} accepts, in one op. The filter sees
     * the elements in order, front to back, as with {@link java.util.ArrayList#removeIf}.
     *
     * @return how many elements the filter accepted
     */
    int removeIf(int from, int to, Predicate<? super Object> filter) {
        Objects.requireNonNull(filter, "filter");
        replica.acquireWrite();
        try {
            int end = Math.min(to, list.size());
            int start = Math.min(Math.max(from, 0), end);
            boolean[] doomed = new boolean[end - start];
            int count = 0;
            for (int i = start; i < end; i++) {
                if (filter.test(replica.external(list.get(i)))) {
                    doomed[i - start] = true;
                    count++;
                }
            }
            if (count == 0) {
                return 0;
            }
            // ranges from the end, so each range's indices hold when the ones before it are removed
            int[] ranges = new int[8];
            int n = 0;
            for (int i = doomed.length - 1; i >= 0; ) {
                if (!doomed[i]) {
                    i--;
                    continue;
                }
                int last = i;
                while (i >= 0 && doomed[i]) {
                    i--;
                }
                if (n + 2 > ranges.length) {
                    ranges = Arrays.copyOf(ranges, ranges.length * 2);
                }
                ranges[n++] = start + i + 1;
                ranges[n++] = start + last + 1;
            }
            submit(new ListOps.Remove(this, Arrays.copyOf(ranges, n)));
            return count;
        } finally {
            replica.releaseWrite();
        }
    }

    /** Replaces each element of [from, to) with what {@code operator} makes of it, in one op. */
    void replaceAll(int from, int to, UnaryOperator<Object> operator) {
        Objects.requireNonNull(operator, "operator");
        replica.acquireWrite();
        try {
            int end = Math.min(to, list.size());
            int start = Math.min(Math.max(from, 0), end);
            int[] indices = new int[end - start];
            Object[] values = new Object[end - start];
            int n = 0;
            for (int i = start; i < end; i++) {
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

    /**
     * Sorts [from, to) stably, in one op: a permutation of the whole list that moves the stored
     * elements themselves, so nested containers keep their identity (and their live references).
     */
    void sort(int from, int to, Comparator<? super Object> c) {
        replica.acquireWrite();
        try {
            int end = Math.min(to, list.size());
            int start = Math.min(Math.max(from, 0), end);
            Object[] values = new Object[end - start];
            Integer[] order = new Integer[values.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = replica.external(list.get(start + i));
                order[i] = i;
            }
            @SuppressWarnings("unchecked")
            Comparator<? super Object> cmp = c != null ? c : (a, b) -> ((Comparable<Object>) a).compareTo(b);
            Arrays.sort(order, (a, b) -> cmp.compare(values[a], values[b]));
            int[] permutation = new int[list.size()];
            boolean identity = true;
            for (int i = 0; i < permutation.length; i++) {
                permutation[i] = i;
            }
            for (int i = 0; i < order.length; i++) {
                permutation[start + i] = start + order[i];
                identity &= order[i] == i;
            }
            if (!identity) {
                submit(new ListOps.Permute(this, permutation));
            }
        } finally {
            replica.releaseWrite();
        }
    }

    /** A list iterator over a snapshot of [from, to), positioned at {@code index} (relative to {@code from}). */
    ListIterator<Object> cursor(int from, int to, int index, IntConsumer sizeChange) {
        Object[] snap = storedRange(from, to);
        if (index < 0 || index > snap.length) {
            throw new IndexOutOfBoundsException("index=" + index + " is outside [0, size=" + snap.length + "]");
        }
        return new Cursor(from, snap, index, sizeChange);
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
        return indexOf(0, Integer.MAX_VALUE, o);
    }

    @Override
    public int lastIndexOf(Object o) {
        return lastIndexOf(0, Integer.MAX_VALUE, o);
    }

    @Override
    public Object[] toArray() {
        return externalRange(0, Integer.MAX_VALUE);
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return intoArray(toArray(), a);
    }

    /** {@link java.util.Collection#toArray(Object[])} over a snapshot. */
    static <T> T[] intoArray(Object[] snap, T[] a) {
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
        return cursor(0, Integer.MAX_VALUE, 0, null);
    }

    /** Iterates a snapshot; {@code add}, {@code set} and {@code remove} write through. */
    @Override
    public ListIterator<Object> listIterator() {
        return cursor(0, Integer.MAX_VALUE, 0, null);
    }

    /** Iterates a snapshot from {@code index}; {@code add}, {@code set} and {@code remove} write through. */
    @Override
    public ListIterator<Object> listIterator(int index) {
        return cursor(0, Integer.MAX_VALUE, index, null);
    }

    /**
     * A live view of [fromIndex, toIndex): reads and writes go to this list, and each bulk call on
     * it is one op, as on the list itself.
     */
    @Override
    public List<Object> subList(int fromIndex, int toIndex) {
        replica.acquire();
        try {
            ListSubList.checkRange(fromIndex, toIndex, list.size());
            return new ListSubList(this, null, fromIndex, toIndex - fromIndex);
        } finally {
            replica.release();
        }
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
        return o == this || equals(toArray(), o);
    }

    /** {@link List#equals} of a snapshot and {@code o}, except that a {@code byte[]} element compares by content. */
    static boolean equals(Object[] mine, Object o) {
        if (!(o instanceof List<?> other)) {
            return false;
        }
        Iterator<?> theirs = other.iterator();
        for (Object v : mine) {
            if (!theirs.hasNext() || !ValueCodec.sameValue(v, theirs.next())) {
                return false;
            }
        }
        return !theirs.hasNext();
    }

    @Override
    public int hashCode() {
        return hashCode(toArray());
    }

    /** {@link List#hashCode} of a snapshot, except that a {@code byte[]} element hashes by content. */
    static int hashCode(Object[] mine) {
        int h = 1;
        for (Object v : mine) {
            h = 31 * h + ValueCodec.valueHash(v);
        }
        return h;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Object set(int index, Object element) {
        replica.acquireWrite();
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
        append(new Object[] {element});
        return true;
    }

    @Override
    public void add(int index, Object element) {
        insert(index, new Object[] {element});
    }

    @Override
    public boolean addAll(Collection<?> c) {
        Object[] raw = c.toArray();
        append(raw);
        return raw.length > 0;
    }

    @Override
    public boolean addAll(int index, Collection<?> c) {
        Object[] raw = c.toArray();
        insert(index, raw);
        return raw.length > 0;
    }

    @Override
    public Object remove(int index) {
        replica.acquireWrite();
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
        replica.acquireWrite();
        try {
            int at = indexOf(o);
            if (at < 0) {
                return false;
            }
            remove(at);
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    /** Removes [fromIndex, toIndex) in one op (what {@code subList(from, to).clear()} does). */
    @Override
    protected void removeRange(int fromIndex, int toIndex) {
        replica.acquireWrite();
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
        replica.acquireWrite();
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
        return removeIf(0, Integer.MAX_VALUE, filter) > 0;
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
        replaceAll(0, Integer.MAX_VALUE, operator);
    }

    @Override
    public void sort(Comparator<? super Object> c) {
        sort(0, Integer.MAX_VALUE, c);
    }

    private void checkPosition(int index) {
        if (index < 0 || index > list.size()) {
            throw new IndexOutOfBoundsException("index=" + index + " is outside [0, size=" + list.size() + "]");
        }
    }

    // ---------------------------------------------------------------- iteration

    /**
     * A list iterator over a snapshot of a range, taken when it was made: changes by other threads
     * or processes never make it throw. Its own {@code add}, {@code set} and {@code remove} write
     * through to the live list, each as one op, and show in its snapshot as they would in an
     * {@code ArrayList}'s iterator. The live position of a snapshot element is where it should be
     * ({@code from} + its index) if that slot still holds the very same object, else the nearest
     * slot that does; an element gone from the live list is not written.
     */
    private final class Cursor implements ListIterator<Object> {
        private final int from;
        private final IntConsumer sizeChange;
        private Object[] view;
        private int size;
        private int cursor;
        private int last = -1;

        Cursor(int from, Object[] snapshot, int index, IntConsumer sizeChange) {
            this.from = from;
            this.view = snapshot;
            this.size = snapshot.length;
            this.cursor = index;
            this.sizeChange = sizeChange;
        }

        @Override
        public boolean hasNext() {
            return cursor < size;
        }

        @Override
        public Object next() {
            if (cursor >= size) {
                throw new NoSuchElementException("no element " + cursor + " in a snapshot of " + size);
            }
            last = cursor++;
            return replica.external(view[last]);
        }

        @Override
        public boolean hasPrevious() {
            return cursor > 0;
        }

        @Override
        public Object previous() {
            if (cursor <= 0) {
                throw new NoSuchElementException("no element before index 0");
            }
            last = --cursor;
            return replica.external(view[last]);
        }

        @Override
        public int nextIndex() {
            return cursor;
        }

        @Override
        public int previousIndex() {
            return cursor - 1;
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException("remove() without a next() or previous(), or after add() or remove()");
            }
            replica.acquireWrite();
            try {
                int at = locate(last);
                if (at >= 0 && submit(new ListOps.Remove(ListNode.this, new int[] {at, at + 1})) && sizeChange != null) {
                    sizeChange.accept(-1);
                }
                System.arraycopy(view, last + 1, view, last, size - last - 1);
                view[--size] = null;
                if (last < cursor) {
                    cursor--;
                }
                last = -1;
            } finally {
                replica.releaseWrite();
            }
        }

        @Override
        public void set(Object e) {
            if (last < 0) {
                throw new IllegalStateException("set() without a next() or previous(), or after add() or remove()");
            }
            replica.acquireWrite();
            try {
                Object v = replica.internalizeValue(e);
                int at = locate(last);
                if (at >= 0) {
                    submit(new ListOps.Set(ListNode.this, new int[] {at}, new Object[] {v}));
                }
                view[last] = v;
            } finally {
                replica.releaseWrite();
            }
        }

        @Override
        public void add(Object e) {
            replica.acquireWrite();
            try {
                Object v = replica.internalizeValue(e);
                int at = insertionPoint(cursor);
                if (submit(new ListOps.Insert(ListNode.this, at, new Object[] {v})) && sizeChange != null) {
                    sizeChange.accept(1);
                }
                if (size == view.length) {
                    view = Arrays.copyOf(view, Math.max(8, size * 2));
                }
                System.arraycopy(view, cursor, view, cursor + 1, size - cursor);
                view[cursor++] = v;
                size++;
                last = -1;
            } finally {
                replica.releaseWrite();
            }
        }

        /** The live index of snapshot element {@code i}, or -1 if it is gone. Under the lock. */
        private int locate(int i) {
            Object stored = view[i];
            int expected = from + i;
            int n = list.size();
            for (int d = 0; ; d++) {
                int below = expected - d;
                int above = expected + d;
                if (below < 0 && above >= n) {
                    return -1;
                }
                if (below >= 0 && below < n && list.get(below) == stored) {
                    return below;
                }
                if (d > 0 && above >= 0 && above < n && list.get(above) == stored) {
                    return above;
                }
            }
        }

        /** The live index at which to insert before snapshot position {@code i}. Under the lock. */
        private int insertionPoint(int i) {
            if (i > 0) {
                int before = locate(i - 1);
                if (before >= 0) {
                    return before + 1;
                }
            }
            if (i < size) {
                int at = locate(i);
                if (at >= 0) {
                    return at;
                }
            }
            return ListOps.clamp((long) from + i, 0, list.size());
        }
    }
}
