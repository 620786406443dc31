package io.ipos;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;
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
        Object[] snap;
        replica.acquire();
        try {
            snap = set.toArray();
        } finally {
            replica.release();
        }
        return new SnapshotIterator<>(snap.length, i -> replica.external(snap[i]), i -> remove(snap[i]));
    }

    @Override
    public Object[] toArray() {
        ArrayList<Object> out = new ArrayList<>();
        iterator().forEachRemaining(out::add);
        return out.toArray();
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

    @Override
    public boolean addAll(Collection<?> c) {
        replica.acquire();
        try {
            LinkedHashSet<Object> fresh = new LinkedHashSet<>();
            for (Object e : c.toArray()) {
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
            submit(new SetOps.Remove(this, new Object[] {o}));
            return true;
        } finally {
            replica.releaseWrite();
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
