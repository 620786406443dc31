package io.ipos;

import io.ipos.serialization.ValueReader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The parent's link to one child or joiner: a reader thread on its {@link Connection} and an
 * {@link Outbox} writing to it. Over a child's pipes, bytes the child prints before its handshake
 * are copied to the parent's stderr, prefixed with the child's name; over a socket the first bytes
 * must be the magic and a HELLO whose secret the {@link Gate} accepts, within
 * {@link #HANDSHAKE_NANOS}, or the socket is dropped.
 */
final class ChildLink implements Runnable {
    /** How long a process on a socket may take to say HELLO before it is dropped. */
    static final long HANDSHAKE_NANOS = Long.getLong("ipos.handshakeMillis", 10_000L) * 1_000_000L;

    /** Who may come in over this link, and with what access: null refuses (a wrong or missing secret). */
    interface Gate {
        Access admit(byte[] presented);

        /** No secret needed: a process the parent started or added, linked by its own pipes. */
        static Gate trusted(Access access) {
            return presented -> access;
        }

        /** The one secret of a spawned child's private socket. */
        static Gate secret(byte[] secret, Access access) {
            return presented -> Address.sameSecret(secret, presented) ? access : null;
        }
    }

    final Hub hub;
    final Process process;
    final String name;
    final Connection connection;
    private final Gate gate;
    /** What the peer may do, decided at the handshake. */
    volatile Access access = Access.READ_WRITE;
    /** The name the process asked for in its HELLO (null: none). Reader thread, then under the lock. */
    String askedName;
    /** The peers this child was told are connected (WELCOME, PEER frames): a RESYNC after lagging sends the difference. Under the lock. */
    final java.util.Map<Integer, Peer> told = new java.util.LinkedHashMap<>();
    final FrameReader frames;
    final Outbox outbox;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    int childId;
    /** The child as the origin of its writes (set at admission). */
    Peer peer;
    /**
     * Set when the child stopped taking its queue while it was over the soft limit: it is fed
     * nothing more until it has read all that was queued, then re-synced with a snapshot (see
     * {@link Hub#throttle}). Written under the replica's lock.
     */
    volatile boolean lagging;
    /**
     * The child's ops applied or refused since it started lagging: the RESYNC settles them (ops
     * skipped after a lost compute are not among them: they are sent again). Under the lock.
     */
    int settledWhileLagging;
    /**
     * Set from a LOST until the child's RETRY: one of its compute-family writes found its key
     * changed, and its ops after that one are skipped (not applied, relayed or acknowledged), so
     * that the child's writes still land in the order it made them once it sends them again
     * after the re-run. Reader thread, under the lock.
     */
    boolean skipping;
    /** The child's op lost while it lagged: the LOST follows its RESYNC. Under the lock. */
    boolean lostWhileLagging;
    /** Ops skipped so far (for tests and reports). Under the lock. */
    long skipped;
    /** SYNC tokens owed to the child since it started lagging, sent after its RESYNC. Under the lock. */
    final List<Long> deferredSyncs = new ArrayList<>();
    /** How many times it was re-synced (for tests and reports). Under the lock. */
    int resyncs;
    /** OP frames read from the child and settled here, skipped ones included (for tests: the parent has decided them). */
    volatile long opFrames;
    private volatile boolean admitted;
    private boolean removed;
    /** Set when the child sent ERROR: it has dropped the link itself and needs no ERROR back. Reader thread only. */
    private boolean childReported;

    ChildLink(Hub hub, Connection connection, Process process, String name, Gate gate) {
        this.hub = hub;
        this.process = process;
        this.name = name;
        this.connection = connection;
        this.gate = gate;
        boolean pipes = connection.kind == Connection.Kind.PIPES || connection.kind == Connection.Kind.STDIO;
        this.frames = new FrameReader(connection.in, name, hub.maxFrameBytes, pipes);
        this.outbox = new Outbox(connection.out, name, Hub.SOFT_LIMIT, Hub.HARD_LIMIT, e -> hub.lost(this, e), e -> hub.outputGone(this));
    }

    boolean readOnly() {
        return access == Access.READ_ONLY;
    }

    void start() {
        outbox.start("ipos-writer-" + name);
        Thread reader = new Thread(this, "ipos-reader-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    boolean admitted() {
        return admitted;
    }

    /** Under the replica's lock, when the hub takes the child in. */
    void markAdmitted() {
        admitted = true;
    }

    boolean isRemoved() {
        return removed;
    }

    /** Under the replica's lock. @return false if it was removed already */
    boolean markRemoved() {
        if (removed) {
            return false;
        }
        removed = true;
        admitted = false;
        return true;
    }

    IposException corrupt(String frame, long offset, Throwable cause) {
        String what = cause == null ? "unexpected or malformed " + frame + " frame"
                : cause instanceof StackOverflowError ? frame + " frame nested too deeply" : cause.getMessage();
        return new IposException(name + ": " + what + " (frame at stream offset " + offset
                + "); dropped the link, the other processes carry on", cause);
    }

    /**
     * The error for an ERROR frame from the child: it reports once and the link is dropped (the
     * child sends ERROR only when it gives up the link), so a child can't flood the handler.
     */
    IposException reported(String text) {
        childReported = true;
        return new IposException(name + " reported: " + text + " (dropped its link, the other processes carry on)");
    }

    @Override
    public void run() {
        try {
            handshake();
            ValueReader reader = hub.format.newReader();
            List<Runnable> after = new ArrayList<>();
            while (frames.next()) {
                try {
                    hub.receive(this, reader, after);
                } finally {
                    // also when the batch ended in an error: what it completed before is still done
                    if (!after.isEmpty()) {
                        after.forEach(Runnable::run);
                        after.clear();
                    }
                }
                if (!admitted) {
                    return; // removed: the child sees its stdin end and leaves
                }
            }
            hub.lost(this, admitted ? null : new IposException(name + " ended before the ipos handshake" + exitInfo()));
        } catch (IposException e) {
            drop(e);
        } catch (IOException e) {
            hub.lost(this, admitted ? null : new IposException(name + ": reading failed: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            drop(new IposException(name + ": internal error while reading: " + e, e));
        } finally {
            frames.close();
        }
    }

    /**
     * Drops the link for {@code why}, first telling the child in an ERROR frame (after everything
     * queued for it), so that its own error says the parent dropped it and why rather than only
     * that its stdin ended.
     */
    private void drop(IposException why) {
        if (admitted && !childReported) {
            outbox.frame(FrameDescriptor.ERROR, FrameDescriptor.utf8(why.getMessage(), FrameDescriptor.MAX_REASON_BYTES));
        }
        hub.lost(this, why);
    }

    private void handshake() throws IOException {
        boolean socket = connection.kind == Connection.Kind.UNIX || connection.kind == Connection.Kind.TCP;
        if (socket) {
            frames.expectMagic(); // a socket carries no banner: anything else is not an ipos peer
        } else if (!frames.skipToMagic(System.err, "[" + name + " stdout] ")) {
            throw new IposException(ChildExit.beforeHandshake(name, process));
        }
        frames.maxFrameBytes(FrameDescriptor.MAX_HELLO_BYTES + 1); // nothing big is read before the secret is checked
        if (!frames.next()) {
            throw new IposException(name + " ended inside the ipos handshake" + exitInfo());
        }
        frames.maxFrameBytes(hub.maxFrameBytes);
        if (frames.type() != FrameDescriptor.HELLO || frames.bodyLength() < 2) {
            throw corrupt(FrameDescriptor.typeName(frames.type()) + " (expected HELLO)", frames.frameOffset(), null);
        }
        int version = FrameDescriptor.getShort(frames.buffer(), frames.bodyOffset());
        if (version != FrameDescriptor.VERSION) {
            String message = "protocol version mismatch: the parent speaks ipos protocol " + FrameDescriptor.VERSION
                    + ", " + name + " speaks " + version + "; use the same ipos version in both";
            outbox.raw(FrameDescriptor.MAGIC);
            outbox.frame(FrameDescriptor.ERROR, message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            throw new IposException(message);
        }
        byte[] b = frames.buffer();
        int off = frames.bodyOffset();
        int len = frames.bodyLength();
        int nameLength = len >= 11 ? b[off + 10] & 0xFF : -1;
        int secretAt = off + 11 + nameLength;
        int secretLength = nameLength >= 0 && 11 + nameLength < len ? b[secretAt] & 0xFF : -1;
        if (secretLength < 0 || 12 + nameLength + secretLength != len) {
            throw corrupt("HELLO", frames.frameOffset(), null);
        }
        String asked = new String(b, off + 11, nameLength, java.nio.charset.StandardCharsets.UTF_8);
        Access granted = gate.admit(secretLength == 0 ? null : Arrays.copyOfRange(b, secretAt + 1, secretAt + 1 + secretLength));
        if (granted == null) {
            throw refuse(secretLength == 0 ? "it presented no secret: join with the whole address the parent's address() returns"
                    : "its secret is wrong: join with the address the parent's address() returns now (a new parent has a new secret)");
        }
        access = granted;
        askedName = nameLength == 0 ? null : asked;
        hub.admit(this);
    }

    /** Says why to the process (the magic and an ERROR frame, nothing of the state) and drops it. */
    IposException refuse(String why) {
        String message = "the parent refused " + name + ": " + why;
        outbox.raw(FrameDescriptor.MAGIC);
        outbox.frame(FrameDescriptor.ERROR, FrameDescriptor.utf8(message, FrameDescriptor.MAX_REASON_BYTES));
        childReported = true; // told already: drop() sends nothing more
        return new IposException(message);
    }

    /** Why a spawned child never connected to its socket: it ended first, or the time passed. */
    static String notConnected(Process child, java.time.Duration timeout) {
        if (!child.isAlive()) {
            return ChildExit.explain("child pid " + child.pid(), child.exitValue());
        }
        return "child pid " + child.pid() + " did not connect within " + timeout.toMillis()
                + " ms and was destroyed: does its main call IPOS.connect() early?";
    }

    private String exitInfo() {
        if (process == null) {
            return "";
        }
        try {
            if (process.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return " (exit code " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }
}
