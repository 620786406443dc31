package io.ipos;

import io.ipos.serialization.ValueReader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parent's routing of messages and calls, in the one order it gives the writes. A frame from a
 * child is routed on that child's reader thread under the replica's lock, in its place in the
 * child's stream: after the ops before it were applied here and relayed to the siblings, so each
 * receiver has applied them when the message or call reaches it. The parent's own messages and
 * calls come in through {@link #send} under the same lock, after its own writes so far.
 *
 * <ul>
 *   <li>MSG to every other process, to the parent, or to one child (dropped if it is not connected).
 *   <li>Calls: the parent keeps which peer exposes each name ({@link #names}; it decides, so a taken
 *       name is refused naming its holder), and each call on its way ({@link #flights}): a RESULT
 *       goes back only from the peer the call went to, a CANCEL only to it, and when a peer
 *       leaves, every call waiting for it fails at once and every call it was waiting for is
 *       cancelled.
 *   <li>While a child's ops are skipped after a LOST (go-back-N), its messages and calls are held
 *       and routed after the ops it sends again (at its RESENT): they came after those ops.
 *   <li>A lagging child (fed nothing until its RESYNC) gets what was routed to it right after the
 *       RESYNC, whose snapshot holds every write made before.
 * </ul>
 */
final class Router implements Uplink {
    private final Hub hub;
    /** The parent's own messages and calls (null until the instance is made). */
    private volatile Talk local;
    /** Decodes frames the parent sends itself. Under the lock. */
    private ValueReader localReader;
    /** Who exposes each name. Under the lock. */
    private final HashMap<String, Holder> names = new HashMap<>();
    /** Calls on their way: (caller, call id) to where they went. Under the lock. */
    private final HashMap<CallKey, Flight> flights = new HashMap<>();
    /** Per child: routed frames held while its ops are skipped, until its RESENT. Under the lock. */
    private final IdentityHashMap<ChildLink, Frames> held = new IdentityHashMap<>();
    /** Per lagging child: frames for it, sent after its RESYNC. Under the lock. */
    private final IdentityHashMap<ChildLink, Frames> deferred = new IdentityHashMap<>();

    private record Holder(int peer, String api) {
    }

    private record Flight(int callee, String name) {
    }

    /** Frames waiting, in order, as whole bodies, with their types. */
    private static final class Frames {
        final List<byte[]> bodies = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        long bytes;

        boolean add(int type, byte[] body) {
            types.add(type);
            bodies.add(body);
            bytes += body.length + FrameDescriptor.HEADER_LENGTH;
            return bytes <= Hub.HARD_LIMIT;
        }
    }

    Router(Hub hub) {
        this.hub = hub;
    }

    void local(Talk talk) {
        this.local = talk;
    }

    // ---------------------------------------------------------------- in

    /** A MSG, CALL, RESULT, CANCEL, EXPOSE, UNEXPOSE or RESENT from {@code link}. Under the lock, on its reader thread. */
    void receive(ChildLink link, int type, byte[] b, int off, int len, ValueReader r, long frameOffset) {
        if (type == FrameDescriptor.RESENT) {
            if (len != 0) {
                throw link.corrupt("RESENT", frameOffset, null);
            }
            Frames h = link.skipping ? null : held.remove(link); // skipping again: a later RESENT ends it
            if (h != null) {
                for (int i = 0; i < h.bodies.size(); i++) {
                    byte[] body = h.bodies.get(i);
                    route(link, link.childId, h.types.get(i), body, 0, body.length, r, frameOffset);
                }
            }
            return;
        }
        if (link.skipping || held.containsKey(link)) {
            if (!held.computeIfAbsent(link, l -> new Frames()).add(type, java.util.Arrays.copyOfRange(b, off, off + len))) {
                throw new IposException(link.name + " sent over " + Hub.HARD_LIMIT + " bytes of messages and calls while its "
                        + "writes were being sent again; dropped its link");
            }
            return;
        }
        route(link, link.childId, type, b, off, len, r, frameOffset);
    }

    /** The parent's own MSG, CALL, RESULT, CANCEL, EXPOSE or UNEXPOSE. Under the lock. */
    @Override
    public boolean send(int type, byte[] body) {
        return route(null, 0, type, body, 0, body.length, localReader(), -1);
    }

    /**
     * Routes one frame from {@code from} (null: the parent itself), peer {@code origin}.
     *
     * @return for a MSG, whether any process was there to receive it
     */
    private boolean route(ChildLink from, int origin, int type, byte[] b, int off, int len, ValueReader r, long at) {
        switch (type) {
            case FrameDescriptor.MSG -> {
                if (len < 5 || 5 + (b[off + 4] & 0xFF) > len) {
                    throw corrupt(from, "MSG", at);
                }
                int to = FrameDescriptor.getInt(b, off);
                if (to == FrameDescriptor.ALL_PEERS) {
                    boolean any = false;
                    if (from != null) {
                        deliver(FrameDescriptor.MSG, origin, b, off, len, r);
                        any = true;
                    }
                    for (ChildLink c : hub.children()) {
                        if (c != from && c.admitted()) {
                            forward(c, FrameDescriptor.MSG, origin, b, off, len);
                            any = true;
                        }
                    }
                    return any;
                }
                if (to == 0) {
                    if (from != null) {
                        deliver(FrameDescriptor.MSG, origin, b, off, len, r);
                    }
                    return from != null;
                }
                ChildLink c = child(to);
                if (c != null) {
                    forward(c, FrameDescriptor.MSG, origin, b, off, len);
                }
                return c != null; // a peer that left meanwhile gets nothing: nothing is queued for it
            }
            case FrameDescriptor.CALL -> {
                if (len < 14 || 13 + (b[off + 12] & 0xFF) > len) {
                    throw corrupt(from, "CALL", at);
                }
                long id = FrameDescriptor.getLong(b, off + 4);
                String name = new String(b, off + 13, b[off + 12] & 0xFF, StandardCharsets.UTF_8);
                CallKey key = new CallKey(origin, id);
                Holder h = names.get(name);
                ChildLink callee = h == null || h.peer == 0 ? null : child(h.peer);
                if (h == null || (h.peer != 0 && callee == null)) {
                    fail(from, id, "no process exposes '" + name + "': the call failed at once");
                } else if (flights.containsKey(key)) {
                    fail(from, id, "call id " + id + " of " + describe(origin) + " is in use");
                } else {
                    flights.put(key, new Flight(h.peer, name));
                    if (callee == null) {
                        deliver(FrameDescriptor.CALL, origin, b, off, len, r);
                    } else {
                        forward(callee, FrameDescriptor.CALL, origin, b, off, len);
                    }
                }
                return true;
            }
            case FrameDescriptor.RESULT -> {
                if (len < 13) {
                    throw corrupt(from, "RESULT", at);
                }
                int caller = FrameDescriptor.getInt(b, off);
                CallKey key = new CallKey(caller, FrameDescriptor.getLong(b, off + 4));
                Flight f = flights.get(key);
                if (f != null && f.callee == origin) { // else late (cancelled) or not its to answer: dropped
                    flights.remove(key);
                    to(caller, FrameDescriptor.RESULT, origin, b, off, len, r);
                }
                return true;
            }
            case FrameDescriptor.CANCEL -> {
                if (len != 12) {
                    throw corrupt(from, "CANCEL", at);
                }
                Flight f = flights.remove(new CallKey(origin, FrameDescriptor.getLong(b, off + 4)));
                if (f != null) {
                    to(f.callee, FrameDescriptor.CANCEL, origin, b, off, len, r);
                }
                return true;
            }
            case FrameDescriptor.EXPOSE -> {
                int n = len >= 5 ? b[off + 4] & 0xFF : 0;
                if (n == 0 || 5 + n > len) {
                    throw corrupt(from, "EXPOSE", at);
                }
                String name = new String(b, off + 5, n, StandardCharsets.UTF_8);
                String api = new String(b, off + 5 + n, len - 5 - n, StandardCharsets.UTF_8);
                Holder h = names.get(name);
                String refused = null;
                if (h == null) {
                    names.put(name, new Holder(origin, api));
                } else {
                    refused = "the name '" + name + "' is taken: " + describe(h.peer) + " exposes it (" + h.api
                            + "); names are unique across the peers";
                }
                byte[] text = refused == null ? new byte[0] : FrameDescriptor.utf8(refused, FrameDescriptor.MAX_REASON_BYTES);
                byte[] reply = new byte[5 + text.length];
                System.arraycopy(b, off, reply, 0, 4);
                reply[4] = (byte) (refused == null ? 0 : 1);
                System.arraycopy(text, 0, reply, 5, text.length);
                if (from == null) {
                    deliverWhole(FrameDescriptor.EXPOSED, reply, r);
                } else {
                    send(from, FrameDescriptor.EXPOSED, reply);
                }
                return true;
            }
            case FrameDescriptor.UNEXPOSE -> {
                String name = new String(b, off, len, StandardCharsets.UTF_8);
                Holder h = names.get(name);
                if (h != null && h.peer == origin) {
                    names.remove(name);
                }
                return true;
            }
            default -> throw corrupt(from, FrameDescriptor.typeName(type), at);
        }
    }

    private ValueReader localReader() {
        if (localReader == null) {
            localReader = hub.format.newReader();
        }
        return localReader;
    }

    private static IposException corrupt(ChildLink from, String frame, long at) {
        if (from == null) {
            throw new IllegalStateException("the parent built a malformed " + frame);
        }
        return from.corrupt(frame, at, null);
    }

    private String describe(int peer) {
        return peer == 0 ? "the parent (id 0)" : hub.membership.byId(peer).name() + " (id " + peer + ")";
    }

    // ---------------------------------------------------------------- out

    /** The child with {@code id}, if it is linked now. */
    private ChildLink child(int id) {
        for (ChildLink c : hub.children()) {
            if (c.childId == id && c.admitted()) {
                return c;
            }
        }
        return null;
    }

    /** A frame with a peer field, to peer {@code to} (0: the parent), with the field set to {@code origin}. */
    private void to(int to, int type, int origin, byte[] b, int off, int len, ValueReader r) {
        if (to == 0) {
            deliver(type, origin, b, off, len, r);
        } else {
            ChildLink c = child(to);
            if (c != null) {
                forward(c, type, origin, b, off, len);
            }
        }
    }

    /** To the parent's own Talk: {@code b[off, off + len)} with its peer field, which says {@code origin} instead. */
    private void deliver(int type, int origin, byte[] b, int off, int len, ValueReader r) {
        Talk t = local;
        if (t != null) {
            t.receive(type, origin, b, off + 4, len - 4, r);
        }
    }

    private void deliverWhole(int type, byte[] body, ValueReader r) {
        Talk t = local;
        if (t != null) {
            t.receive(type, 0, body, 0, body.length, r);
        }
    }

    /** To child {@code c}: {@code b[off, off + len)} with its peer field set to {@code origin}. */
    private void forward(ChildLink c, int type, int origin, byte[] b, int off, int len) {
        if (!c.lagging) {
            c.outbox.frame(type, origin, b, off + 4, len - 4);
            return;
        }
        byte[] body = java.util.Arrays.copyOfRange(b, off, off + len);
        FrameDescriptor.putInt(body, 0, origin);
        defer(c, type, body);
    }

    private void send(ChildLink c, int type, byte[] body) {
        if (c.lagging) {
            defer(c, type, body);
        } else {
            c.outbox.frame(type, body);
        }
    }

    private void defer(ChildLink c, int type, byte[] body) {
        Frames d = deferred.computeIfAbsent(c, l -> new Frames());
        if (!d.add(type, body)) {
            deferred.remove(c);
            long bytes = d.bytes;
            Thread t = new Thread(() -> hub.lost(c, new IposException(c.name + " fell behind while " + bytes
                    + " bytes of messages and calls waited for it, above ipos.outboxHardLimit=" + Hub.HARD_LIMIT
                    + "; dropped its link")), "ipos-link-failure");
            t.setDaemon(true);
            t.start();
        }
    }

    /** A RESULT that says the call failed, from the parent, to the caller {@code from} (null: the parent). */
    private void fail(ChildLink from, long id, String why) {
        byte[] text = FrameDescriptor.utf8(why, FrameDescriptor.MAX_REASON_BYTES);
        byte[] body = new byte[13 + text.length];
        FrameDescriptor.putInt(body, 0, 0);
        FrameDescriptor.putLong(body, 4, id);
        body[12] = FrameDescriptor.RESULT_FAILED;
        System.arraycopy(text, 0, body, 13, text.length);
        if (from == null) {
            deliver(FrameDescriptor.RESULT, 0, body, 0, body.length, localReader());
        } else {
            send(from, FrameDescriptor.RESULT, body);
        }
    }

    // ---------------------------------------------------------------- peers leave, lag, catch up

    /**
     * {@code link} left (it is unlinked already): its names are free, every call waiting for it
     * fails now, every call it was waiting for is cancelled. Under the lock.
     */
    void left(ChildLink link) {
        held.remove(link);
        deferred.remove(link);
        if (link.peer == null) {
            return;
        }
        int id = link.childId;
        names.values().removeIf(h -> h.peer == id);
        for (Map.Entry<CallKey, Flight> e : List.copyOf(flights.entrySet())) {
            CallKey key = e.getKey();
            Flight f = e.getValue();
            if (f.callee == id) {
                flights.remove(key);
                String why = "'" + f.name + "' was exposed by " + link.peer.name() + " (id " + id
                        + "), which left before it answered; the call failed";
                if (key.caller() == 0) {
                    fail(null, key.id(), why);
                } else {
                    ChildLink caller = child(key.caller());
                    if (caller != null) {
                        fail(caller, key.id(), why);
                    }
                }
            } else if (key.caller() == id) {
                flights.remove(key);
                byte[] cancel = new byte[12];
                FrameDescriptor.putInt(cancel, 0, id);
                FrameDescriptor.putLong(cancel, 4, key.id());
                to(f.callee, FrameDescriptor.CANCEL, id, cancel, 0, cancel.length, localReader());
            }
        }
    }

    /** {@code c} was re-synced: what was routed to it meanwhile follows its RESYNC. Under the lock. */
    void resynced(ChildLink c) {
        Frames d = deferred.remove(c);
        if (d != null) {
            for (int i = 0; i < d.bodies.size(); i++) {
                c.outbox.frame(d.types.get(i), d.bodies.get(i));
            }
        }
    }
}
