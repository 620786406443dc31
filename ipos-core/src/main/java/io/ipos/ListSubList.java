package io.ipos;

import java.util.AbstractList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * {@link ListNode#subList}: the range [offset, offset + size) of a shared list. Reads and writes go
 * to the list, and each bulk call is one op, as on the list itself. Writes through this view (or a
 * sub-list of it) move its end; a change made another way (by another thread or process, or on the
 * list directly) is not tracked, as with any {@code subList}, but never makes it throw
 * {@link java.util.ConcurrentModificationException}: reads are clipped to the live list.
 * Everything is guarded by the replica's lock, {@link #size} included.
 */
final class ListSubList extends AbstractList<Object> implements RandomAccess {
    private final ListNode root;
    private final ListSubList parent;
    private final Replica replica;
    private final int offset;
    private int size;

    ListSubList(ListNode root, ListSubList parent, int offset, int size) {
        this.root = root;
        this.parent = parent;
        this.replica = root.replica();
        this.offset = offset;
        this.size = size;
    }

    /** The checks of {@link List#subList}. */
    static void checkRange(int fromIndex, int toIndex, int size) {
        if (fromIndex < 0 || toIndex > size) {
            throw new IndexOutOfBoundsException("subList(" + fromIndex + ", " + toIndex + ") is outside [0, size=" + size + "]");
        }
        if (fromIndex > toIndex) {
            throw new IllegalArgumentException("subList(" + fromIndex + ", " + toIndex + "): fromIndex > toIndex");
        }
    }

    /** Moves the end of this view and of the views it was made from. Under the lock. */
    private void grow(int delta) {
        for (ListSubList s = this; s != null; s = s.parent) {
            s.size += delta;
        }
    }

    /** The end of the range in the list. Under the lock. */
    private int end() {
        return offset + liveSize();
    }

    /** {@link #size} clipped to the live list. Under the lock. */
    private int liveSize() {
        return Math.max(0, Math.min(size, root.size() - offset));
    }

    private void checkPosition(int index, int liveSize) {
        if (index < 0 || index > liveSize) {
            throw new IndexOutOfBoundsException("index=" + index + " is outside [0, size=" + liveSize + "]");
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public int size() {
        replica.acquire();
        try {
            return liveSize();
        } finally {
            replica.release();
        }
    }

    @Override
    public Object get(int index) {
        replica.acquire();
        try {
            Objects.checkIndex(index, liveSize());
            return root.get(offset + index);
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
            return root.indexOf(offset, end(), o);
        } finally {
            replica.release();
        }
    }

    @Override
    public int lastIndexOf(Object o) {
        replica.acquire();
        try {
            return root.lastIndexOf(offset, end(), o);
        } finally {
            replica.release();
        }
    }

    @Override
    public Object[] toArray() {
        replica.acquire();
        try {
            return root.externalRange(offset, end());
        } finally {
            replica.release();
        }
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return ListNode.intoArray(toArray(), a);
    }

    @Override
    public Iterator<Object> iterator() {
        return listIterator(0);
    }

    @Override
    public ListIterator<Object> listIterator() {
        return listIterator(0);
    }

    @Override
    public ListIterator<Object> listIterator(int index) {
        replica.acquire();
        try {
            checkPosition(index, liveSize());
            return root.cursor(offset, end(), index, this::grow);
        } finally {
            replica.release();
        }
    }

    @Override
    public List<Object> subList(int fromIndex, int toIndex) {
        replica.acquire();
        try {
            checkRange(fromIndex, toIndex, liveSize());
            return new ListSubList(root, this, offset + fromIndex, toIndex - fromIndex);
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
        return o == this || ListNode.equals(toArray(), o);
    }

    @Override
    public int hashCode() {
        return ListNode.hashCode(toArray());
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Object set(int index, Object element) {
        replica.acquireWrite();
        try {
            Objects.checkIndex(index, liveSize());
            return root.set(offset + index, element);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean add(Object element) {
        replica.acquireWrite();
        try {
            grow(root.insert(end(), new Object[] {element}));
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public void add(int index, Object element) {
        replica.acquireWrite();
        try {
            checkPosition(index, liveSize());
            grow(root.insert(offset + index, new Object[] {element}));
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean addAll(Collection<?> c) {
        Object[] raw = c.toArray();
        replica.acquireWrite();
        try {
            grow(root.insert(end(), raw));
            return raw.length > 0;
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean addAll(int index, Collection<?> c) {
        Object[] raw = c.toArray();
        replica.acquireWrite();
        try {
            checkPosition(index, liveSize());
            grow(root.insert(offset + index, raw));
            return raw.length > 0;
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public Object remove(int index) {
        replica.acquireWrite();
        try {
            Objects.checkIndex(index, liveSize());
            boolean live = root.attached();
            Object old = root.remove(offset + index);
            if (live) {
                grow(-1);
            }
            return old;
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

    @Override
    protected void removeRange(int fromIndex, int toIndex) {
        replica.acquireWrite();
        try {
            Objects.checkFromToIndex(fromIndex, toIndex, liveSize());
            boolean live = root.attached();
            root.removeRange(offset + fromIndex, offset + toIndex);
            if (live) {
                grow(fromIndex - toIndex);
            }
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public void clear() {
        replica.acquireWrite();
        try {
            removeRange(0, liveSize());
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean removeIf(Predicate<? super Object> filter) {
        replica.acquireWrite();
        try {
            boolean live = root.attached();
            int removed = root.removeIf(offset, end(), filter);
            if (live) {
                grow(-removed);
            }
            return removed > 0;
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
        replica.acquireWrite();
        try {
            root.replaceAll(offset, end(), operator);
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public void sort(Comparator<? super Object> c) {
        replica.acquireWrite();
        try {
            root.sort(offset, end(), c);
        } finally {
            replica.releaseWrite();
        }
    }
}
