package io.ipos;

import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;
import io.ipos.serialization.WireFormat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The parent's side of replication: the sequencer. It applies ops in the order they reach it (its
 * own at once), then sends each to every child: a child's op goes verbatim to its siblings, and
 * the origin gets an ACK in the same place in its stream.
 */
final class Hub implements Replicator {
    /** How long a child may take nothing while data waits for it (or leave a SYNC unanswered) before it is dropped. */
    static final long STALL_NANOS = Long.getLong("ipos.stallTimeoutMillis", 30_000L) * 1_000_000L;
    /**
     * How long a writer waits for a child over the soft limit that takes nothing at all before it
     * stops feeding that child (which is re-synced once it reads again): a child that keeps reading
     * slows writers to its pace, a stopped one costs them this once.
     */
    static final long LAG_NANOS = Long.getLong("ipos.lagMillis", 250L) * 1_000_000L;
    static final long SOFT_LIMIT = Long.getLong("ipos.outboxSoftLimit", 8L << 20);
    static final long HARD_LIMIT = Long.getLong("ipos.outboxHardLimit", 512L << 20);

    final Replica replica;
    final WireFormat format;
    final int maxFrameBytes;
    private final OpCodec codec;
    private ValueWriter opWriter;
    /** Re-encodes received ops that decoded registered values (see {@link #reencode}). */
    private final ValueWriter checkWriter;
    private final Consumer<IposException> errors;
    private volatile ChildLink[] children = new ChildLink[0];
    private final List<SyncWait> syncs = new ArrayList<>();
    private final long stallNanos;
    private Thread watchdog;
    private long nextSyncToken = 1;
    /** Who is connected; decides ids and names. */
    final Membership membership;
    /** Where joiners connect (null: this parent doesn't listen), and the secrets for each access. */
    private volatile Acceptor listener;
    private final byte[] readWriteSecret = Address.newSecret();
    private final byte[] readOnlySecret = Address.newSecret();
    /** Links on a socket that have not said HELLO yet; dropped after {@link ChildLink#HANDSHAKE_NANOS}. */
    private final List<ChildLink> handshaking = new ArrayList<>();
    private final java.util.Map<ChildLink, Long> handshakeStarted = new java.util.HashMap<>();
    /** At most this many sockets may be in their handshake at once: a flood of idle connections takes no more. */
    static final int MAX_HANDSHAKING = 64;
    private boolean closed;
    /** Routes messages and calls in the order of the ops. */
    final Router router = new Router(this);

    private record SyncWait(long token, HashSet<ChildLink> waiting, CompletableFuture<Void> done, long sentNanos) {
    }

    Hub(Replica replica, WireFormat format, int maxFrameBytes, Consumer<IposException> errors) {
        this(replica, format, maxFrameBytes, errors, STALL_NANOS);
    }

    Hub(Replica replica, WireFormat format, int maxFrameBytes, Consumer<IposException> errors, long stallNanos) {
        this.replica = replica;
        this.format = format;
        this.maxFrameBytes = maxFrameBytes;
        this.codec = new OpCodec(replica);
        this.opWriter = format.newWriter();
        this.checkWriter = format.newWriter();
        this.errors = errors;
        this.stallNanos = stallNanos;
        this.membership = new Membership(replica.feed, replica.self);
    }

    // ---------------------------------------------------------------- local writes

    /** Encodes every local op, also with no child linked: what can't be encoded must never be stored (a later snapshot holds it). */
    @Override
    public Object encode(Op op) {
        opWriter.reset();
        codec.encode(opWriter, op);
        checkFits(opWriter.size(), maxFrameBytes);
        codec.checkBudget(opWriter.size());
        return opWriter;
    }

    /** @throws IllegalArgumentException if an op body of {@code size} bytes does not fit a frame */
    static void checkFits(int size, int maxFrameBytes) {
        if (size + 1 > maxFrameBytes) {
            throw new IllegalArgumentException("this write takes " + (size + 1) + " bytes on the wire, above maxFrameBytes="
                    + maxFrameBytes + ": split it into smaller writes, or raise the limit in the parent with "
                    + "IPOS.options().maxFrameBytes(n) or -Dipos.maxFrameBytes; nothing was stored");
        }
    }

    @Override
    public boolean recordsUndo() {
        return false;
    }

    @Override
    public void ship(Op op, Node target, Object encoded, Op.Undo undo) {
        for (ChildLink c : children) {
            if (!c.lagging) {
                c.outbox.frame(FrameDescriptor.OP, (ValueWriter) encoded);
            }
        }
        if (opWriter.size() > KEEP_WRITER_BYTES) {
            opWriter = format.newWriter(); // a writer keeps its largest buffer: let a big op's go
        }
    }

    /** Past this size an op's encoder is replaced once the op is shipped, so memory follows the data. */
    static final int KEEP_WRITER_BYTES = 1 << 20;

    /**
     * Waits, with the replica's lock released, while a child's queue is over the soft limit and the
     * child keeps reading: a slow reader slows writers to its pace. A child that takes nothing for
     * {@link #LAG_NANOS} meanwhile starts lagging: it is fed nothing more, so nobody waits for it,
     * and once it has read what was queued it is re-synced with a snapshot (see {@link #watch}).
     * Waiting under the lock would deadlock two processes that both write hard: each one's reader
     * needs its lock to drain the other's queue.
     */
    @Override
    public void throttle(Replica r) {
        ChildLink[] cs = children;
        boolean over = false;
        for (ChildLink c : cs) {
            over |= !c.lagging && c.outbox.queued() > SOFT_LIMIT;
        }
        if (!over || r.lock.getHoldCount() != 1) {
            return;
        }
        r.lock.unlock();
        try {
            for (ChildLink c : cs) {
                while (!c.lagging && c.outbox.queued() > SOFT_LIMIT && c.outbox.isOpen()) {
                    if (System.nanoTime() - c.outbox.lastProgressNanos() > LAG_NANOS) {
                        startLagging(c);
                        break;
                    }
                    c.outbox.awaitBelow(LAG_NANOS / 4);
                }
            }
        } finally {
            r.lock.lock();
        }
    }

    private void startLagging(ChildLink c) {
        replica.acquire();
        try {
            if (c.admitted() && !c.lagging) {
                c.lagging = true;
                c.settledWhileLagging = 0;
            }
        } finally {
            replica.release();
        }
    }

    /**
     * The watchdog, one thread per parent: re-syncs a lagging child once it has read all that was
     * queued for it, and drops a child that took nothing for the stall timeout while data waited
     * for it, or left a SYNC unanswered that long (so {@code flush()} always ends).
     */
    private void watch() {
        while (!isClosed()) {
            boolean anyLagging = false;
            long now = System.nanoTime();
            for (ChildLink c : children) {
                if (c.lagging) {
                    anyLagging = true;
                    if (c.outbox.pendingBytes() == 0) {
                        resync(c);
                        continue;
                    }
                }
                if (c.outbox.pendingBytes() > 0 && now - c.outbox.lastProgressNanos() > stallNanos) {
                    lost(c, stalled(c, "took nothing of the " + c.outbox.pendingBytes() + " bytes queued for it"));
                }
            }
            for (ChildLink c : unansweredSyncs(now)) {
                lost(c, stalled(c, "left a flush() unanswered"));
            }
            dropSilentHandshakes(now);
            try {
                Thread.sleep(anyLagging ? 2 : 20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private IposException stalled(ChildLink c, String what) {
        return new IposException(c.name + " stopped reading: it " + what + " for over " + stallNanos / 1_000_000
                + " ms; dropped its link, the others carry on (raise -Dipos.stallTimeoutMillis or "
                + "IPOS.options().stallTimeout(...) for children that pause longer)");
    }

    private List<ChildLink> unansweredSyncs(long now) {
        List<ChildLink> late = new ArrayList<>();
        replica.acquire();
        try {
            for (SyncWait w : syncs) {
                if (now - w.sentNanos > stallNanos) {
                    late.addAll(w.waiting);
                }
            }
        } finally {
            replica.release();
        }
        return late;
    }

    /** Brings a lagging child back: a snapshot of the state as of now, then what it is owed. */
    private void resync(ChildLink c) {
        replica.acquire();
        try {
            if (!c.lagging || !c.admitted() || closed) {
                return;
            }
            ValueWriter w = format.newWriter();
            codec.encodeSnapshot(w);
            byte[] body = new byte[4 + w.size()];
            FrameDescriptor.putInt(body, 0, c.settledWhileLagging);
            w.copyTo(body, 4);
            if (body.length + 1 > maxFrameBytes) {
                after(() -> lost(c, new IposException(c.name + " fell behind and the state (" + body.length
                        + " bytes) is above maxFrameBytes=" + maxFrameBytes + ", so it can't be re-synced; dropped its link")));
                return;
            }
            c.outbox.frame(FrameDescriptor.RESYNC, body);
            if (c.lostWhileLagging) { // the op after the settled ones lost: the child re-runs it and sends the rest again
                c.outbox.frame(FrameDescriptor.LOST, new byte[0]);
                c.lostWhileLagging = false;
            }
            for (long token : c.deferredSyncs) {
                c.outbox.frame(FrameDescriptor.SYNC, FrameDescriptor.u64(token));
            }
            c.deferredSyncs.clear();
            c.settledWhileLagging = 0;
            c.lagging = false;
            c.resyncs++;
            tellPeersChanged(c);
            router.resynced(c);
        } finally {
            replica.release();
        }
    }

    /** Runs {@code action} on a thread of its own (the caller holds the lock). */
    private static void after(Runnable action) {
        Thread t = new Thread(action, "ipos-link-failure");
        t.setDaemon(true);
        t.start();
    }

    // ---------------------------------------------------------------- children

    ChildLink[] children() {
        return children;
    }

    /**
     * Links that are fed or whose reader still applies what they sent: a child whose stdin broke
     * is fed nothing more, but it counts as linked until its last frame is applied, so a caller
     * that waits for it to leave {@code processes()} sees all of its writes.
     */
    List<ChildLink> linked() {
        replica.acquire();
        try {
            List<ChildLink> all = new ArrayList<>(Arrays.asList(children));
            all.addAll(draining);
            return all;
        } finally {
            replica.release();
        }
    }

    /** Children whose output is gone and whose reader has not reached their end yet. Under the lock. */
    private final List<ChildLink> draining = new ArrayList<>();

    /**
     * Admits a child that said HELLO: gives it an id and a name, the state, and every op from now
     * on; tells the others it joined.
     *
     * @throws IposException if it can't be admitted (its name is taken, the state is too big); it
     *     is told why before it is dropped
     */
    void admit(ChildLink link) {
        replica.acquire();
        try {
            if (closed) {
                throw new IposException(link.name + " connected after the parent's IPOS was closed");
            }
            Peer peer;
            try {
                peer = membership.admit(link.askedName);
            } catch (IposException refused) {
                throw link.refuse(refused.getMessage());
            }
            ValueWriter w = format.newWriter();
            codec.encodeSnapshot(w);
            if (w.size() + 1 > maxFrameBytes) {
                throw link.refuse("the state takes " + w.size() + " bytes, above maxFrameBytes=" + maxFrameBytes
                        + "; raise -Dipos.maxFrameBytes in the parent to connect " + link.name);
            }
            link.childId = peer.id();
            link.peer = peer;
            List<Peer> others = new ArrayList<>();
            others.add(replica.self);
            others.addAll(membership.peers());
            link.outbox.raw(FrameDescriptor.MAGIC);
            link.outbox.frame(FrameDescriptor.WELCOME, FrameDescriptor.welcome(peer.id(), maxFrameBytes, format.name(),
                    link.readOnly(), peer.name(), others));
            link.outbox.frame(FrameDescriptor.SNAPSHOT, w);
            for (Peer p : others) {
                link.told.put(p.id(), p);
            }
            startWatchdog();
            for (ChildLink c : children) {
                tellPeer(c, peer, true);
            }
            ChildLink[] cs = Arrays.copyOf(children, children.length + 1);
            cs[cs.length - 1] = link;
            children = cs;
            membership.changed(peer, true);
            link.markAdmitted();
        } finally {
            replica.release();
        }
    }

    /** A PEER frame to {@code c}, unless it lags (its RESYNC brings it up to date). Under the lock. */
    private void tellPeer(ChildLink c, Peer p, boolean joined) {
        if (c.lagging) {
            return;
        }
        c.outbox.frame(FrameDescriptor.PEER, FrameDescriptor.peerEvent(p, joined));
        if (joined) {
            c.told.put(p.id(), p);
        } else {
            c.told.remove(p.id());
        }
    }

    /** After a RESYNC: PEER frames for whoever came or went while {@code c} lagged. Under the lock. */
    private void tellPeersChanged(ChildLink c) {
        java.util.Map<Integer, Peer> now = new java.util.LinkedHashMap<>();
        now.put(0, replica.self);
        for (ChildLink other : children) {
            if (other != c && other.peer != null) {
                now.put(other.peer.id(), other.peer);
            }
        }
        for (Peer p : List.copyOf(c.told.values())) {
            if (!p.equals(now.get(p.id()))) {
                tellPeer(c, p, false);
            }
        }
        for (Peer p : now.values()) {
            if (!c.told.containsKey(p.id())) {
                tellPeer(c, p, true);
            }
        }
    }

    private void startWatchdog() {
        if (watchdog == null) {
            watchdog = new Thread(this::watch, "ipos-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
    }

    // ---------------------------------------------------------------- joiners

    /** Starts accepting joiners at {@code at}. */
    void listen(Address at) throws java.io.IOException {
        Acceptor a = new Acceptor(at);
        listener = a;
        a.serve("ipos-accept", this::joinerConnected, e -> errors.accept(new IposException("accepting a joiner at "
                + a.address + " failed: " + e.getMessage(), e)));
    }

    /** The address joiners use for {@code access}, with its secret; null if this parent doesn't listen. */
    String address(Access access) {
        Acceptor a = listener;
        return a == null ? null : a.address.withSecret(access == Access.READ_ONLY ? readOnlySecret : readWriteSecret).toString();
    }

    private int joiners;
    private volatile ChildSockets childSockets;

    /** The private directory of spawned children's sockets, made at the first spawn; null where Unix sockets are unavailable. */
    synchronized ChildSockets childSockets() {
        if (childSockets == null && !isClosed()) {
            childSockets = ChildSockets.open();
        }
        return childSockets;
    }

    private void joinerConnected(Connection c) {
        ChildLink link;
        replica.acquire();
        try {
            if (closed || handshaking.size() >= MAX_HANDSHAKING) {
                c.close();
                return;
            }
            link = new ChildLink(this, c, null, "joiner " + ++joiners + " (" + c.kind.label + ")", presented ->
                    Address.sameSecret(readWriteSecret, presented) ? Access.READ_WRITE
                            : Address.sameSecret(readOnlySecret, presented) ? Access.READ_ONLY : null);
            startHandshake(link);
        } finally {
            replica.release();
        }
        link.start();
    }

    /** Under the lock: the link must say HELLO within the handshake timeout. */
    void startHandshake(ChildLink link) {
        handshaking.add(link);
        handshakeStarted.put(link, System.nanoTime());
        startWatchdog();
    }

    private void dropSilentHandshakes(long now) {
        List<ChildLink> late = new ArrayList<>();
        replica.acquire();
        try {
            for (Iterator<ChildLink> it = handshaking.iterator(); it.hasNext(); ) {
                ChildLink l = it.next();
                if (l.admitted() || l.isRemoved()) {
                    it.remove();
                    handshakeStarted.remove(l);
                } else if (now - handshakeStarted.get(l) > ChildLink.HANDSHAKE_NANOS) {
                    it.remove();
                    handshakeStarted.remove(l);
                    late.add(l);
                }
            }
        } finally {
            replica.release();
        }
        for (ChildLink l : late) {
            // dropped first, then its socket closed: the reader, woken by the close, finds it
            // removed and reports nothing of its own (else its "reading failed" could come first)
            lost(l, new IposException(l.name + " sent no ipos handshake within " + ChildLink.HANDSHAKE_NANOS / 1_000_000
                    + " ms (-Dipos.handshakeMillis); dropped the connection"));
            l.connection.close();
        }
    }

    /**
     * Applies a batch of frames from {@code link}, starting with the one just read, for as long as
     * whole frames are buffered, under one hold of the lock. Runs on the link's reader thread.
     */
    void receive(ChildLink link, ValueReader reader, List<Runnable> after) {
        FrameReader frames = link.frames;
        replica.acquire();
        try {
            unacked = 0;
            try {
                handle(link, frames, reader, after);
                for (int n = 1; n < FrameReader.MAX_BATCH && !replica.lock.hasQueuedThreads()
                        && frames.hasBufferedFrame() && frames.next(); n++) {
                    handle(link, frames, reader, after);
                }
            } catch (java.io.IOException e) {
                // the reader thread's next read reports it
            } finally {
                sendAcks(link);
            }
        } finally {
            replica.releaseWrite();
        }
    }

    /** ACKs for the origin's ops applied in the batch so far; sent before a REJECT and at the batch's end. Under the lock. */
    private int unacked;

    private void sendAcks(ChildLink link) {
        if (unacked > 0 && link.admitted()) {
            if (link.lagging) {
                link.settledWhileLagging += unacked;
            } else {
                link.outbox.frame(FrameDescriptor.ACK, FrameDescriptor.u32(unacked));
            }
        }
        unacked = 0;
    }

    private void handle(ChildLink link, FrameReader frames, ValueReader reader, List<Runnable> after) {
        if (!link.admitted() || closed) {
            return;
        }
        byte[] buf = frames.buffer();
        int off = frames.bodyOffset();
        int len = frames.bodyLength();
        switch (frames.type()) {
            case FrameDescriptor.OP -> {
                if (link.readOnly()) {
                    throw new IposException(link.name + " is read-only (Access.READ_ONLY) and sent a write (OP frame at stream "
                            + "offset " + frames.frameOffset() + "); dropped its link, nothing of it was applied");
                }
                handleOp(link, frames, reader, after);
                link.opFrames++;
            }
            case FrameDescriptor.RETRY -> {
                if (len != 0 || !link.skipping) {
                    throw link.corrupt(link.skipping ? "malformed RETRY" : "RETRY (no LOST to answer)",
                            frames.frameOffset(), null);
                }
                link.skipping = false;
            }
            case FrameDescriptor.SYNC_ACK -> {
                if (len != 8) {
                    throw link.corrupt("SYNC_ACK", frames.frameOffset(), null);
                }
                syncAcked(link, FrameDescriptor.getLong(buf, off), after);
            }
            case FrameDescriptor.READY -> after.add(() -> link.ready.complete(null));
            case FrameDescriptor.MSG, FrameDescriptor.CALL, FrameDescriptor.RESULT, FrameDescriptor.CANCEL, FrameDescriptor.EXPOSE,
                    FrameDescriptor.UNEXPOSE, FrameDescriptor.RESENT ->
                router.receive(link, frames.type(), buf, off, len, reader, frames.frameOffset());
            case FrameDescriptor.ERROR -> throw link.reported(FrameReader.peerText(buf, off, len));
            default -> throw link.corrupt(FrameDescriptor.typeName(frames.type()), frames.frameOffset(), null);
        }
    }

    /**
     * An OP frame from {@code link}: applied, relayed to its siblings and acknowledged; or refused;
     * or, a compute that lost its race, answered with LOST; or skipped, after a LOST until the
     * child's RETRY (not even decoded: the child sends it again).
     */
    private void handleOp(ChildLink link, FrameReader frames, ValueReader reader, List<Runnable> after) {
        if (link.skipping) {
            link.skipped++;
            return;
        }
        byte[] buf = frames.buffer();
        int off = frames.bodyOffset();
        int len = frames.bodyLength();
        Op op;
        int created = replica.values.registeredCreated();
        try {
            reader.reset(buf, off, len);
            codec.literalCreator = link.childId;
            op = codec.decode(reader, len);
        } catch (WireException | StackOverflowError e) {
            throw link.corrupt("OP", frames.frameOffset(), e);
        }
        Node target = resolve(link, op, frames.frameOffset());
        if (target != null) {
            try {
                if (replica.values.registeredCreated() != created) {
                    reencode(op);
                }
                replica.applyReceived(op, target, false, link.peer);
            } catch (Replica.RefusedOp refused) {
                reject(link, op, target, refused.getMessage(), after);
                return;
            }
            if (MapOps.lostRace(op)) {
                lose(link);
                return;
            }
            for (ChildLink c : children) {
                if (c != link && !c.lagging) {
                    c.outbox.frame(FrameDescriptor.RELAY, link.childId, buf, off, len);
                }
            }
        }
        unacked++;
    }

    /**
     * A compute-family write of {@code link}'s (or a unit holding one) found its key changed: it
     * changed nothing, so it is not relayed, and the child hears LOST in its place in the stream
     * (after the ACKs before it). Its ops after it were made on a view that held the lost write
     * and may already be on their way: they are skipped until the child's RETRY, after which it
     * sends the lost write run again on the value that won, then them, in their order. Without
     * this the re-run would land after the writer's later writes (a later put to the same key
     * overwritten by an earlier merge, a later transfer's record by an earlier one).
     */
    private void lose(ChildLink link) {
        sendAcks(link);
        link.skipping = true;
        if (link.lagging) {
            link.lostWhileLagging = true; // told after its RESYNC
        } else {
            link.outbox.frame(FrameDescriptor.LOST, new byte[0]);
        }
    }

    /**
     * An op holding registered values, decoded here through their {@code from} hooks, must encode
     * again: the parent's state is what every joining child's snapshot is made of.
     */
    private void reencode(Op op) {
        try {
            checkWriter.reset();
            codec.encode(checkWriter, op);
        } catch (RuntimeException e) {
            throw new Replica.RefusedOp("a registered value built by its from() hook can't be encoded again here: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Refuses a child's op as a whole: it is neither applied nor relayed, and the origin hears it
     * in its place in the stream (REJECT after the ACKs before it), rolls it back and reports why.
     */
    private void reject(ChildLink link, Op op, Node target, String reason, List<Runnable> after) {
        sendAcks(link);
        String what = FrameDescriptor.opName(op.code()) + " on " + target.describe();
        if (link.lagging) {
            link.settledWhileLagging++; // its RESYNC shows the op was not applied
        } else {
            link.outbox.frame(FrameDescriptor.REJECT, FrameDescriptor.utf8(what + ": " + reason, FrameDescriptor.MAX_REASON_BYTES));
        }
        after.add(() -> errors.accept(new IposException("refused a write from " + link.name + " (" + what + "): " + reason
                + "; it was applied nowhere and rolled back in " + link.name)));
    }

    /** The node an op from a child changes; null if it was detached (the op changes nothing). */
    private Node resolve(ChildLink link, Op op, long frameOffset) {
        Node target = replica.node(op.targetId());
        if (target == null) {
            if (replica.mayHaveExisted(op.targetId())) {
                return null;
            }
            throw new IposException(link.name + ": " + FrameDescriptor.opName(op.code()) + " at offset " + frameOffset
                    + " names node " + op.targetId() + ", which never existed; the stream can't be trusted");
        }
        if (!op.fits(target)) {
            throw new IposException(link.name + ": " + FrameDescriptor.opName(op.code()) + " at offset " + frameOffset
                    + " does not apply to " + target.describe() + "; the stream can't be trusted");
        }
        return target;
    }

    /** Drops a child: it gets nothing more, its stdin is closed, waits on it end. {@code error} may be null. */
    void lost(ChildLink link, IposException error) {
        List<Runnable> after = new ArrayList<>();
        replica.acquire();
        try {
            if (!link.markRemoved()) {
                return;
            }
            unlink(link, after);
            draining.remove(link);
            if (link.peer != null) {
                for (ChildLink c : children) {
                    tellPeer(c, link.peer, false);
                }
                membership.changed(link.peer, false);
            }
            router.left(link);
        } finally {
            replica.release();
        }
        link.outbox.close();
        IposException why = error != null ? error : new IposException(link.name + " left before it was ready");
        link.ready.completeExceptionally(why);
        after.forEach(Runnable::run);
        if (error != null) {
            errors.accept(error);
        }
    }

    /**
     * Writing to a child failed: it closed its stdin or ended. It gets nothing more, but what it
     * sent before is still applied: its reader keeps going to the end of its stream and then
     * drops it (quietly if the stream ended cleanly), so a child's last writes are not lost when
     * it exits while the parent is writing to it.
     */
    void outputGone(ChildLink link) {
        List<Runnable> after = new ArrayList<>();
        replica.acquire();
        try {
            if (!link.admitted()) {
                return;
            }
            unlink(link, after);
            draining.add(link);
        } finally {
            replica.release();
        }
        after.forEach(Runnable::run);
    }

    /** Sends nothing more to {@code link} and stops waiting for it. Under the lock. */
    private void unlink(ChildLink link, List<Runnable> after) {
        ChildLink[] cs = children;
        int i = Arrays.asList(cs).indexOf(link);
        if (i >= 0) {
            ChildLink[] fewer = new ChildLink[cs.length - 1];
            System.arraycopy(cs, 0, fewer, 0, i);
            System.arraycopy(cs, i + 1, fewer, i, cs.length - i - 1);
            children = fewer;
        }
        for (Iterator<SyncWait> it = syncs.iterator(); it.hasNext(); ) {
            SyncWait w = it.next();
            if (w.waiting.remove(link) && w.waiting.isEmpty()) {
                it.remove();
                after.add(() -> w.done.complete(null));
            }
        }
    }

    // ---------------------------------------------------------------- flush and close

    CompletableFuture<Void> flush() {
        replica.acquire();
        try {
            ChildLink[] cs = children;
            if (cs.length == 0 || closed) {
                return CompletableFuture.completedFuture(null);
            }
            long token = nextSyncToken++;
            SyncWait w = new SyncWait(token, new HashSet<>(Arrays.asList(cs)), new CompletableFuture<>(), System.nanoTime());
            syncs.add(w);
            for (ChildLink c : cs) {
                if (c.lagging) {
                    c.deferredSyncs.add(token);
                } else {
                    c.outbox.frame(FrameDescriptor.SYNC, FrameDescriptor.u64(token));
                }
            }
            return w.done;
        } finally {
            replica.release();
        }
    }

    private void syncAcked(ChildLink link, long token, List<Runnable> after) {
        for (Iterator<SyncWait> it = syncs.iterator(); it.hasNext(); ) {
            SyncWait w = it.next();
            if (w.token == token) {
                if (w.waiting.remove(link) && w.waiting.isEmpty()) {
                    it.remove();
                    after.add(() -> w.done.complete(null));
                }
                return;
            }
        }
    }

    /**
     * Closes every child's link (each sees its parent leave); later writes stay local. Idempotent.
     * Returns once every child's stdin has carried everything queued for it before the close, or
     * {@link Outbox#EXIT_DRAIN_NANOS} passed for all of them together; a child that stopped reading
     * is then named to the error handler.
     */
    void close() {
        ChildLink[] cs;
        replica.acquire();
        try {
            if (closed) {
                return;
            }
            closed = true;
            replica.replicator = Replicator.LOCAL;
            cs = children;
        } finally {
            replica.release();
        }
        Acceptor a = listener;
        if (a != null) {
            a.close();
        }
        for (ChildLink c : handshakingNow()) {
            lost(c, null); // before the close wakes its reader, which then has nothing to report
            c.connection.close();
        }
        ChildSockets sockets = childSockets;
        if (sockets != null) {
            sockets.close();
        }
        List<Outbox> outboxes = new ArrayList<>();
        for (ChildLink c : cs) {
            lost(c, null);
            outboxes.add(c.outbox);
        }
        if (!Outbox.awaitAllDrained(outboxes, Outbox.EXIT_DRAIN_NANOS)) {
            String left = Outbox.undelivered(outboxes);
            if (!left.isEmpty()) {
                errors.accept(new IposException("close() gave up after " + Outbox.EXIT_DRAIN_NANOS / 1_000_000
                        + " ms (-Dipos.exitDrainMillis) on sending what was queued for " + left + ": it stopped reading"));
            }
        }
        replica.acquire();
        try {
            for (SyncWait w : syncs) {
                w.done.complete(null);
            }
            syncs.clear();
        } finally {
            replica.release();
        }
    }

    private List<ChildLink> handshakingNow() {
        replica.acquire();
        try {
            return new ArrayList<>(handshaking);
        } finally {
            replica.release();
        }
    }

    boolean isClosed() {
        replica.acquire();
        try {
            return closed;
        } finally {
            replica.release();
        }
    }
}
