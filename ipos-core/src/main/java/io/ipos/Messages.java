package io.ipos;

import io.ipos.serialization.UnresolvedValue;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Messages: {@code on(topic, type, handler)} and {@code emit}. A message travels as a MSG frame
 * on the link that carries the writes, through the parent's one order (see {@link Router}), so a
 * receiver handles it after every write its sender made before it. Handlers run on the event
 * thread ({@link ChangeFeed#post}), after the change events of the writes applied before the
 * message arrived.
 */
final class Messages {
    private final Talk talk;
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<Handler>> byTopic = new ConcurrentHashMap<>();
    /** The topic of the last message decoded, and its bytes: a stream of one topic makes no new String per message. Under the lock. */
    private byte[] lastTopicBytes = new byte[0];
    private String lastTopic = "";

    Messages(Talk talk) {
        this.talk = talk;
    }

    <T> Subscription on(String topic, Class<T> type, BiConsumer<Peer, ? super T> handler) {
        Talk.name(topic, "topic");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        @SuppressWarnings("unchecked")
        Handler h = new Handler(topic, type, (BiConsumer<Peer, Object>) (BiConsumer<Peer, ?>) handler);
        byTopic.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(h);
        talk.replica.feed.startThread();
        return h;
    }

    /**
     * Sends {@code message} on {@code topic} to {@code to}, or to every other process when it is null.
     *
     * @return false when no process is there to receive it
     * @throws IllegalArgumentException if the value can't be shared or is larger than a frame
     */
    boolean emit(Peer to, String topic, Object message) {
        byte[] t = Talk.name(topic, "topic");
        talk.checkNotUnderLock("emit");
        Replica replica = talk.replica;
        if (to != null && to.id() == replica.self.id() && to.name().equals(talk.membership.self().name())) {
            Object copy = replica.values.freeze(message); // what a receiver would get: a plain copy
            Peer self = talk.membership.self();
            replica.acquire();
            try {
                post(byTopic.get(topic), self, copy); // after this process's writes so far
            } finally {
                replica.release();
            }
            return true;
        }
        replica.acquire();
        try {
            if (to == null ? !talk.membership.anyConnected() : !talk.membership.isConnected(to)) {
                return false;
            }
            ValueWriter w = talk.writer();
            replica.values.write(w, message);
            byte[] body = new byte[5 + t.length + w.size()];
            talk.checkFits(body.length, "this message");
            FrameDescriptor.putInt(body, 0, to == null ? FrameDescriptor.ALL_PEERS : to.id());
            body[4] = (byte) t.length;
            System.arraycopy(t, 0, body, 5, t.length);
            w.copyTo(body, 5 + t.length);
            return talk.uplink.send(FrameDescriptor.MSG, body);
        } finally {
            replica.release();
        }
    }

    /** A MSG from peer {@code from}: {@code off} at its u8 topic length. Under the lock, on a reader thread. */
    void receive(int from, byte[] b, int off, int len, ValueReader r) {
        int n = b[off] & 0xFF;
        if (1 + n > len) {
            talk.replica.feed.report(new IposException("a message from " + talk.peer(from) + " is malformed (topic length "
                    + n + " in " + len + " bytes); it was dropped"));
            return;
        }
        String topic = topic(b, off + 1, n);
        CopyOnWriteArrayList<Handler> handlers = byTopic.get(topic);
        if (handlers == null || handlers.isEmpty()) {
            return; // nobody here listens to it: not even decoded
        }
        Object value;
        try {
            r.reset(b, off + 1 + n, len - 1 - n);
            value = talk.replica.values.read(r);
            if (r.hasNext()) {
                throw new WireException("bytes after the value", r.position());
            }
        } catch (WireException | StackOverflowError e) {
            talk.replica.feed.report(new IposException("a message on topic '" + topic + "' from " + talk.peer(from)
                    + " does not decode (" + OpCodec.whyUndecodable(e) + "); it was dropped, the link stays up"));
            return;
        }
        if (from != lastFromId || lastFrom == null) {
            lastFrom = talk.peer(from);
            lastFromId = from;
        }
        post(handlers, lastFrom, value);
    }

    /** The sender of the last message, looked up once per run of one sender's messages. Under the lock. */
    private Peer lastFrom;
    private int lastFromId = -1;

    private String topic(byte[] b, int off, int n) {
        if (!java.util.Arrays.equals(lastTopicBytes, 0, lastTopicBytes.length, b, off, off + n)) {
            lastTopicBytes = java.util.Arrays.copyOfRange(b, off, off + n);
            lastTopic = new String(lastTopicBytes, StandardCharsets.UTF_8);
        }
        return lastTopic;
    }

    /**
     * Hands a message to the event thread: appended to the batch posted last if nothing was queued
     * after it and the event thread has not started it, else as a new batch. One post (and one
     * wake-up of the event thread) per batch, not per message. Under the lock.
     */
    private void post(CopyOnWriteArrayList<Handler> handlers, Peer from, Object value) {
        if (handlers == null || handlers.isEmpty()) {
            return;
        }
        ChangeFeed feed = talk.replica.feed;
        Batch b = open;
        if (b != null && openAt == feed.queued() && b.add(handlers, from, value)) {
            return;
        }
        b = new Batch();
        b.add(handlers, from, value);
        open = b;
        openAt = feed.post(b);
    }

    /** The batch posted last, and {@link ChangeFeed#queued()} right after it. Under the lock. */
    private Batch open;
    private long openAt;

    /** Messages delivered together, in order, by one run on the event thread. */
    private static final class Batch implements Runnable {
        private final java.util.ArrayList<Object> items = new java.util.ArrayList<>();
        private boolean started;

        /** @return false if the event thread has started it: a message after that goes in a new batch */
        synchronized boolean add(CopyOnWriteArrayList<Handler> handlers, Peer from, Object value) {
            if (started) {
                return false;
            }
            items.add(handlers);
            items.add(from);
            items.add(value);
            return true;
        }

        @Override
        public void run() {
            synchronized (this) {
                started = true;
            }
            for (int i = 0; i < items.size(); i += 3) {
                @SuppressWarnings("unchecked")
                CopyOnWriteArrayList<Handler> handlers = (CopyOnWriteArrayList<Handler>) items.get(i);
                for (Handler h : handlers) {
                    h.deliver((Peer) items.get(i + 1), items.get(i + 2));
                }
            }
        }
    }

    /** One {@code on} registration: {@code close()} waits for a call in progress, so none comes after it returns. */
    private final class Handler implements Subscription {
        private final String topic;
        private final Class<?> type;
        private final boolean primitive;
        private final BiConsumer<Peer, Object> action;
        private boolean closed;

        Handler(String topic, Class<?> type, BiConsumer<Peer, Object> action) {
            this.topic = topic;
            this.type = Talk.boxed(type);
            this.primitive = type.isPrimitive();
            this.action = action;
        }

        synchronized void deliver(Peer from, Object value) {
            if (closed) {
                return;
            }
            Object v = value;
            if (v instanceof UnresolvedValue u) {
                try {
                    v = u.resolve();
                } catch (IllegalStateException e) {
                    talk.replica.feed.report(new IposException("a message on topic '" + topic + "' from " + from + ": "
                            + e.getMessage() + "; it was dropped", e.getCause() != null ? e.getCause() : e));
                    return;
                }
            }
            if (v == null ? primitive : !this.type.isInstance(v)) {
                talk.replica.feed.report(new IposException("a message on topic '" + topic + "' from " + from + " is "
                        + (v == null ? "null" : "a " + v.getClass().getName()) + ", not the " + type.getName()
                        + " its handler takes; that handler did not get it"));
                return;
            }
            try {
                action.accept(from, v);
            } catch (RuntimeException failure) {
                talk.replica.feed.report(new IposException("a message handler on topic '" + topic + "' threw " + failure
                        + "; it stays subscribed", failure));
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            CopyOnWriteArrayList<Handler> list = byTopic.get(topic);
            if (list != null) {
                list.remove(this);
            }
        }
    }
}
