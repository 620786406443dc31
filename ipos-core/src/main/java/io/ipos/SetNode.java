package io.ipos;

import io.ipos.serialization.ValueCodec;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** The shared set. Elements are frozen values; a set holds no nodes. */
final class SetNode extends AbstractSet<Object> implements SharedSet<Object>, Node {
    private final Replica replica;
    private final long id;
    private boolean attached;
    private HashSet<Object> set = new HashSet<>();

    SetNode(Replica replica, long id) {
        this.replica = replica;
        this.id = id;
    }

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
        return FrameDescriptor.LITERAL_SET;
    }

    @Override
    public String kindName() {
        return "set";
    }

    @Override
    public void forEachChildNode(Consumer<Node> action) {
    }

    @Override
    public int contentElementCount() {
        return set.size();
    }

    @Override
    public void forEachContentElement(Consumer<Object> action) {
        set.forEach(action);
    }

    @Override
    public Node deepCopy() {
        SetNode copy = new SetNode(replica, replica.newNodeId());
        copy.set.addAll(set);
        return copy;
    }

    HashSet<Object> backing() {
        return set;
    }

    HashSet<Object> swapBacking(HashSet<Object> replacement) {
        HashSet<Object> old = set;
        set = replacement;
        return old;
    }

    /** Adds a stored element to a node that is being built (not yet attached). */
    void load(Object element) {
        set.add(element);
    }

    private void submit(Op op) {
        if (attached) {
            replica.submit(op, this);
        }
    }

    @Override
    public int size() {
        replica.acquire();
        try {
            return set.size();
        } finally {
            replica.release();
        }
    }

    @Override
    public boolean contains(Object o) {
        replica.acquire();
        try {
            return set.contains(o);
        } finally {
            replica.release();
        }
    }

    @Override
    public Iterator<Object> iterator() {
        Object[] snap = snapshot();
        return new SnapshotIterator<>(snap.length, i -> replica.external(snap[i]), i -> remove(snap[i]));
    }

    @Override
    public Object[] toArray() {
        Object[] out = snapshot();
        for (int i = 0; i < out.length; i++) {
            out[i] = replica.external(out[i]);
        }
        return out;
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return ListNode.intoArray(toArray(), a);
    }

    /** Over one snapshot, so its size is exact even while the set changes. */
    @Override
    public Spliterator<Object> spliterator() {
        return Spliterators.spliterator(toArray(), Spliterator.DISTINCT);
    }

    /** {@link java.util.Set#equals} over one snapshot of this set. */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Set<?> other)) {
            return false;
        }
        Object[] mine = toArray();
        if (other.size() != mine.length) {
            return false;
        }
        try {
            for (Object e : mine) {
                if (!other.contains(e)) {
                    return false;
                }
            }
        } catch (ClassCastException | NullPointerException unsupportedElement) {
            return false;
        }
        return true;
    }

    // hashCode and toString come from AbstractSet/AbstractCollection over the snapshot iterator.

    private Object[] snapshot() {
        replica.acquire();
        try {
            return set.toArray();
        } finally {
            replica.release();
        }
    }

    @Override
    public boolean add(Object e) {
        replica.acquire();
        try {
            Object k = replica.internalizeKey(e);
            if (set.contains(k)) {
                return false;
            }
            submit(new SetOps.Add(this, new Object[] {k}));
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    /** One op for all new elements; each is checked before anything is stored. {@code c} is read before the lock is taken. */
    @Override
    public boolean addAll(Collection<?> c) {
        Object[] raw = c.toArray();
        replica.acquire();
        try {
            LinkedHashSet<Object> fresh = new LinkedHashSet<>();
            for (Object e : raw) {
                Object k = replica.internalizeKey(e);
                if (!set.contains(k)) {
                    fresh.add(k);
                }
            }
            if (fresh.isEmpty()) {
                return false;
            }
            submit(new SetOps.Add(this, fresh.toArray()));
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    @Override
    public boolean remove(Object o) {
        replica.acquire();
        try {
            if (!set.contains(o)) {
                return false;
            }
            submit(new SetOps.Remove(this, new Object[] {storedElement(o)}));
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    /**
     * The stored form of {@code o}, an element that is present: what an op must carry. Never the
     * caller's object, which may be mutable (an op stays pending in a child and may be applied again
     * on a re-base) or a live shared container. Under the lock.
     */
    private Object storedElement(Object o) {
        if (ValueCodec.isScalar(o)) {
            return o;
        }
        try {
            return replica.internalizeKey(o);
        } catch (IllegalArgumentException unshareable) {
            // an unshareable object that equals a stored element: find that element
            for (Object e : set) {
                if (Objects.equals(o, e)) {
                    return e;
                }
            }
            return o;
        }
    }

    @Override
    public void clear() {
        replica.acquire();
        try {
            if (!set.isEmpty()) {
                submit(new SetOps.Clear(this));
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
            ArrayList<Object> doomed = new ArrayList<>();
            for (Object e : set.toArray()) {
                if (filter.test(replica.external(e))) {
                    doomed.add(e);
                }
            }
            if (doomed.isEmpty()) {
                return false;
            }
            submit(new SetOps.Remove(this, doomed.toArray()));
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
}
