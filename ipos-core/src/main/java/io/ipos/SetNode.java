package io.ipos;

import io.ipos.serialization.ValueCodec;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
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
    private final NodeSite site = new NodeSite();
    private LinkedTable set = new LinkedTable();

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
    public Subscription onChange(java.util.function.Consumer<? super SetChange<Object>> listener) {
        return subscribe(listener);
    }

    @Override
    public NodeSite site() {
        return site;
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
    public Iterator<Object> contentIterator() {
        return set.keySet().iterator();
    }

    @Override
    public Object keyOf(Node child) {
        return null;
    }

    @Override
    public void takeContents(Node other) {
        SetNode from = (SetNode) other;
        swapBacking(from.set);
        from.set = new LinkedTable();
    }

    @Override
    public Node shallowCopy() {
        SetNode copy = new SetNode(replica, replica.newNodeId());
        copy.set = new LinkedTable(set.size());
        copy.set.putAll(set);
        return copy;
    }

    @Override
    public void replaceChildNodes(java.util.function.UnaryOperator<Node> replacement) {
    }

    /** The stored elements, a live view (under the lock). */
    Set<Object> stored() {
        return set.keySet();
    }

    /** Whether the stored element is here. */
    boolean rawContains(Object element) {
        return set.containsKey(element);
    }

    /** Adds a stored element (last). @return whether it was absent */
    boolean rawAdd(Object element) {
        if (set.put(element, Boolean.TRUE) != null) {
            return false;
        }
        if (replica.feed.observes(this)) {
            replica.feed.setChanged(this, element, true, replica);
        }
        return true;
    }

    /** Puts back an element a remove took out, right after the one that preceded it (see {@link MapNode#rawPutAfter}). */
    void rawAddAfter(Object before, Object element) {
        set.putAfter(before, element, Boolean.TRUE);
        if (replica.feed.observes(this)) {
            replica.feed.setChanged(this, element, true, replica);
        }
    }

    /** The element before {@code element} (present) in iteration order, or {@link LinkedTable#FIRST}. */
    Object elementBefore(Object element) {
        return set.keyBefore(element);
    }

    /** @return whether it was present */
    boolean rawRemove(Object element) {
        if (set.remove(element) == null) {
            return false;
        }
        if (replica.feed.observes(this)) {
            replica.feed.setChanged(this, element, false, replica);
        }
        return true;
    }

    /** Replaces every element at once (clear, its undo, a re-sync). @return what it held */
    LinkedTable swapBacking(LinkedTable replacement) {
        LinkedTable old = set;
        set = replacement;
        if (replica.feed.observes(this)) {
            for (Object e : old.keySet()) {
                replica.feed.setChanged(this, e, false, replica);
            }
            for (Object e : replacement.keySet()) {
                replica.feed.setChanged(this, e, true, replica);
            }
        }
        return old;
    }

    /** Adds a stored element to a node that is being built (not yet attached). */
    void load(Object element) {
        set.put(element, Boolean.TRUE);
    }

    private void submit(Op op) {
        if (attached()) {
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
            return has(o);
        } finally {
            replica.release();
        }
    }

    /**
     * Whether a caller's element is here. One that holds a {@code byte[]} ({@code List.of(bytes)})
     * hashes the array by identity, while stored elements hash it by content: on a miss it is
     * looked up again in its frozen form. Under the lock.
     */
    private boolean has(Object o) {
        if (set.containsKey(o)) {
            return true;
        }
        if (ValueCodec.isScalar(o)) {
            return false;
        }
        Object frozen = replica.comparable(o);
        return frozen != o && set.containsKey(frozen);
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
            return set.keySet().toArray();
        } finally {
            replica.release();
        }
    }

    @Override
    public boolean add(Object e) {
        replica.acquireWrite();
        try {
            Object k = replica.internalizeKey(e);
            if (set.containsKey(k)) {
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
        replica.acquireWrite();
        try {
            LinkedHashSet<Object> fresh = new LinkedHashSet<>();
            for (Object e : raw) {
                Object k = replica.internalizeKey(e);
                if (!set.containsKey(k)) {
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
        replica.acquireWrite();
        try {
            if (!has(o)) {
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
            for (Object e : set.keySet()) {
                if (Objects.equals(o, e)) {
                    return e;
                }
            }
            return o;
        }
    }

    @Override
    public void clear() {
        replica.acquireWrite();
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
        replica.acquireWrite();
        try {
            ArrayList<Object> doomed = new ArrayList<>();
            for (Object e : set.keySet().toArray()) {
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
