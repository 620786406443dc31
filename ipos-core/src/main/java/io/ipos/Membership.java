package io.ipos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who is connected, as this process knows it, and who is told when that changes. In the parent it
 * also decides ids and names ({@link #admit}); a child learns them from WELCOME and PEER frames,
 * in the parent's one order, so a sibling's RELAY always comes between its PEER joined and left.
 */
final class Membership {
    private static final Pattern DEFAULT_NAME = Pattern.compile("child-([0-9]{1,9})");

    private final ChangeFeed feed;
    private volatile Peer self;
    /** The other peers connected now, in admission order. Under this object's monitor. */
    private final Map<Integer, Peer> connected = new LinkedHashMap<>();
    private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();
    /** In the parent: every name ever admitted and its id, so a rejoin gets it back. Under the monitor. */
    private final Map<String, Integer> ids = new HashMap<>();
    private int nextId = 1;

    Membership(ChangeFeed feed, Peer self) {
        this.feed = feed;
        this.self = self;
    }

    Peer self() {
        return self;
    }

    synchronized List<Peer> peers() {
        return List.copyOf(connected.values());
    }

    /** Whether any other peer is connected now. */
    synchronized boolean anyConnected() {
        return !connected.isEmpty();
    }

    /** Whether {@code p} (its id and name) is connected now. */
    synchronized boolean isConnected(Peer p) {
        Peer q = connected.get(p.id());
        return q != null && q.name().equals(p.name());
    }

    /** The connected peer with {@code id}, else one named as an unnamed peer would be. */
    synchronized Peer byId(int id) {
        Peer p = connected.get(id);
        return p != null ? p : ChangeEvents.KnownPeer.of(id);
    }

    synchronized Peer byName(String name) {
        for (Peer p : connected.values()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /**
     * In the parent: the id and name a process asking for {@code asked} (null: any) gets.
     *
     * @throws IposException naming the name, if it is taken by a connected peer or reserved
     */
    synchronized Peer admit(String asked) {
        if (asked == null || asked.isEmpty()) {
            int id = newId();
            String name = "child-" + id;
            ids.put(name, id);
            return new ChangeEvents.KnownPeer(id, name);
        }
        Peer holder = byName(asked);
        if (holder != null || asked.equals("parent")) {
            throw new IposException("the name '" + asked + "' is taken by a connected peer ("
                    + (holder != null ? "id " + holder.id() : "the parent, id 0")
                    + "); names are unique among connected peers: choose another, or wait until it leaves");
        }
        Integer known = ids.get(asked);
        if (known != null) {
            return new ChangeEvents.KnownPeer(known, asked); // a rejoin: the id it had
        }
        Matcher m = DEFAULT_NAME.matcher(asked);
        if (m.matches()) {
            throw new IposException("the name '" + asked + "' has the form the parent gives unnamed peers (child-<id>) "
                    + "and no peer had it; choose another name");
        }
        int id = newId();
        ids.put(asked, id);
        return new ChangeEvents.KnownPeer(id, asked);
    }

    private int newId() {
        if (nextId > Node.MAX_CREATOR) {
            throw new IposException("no peer ids left: " + Node.MAX_CREATOR + " peers were admitted");
        }
        return nextId++;
    }

    /** In a child, from WELCOME: who it is and who is there. */
    synchronized void welcome(Peer me, List<Peer> others) {
        self = me;
        connected.clear();
        for (Peer p : others) {
            connected.put(p.id(), p);
        }
    }

    /** {@code p} joined (true) or left: the table changes now, watchers hear it on the event thread. */
    void changed(Peer p, boolean joined) {
        synchronized (this) {
            if (joined ? connected.putIfAbsent(p.id(), p) != null : connected.remove(p.id()) == null) {
                return;
            }
        }
        if (!watchers.isEmpty()) {
            PeerChange event = new PeerChange(p, joined);
            feed.post(() -> {
                for (Watcher w : watchers) {
                    w.deliver(event);
                }
            });
        }
    }

    /** Every peer as left: this process lost its parent, or closed. */
    void allLeft() {
        for (Peer p : peers()) {
            changed(p, false);
        }
    }

    Subscription watch(Consumer<? super PeerEvent> listener) {
        Watcher w = new Watcher(listener);
        watchers.add(w);
        feed.startThread();
        return w;
    }

    record PeerChange(Peer peer, boolean joined) implements PeerEvent {
        @Override
        public String toString() {
            return peer + (joined ? " joined" : " left");
        }
    }

    /** One onPeer listener: {@code close()} waits for a call in progress, so none comes after it returns. */
    private final class Watcher implements Subscription {
        private final Consumer<? super PeerEvent> listener;
        private boolean closed;

        Watcher(Consumer<? super PeerEvent> listener) {
            this.listener = listener;
        }

        synchronized void deliver(PeerEvent e) {
            if (closed) {
                return;
            }
            try {
                listener.accept(e);
            } catch (RuntimeException failure) {
                feed.report(new IposException("a peer listener threw " + failure + "; it stays subscribed", failure));
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            watchers.remove(this);
        }
    }

    /** For diagnostics. */
    @Override
    public synchronized String toString() {
        List<String> names = new ArrayList<>();
        connected.values().forEach(p -> names.add(p.toString()));
        return "self " + self + ", peers " + names;
    }
}
