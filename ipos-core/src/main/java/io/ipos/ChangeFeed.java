package io.ipos;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Where listeners hear about changes: the replica's apply site records what each op (or undo)
 * changed, here, and one event thread per instance hands the changes to the listeners, in the
 * order they were recorded, after the lock is released.
 *
 * <p><b>Recording</b> (under the replica's lock). {@link Replica} brackets every apply and undo with
 * {@link #begin} and {@link #end}; the nodes' raw mutators report each entry, range or element that
 * changed. Within one bracket, the changes of one map (or set) merge into one event and adjacent
 * {@code set}s of one list into one splice, so a bulk call is one event where its shape allows.
 * Nothing is recorded while nobody listens: {@link #observes} is one field test.
 *
 * <p><b>Holding</b>. While an atomic unit runs ({@link #hold}), finished events wait in a list of
 * their own and reach the queue together when the unit commits, or are dropped when it rolls back
 * (its undo is recorded nowhere: {@link #mute}).
 *
 * <p><b>Delivery</b>. The event thread takes events in order and calls, for each, the listeners of
 * the changed container, then the instance's listeners; a listener added after an event was
 * recorded does not get it (it starts from the copy it took when it subscribed). A listener that
 * throws is reported to the error handler and stays subscribed. Events queue without bound: a slow
 * listener costs memory (the changes it has not seen yet), never the link threads' time.
 */
final class ChangeFeed {
    private final Replica replica;
    private final Peer self;
    private volatile Consumer<IposException> errors = e -> System.err.println("[ipos] " + e.getMessage());
    /** Listeners of the whole instance. */
    private final CopyOnWriteArrayList<Listener> everything = new CopyOnWriteArrayList<>();
    /** How many listeners there are, of the instance and of containers. Under the replica's lock. */
    private int listeners;

    // recording, under the replica's lock
    private Peer origin;
    private int depth;
    /** The innermost open bracket: changes merge only with events of the same bracket. */
    private int bracket;
    private int brackets;
    /** The brackets enclosing the innermost, innermost last ({@code depth} of them are open). */
    private int[] outer = new int[8];
    private final ArrayList<Event> current = new ArrayList<>();
    private int holds;
    private final ArrayList<Event> held = new ArrayList<>();
    private int muted;
    private long recorded;

    // delivery, under this object's monitor
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private Thread thread;
    private Listener delivering;
    /** Whether the event thread holds an event it took from the queue and has not finished delivering. */
    private boolean busy;

    ChangeFeed(Replica replica, Peer self) {
        this.replica = replica;
        this.self = self;
    }

    /** Where a listener's failure is reported (the instance's error handler). */
    void errors(Consumer<IposException> handler) {
        this.errors = handler;
    }

    Peer self() {
        return self;
    }

    // ---------------------------------------------------------------- subscribing (under the replica's lock)

    /** A listener of {@code node}'s changes, or of every change when {@code node} is null. Under the replica's lock. */
    Listener subscribe(Node node, Consumer<Object> action) {
        Listener l = new Listener(this, node, action, recorded);
        if (node == null) {
            everything.add(l);
        } else {
            node.site().add(l);
        }
        listeners++;
        startThread();
        return l;
    }

    /** Ends a subscription; waits for a call to it in progress unless called on the event thread. */
    void unsubscribe(Listener l) {
        replica.acquire();
        try {
            if (l.closed) {
                return;
            }
            l.closed = true;
            listeners--;
            if (l.node == null) {
                everything.remove(l);
            } else {
                l.node.site().remove(l);
            }
        } finally {
            replica.release();
        }
        synchronized (this) {
            while (delivering == l && Thread.currentThread() != thread) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------- recording (under the replica's lock)

    /** Whether changes of {@code node} are to be recorded now. */
    boolean observes(Node node) {
        return listeners > 0 && muted == 0 && depth > 0 && (!everything.isEmpty() || !node.listeners().isEmpty());
    }

    /** Opens the bracket of one apply or undo, caused by {@code writer}. Brackets nest (a unit's ops). */
    void begin(Peer writer) {
        if (depth++ == 0) {
            origin = writer;
        }
        if (depth > outer.length) {
            outer = java.util.Arrays.copyOf(outer, outer.length * 2);
        }
        outer[depth - 1] = bracket;
        bracket = ++brackets;
    }

    /** Closes the bracket: its events go to the queue (or wait with the atomic unit being held). */
    void end() {
        bracket = outer[depth - 1];
        if (--depth > 0 || current.isEmpty()) {
            return;
        }
        if (holds > 0) {
            held.addAll(current);
        } else {
            enqueue(current);
        }
        current.clear();
    }

    /** While muted (an atomic unit rolling back), nothing is recorded. */
    void mute(boolean on) {
        muted += on ? 1 : -1;
    }

    /** Holds finished events until the matching {@link #release}. */
    void hold() {
        holds++;
    }

    /** How many finished events are held now (a nested atomic block's starting mark). */
    int heldCount() {
        return held.size();
    }

    /** Drops the held events from index {@code from} on (a nested block that failed). */
    void dropHeld(int from) {
        if (from < held.size()) {
            held.subList(from, held.size()).clear();
        }
    }

    /** Ends a hold: the held events are queued together ({@code keep}) or dropped. */
    void release(boolean keep) {
        if (--holds > 0) {
            return;
        }
        if (keep && !held.isEmpty()) {
            enqueue(held);
        }
        held.clear();
    }

    private Event last(Node node) {
        if (current.isEmpty()) {
            return null;
        }
        Event e = current.get(current.size() - 1);
        return e.node == node && e.bracket == bracket ? e : null;
    }

    private Event open(Node node, int kind) {
        Event e = last(node);
        if (e == null || e.kind != kind || kind == Event.LIST) {
            e = new Event(node, kind, origin, ++recorded, bracket);
            current.add(e);
        }
        return e;
    }

    /** A map entry changed: {@code old} or {@code now} is {@link MapNode#ABSENT} when there was or is none. Values are stored forms. */
    void mapChanged(MapNode map, Object key, Object old, Object now, Replica replica) {
        Event e = open(map, map.id() == 0 ? Event.FIELDS : Event.MAP);
        if (old != MapNode.ABSENT) {
            e.removed().putIfAbsent(key, replica.externalQuietly(old));
            e.added().remove(key);
        }
        if (now != MapNode.ABSENT) {
            e.added().put(key, replica.externalQuietly(now));
        }
    }

    /** A set element was added ({@code added}) or removed. */
    void setChanged(SetNode set, Object element, boolean added, Replica replica) {
        Event e = open(set, Event.SET);
        Object v = replica.externalQuietly(element);
        if (added) {
            if (e.removed().remove(element) == null) {
                e.added().put(element, v);
            }
        } else if (e.added().remove(element) == null) {
            e.removed().put(element, v);
        }
    }

    /** At {@code index} of {@code list}, {@code removed} gave way to {@code added} (stored forms). */
    void listChanged(ListNode list, int index, Object[] removed, Object[] added, Replica replica) {
        Event prev = last(list);
        if (prev != null && prev.kind == Event.LIST && removed.length == added.length && removed.length > 0
                && prev.removedList.size() == prev.addedList.size() && prev.index + prev.addedList.size() == index) {
            for (int i = 0; i < added.length; i++) {
                prev.removedList.add(replica.externalQuietly(removed[i]));
                prev.addedList.add(replica.externalQuietly(added[i]));
            }
            return;
        }
        Event e = new Event(list, Event.LIST, origin, ++recorded, bracket);
        e.index = index;
        for (Object r : removed) {
            e.removedList.add(replica.externalQuietly(r));
        }
        for (Object a : added) {
            e.addedList.add(replica.externalQuietly(a));
        }
        current.add(e);
    }

    // ---------------------------------------------------------------- delivery

    /** Completes once every event recorded so far was delivered (at once when nobody listens). Under the replica's lock. */
    CompletableFuture<Void> barrier() {
        synchronized (this) {
            if (thread == null || (queue.isEmpty() && !busy)) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            queue.addLast(done);
            queued++;
            notifyAll();
            return done;
        }
    }

    private synchronized void enqueue(List<Event> events) {
        queue.addAll(events);
        queued++;
        notifyAll();
    }

    /**
     * Runs {@code action} on the event thread, after every event recorded before it (peer events, messages).
     *
     * @return what {@link #queued()} is now: while it stays so, nothing was queued after {@code action}
     */
    synchronized long post(Runnable action) {
        startThread();
        queue.addLast(action);
        notifyAll();
        return ++queued;
    }

    /**
     * Counts what was put in the queue: events, actions, barriers. Written under this object's
     * monitor; volatile so that the event thread can watch it while it spins (see {@link #spinForItem}).
     */
    private volatile long queued;

    /**
     * How long the event thread polls for the next item before it sleeps
     * ({@code -Dipos.eventSpinMicros}; the link threads' {@code ipos.spinMicros} by default, so 0 on
     * one core): a listener that answers a change is usually answered within a round trip, and
     * waking a sleeping thread costs more than that.
     */
    static final long SPIN_NANOS = Long.getLong("ipos.eventSpinMicros", FrameReader.SPIN_NANOS / 1_000L) * 1_000L;

    /** How many times something was put in the queue so far (see {@link #post}). */
    synchronized long queued() {
        return queued;
    }

    /** Reports a failure to the instance's error handler. */
    void report(IposException e) {
        errors.accept(e);
    }

    synchronized void startThread() {
        if (thread == null) {
            thread = new Thread(this::run, "ipos-events");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Before the event thread sleeps: polls, without the monitor, for something new in the queue. */
    private void spinForItem() {
        if (SPIN_NANOS <= 0) {
            return;
        }
        long seen;
        synchronized (this) {
            if (!queue.isEmpty()) {
                return;
            }
            busy = false;
            seen = queued;
        }
        long until = System.nanoTime() + SPIN_NANOS;
        while (queued == seen && System.nanoTime() < until) {
            Thread.yield();
        }
    }

    private void run() {
        while (true) {
            Object item;
            spinForItem();
            synchronized (this) {
                busy = false;
                while (queue.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                item = queue.pollFirst();
                busy = true;
            }
            if (item instanceof Runnable action) {
                try {
                    action.run();
                } catch (RuntimeException failure) {
                    errors.accept(new IposException("an event handler threw " + failure, failure));
                }
                continue;
            }
            if (item instanceof CompletableFuture<?> barrier) {
                @SuppressWarnings("unchecked")
                CompletableFuture<Void> b = (CompletableFuture<Void>) barrier;
                b.complete(null);
                continue;
            }
            Event e = (Event) item;
            Change change = e.change(self);
            if (e.node.id() != 0) {
                for (Listener l : e.node.listeners()) {
                    call(l, e, change);
                }
            }
            for (Listener l : everything) {
                call(l, e, change);
            }
        }
    }

    private void call(Listener l, Event e, Change change) {
        synchronized (this) {
            if (l.closed || l.since >= e.seq) {
                return;
            }
            delivering = l;
        }
        try {
            l.action.accept(change);
        } catch (RuntimeException | Error failure) {
            if (failure instanceof VirtualMachineError vme) {
                throw vme;
            }
            errors.accept(new IposException("a change listener threw " + failure + "; it stays subscribed", failure));
        } finally {
            synchronized (this) {
                delivering = null;
                notifyAll();
            }
        }
    }

    /** One registration: a container's listener ({@code node}) or the instance's (null). */
    static final class Listener implements Subscription {
        private final ChangeFeed feed;
        final Node node;
        final Consumer<Object> action;
        /** The last event recorded before it subscribed: it gets only later ones. */
        final long since;
        volatile boolean closed;

        Listener(ChangeFeed feed, Node node, Consumer<Object> action, long since) {
            this.feed = feed;
            this.node = node;
            this.action = action;
            this.since = since;
        }

        @Override
        public void close() {
            feed.unsubscribe(this);
        }
    }

    /** What one bracket changed in one container, until delivery turns it into a {@link Change}. */
    static final class Event {
        static final int FIELDS = 0;
        static final int MAP = 1;
        static final int LIST = 2;
        static final int SET = 3;

        final Node node;
        final int kind;
        final Peer origin;
        final long seq;
        final int bracket;
        private LinkedHashMap<Object, Object> removed;
        private LinkedHashMap<Object, Object> added;
        int index;
        final ArrayList<Object> removedList;
        final ArrayList<Object> addedList;

        Event(Node node, int kind, Peer origin, long seq, int bracket) {
            this.node = node;
            this.kind = kind;
            this.origin = origin;
            this.seq = seq;
            this.bracket = bracket;
            this.removedList = kind == LIST ? new ArrayList<>() : null;
            this.addedList = kind == LIST ? new ArrayList<>() : null;
        }

        LinkedHashMap<Object, Object> removed() {
            return removed != null ? removed : (removed = new LinkedHashMap<>());
        }

        LinkedHashMap<Object, Object> added() {
            return added != null ? added : (added = new LinkedHashMap<>());
        }

        Change change(Peer self) {
            boolean local = origin.equals(self);
            return switch (kind) {
                case FIELDS -> new ChangeEvents.Fields(origin, local, ChangeEvents.frozen(removed()), ChangeEvents.frozen(added()),
                        true);
                case MAP -> new ChangeEvents.MapDiff((MapNode) node, origin, local, ChangeEvents.frozen(removed()),
                        ChangeEvents.frozen(added()));
                case LIST -> new ChangeEvents.ListDiff((ListNode) node, origin, local, index, java.util.Collections.unmodifiableList(removedList),
                        java.util.Collections.unmodifiableList(addedList));
                default -> new ChangeEvents.SetDiff((SetNode) node, origin, local, ChangeEvents.elements(removed()),
                        ChangeEvents.elements(added()));
            };
        }
    }
}
