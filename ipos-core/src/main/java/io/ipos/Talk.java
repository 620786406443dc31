package io.ipos;

import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireFormat;

import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An instance's messages and calls: what its {@link Messages}, {@link OutgoingCalls} and
 * {@link IncomingCalls} send leaves through its {@link Uplink}, and the frames that arrive for
 * them come in here, on a link's reader thread under the replica's lock, after every op that came
 * before them in the stream. Nothing here goes through the replica: messages and calls are not
 * writes.
 */
final class Talk {
    final Replica replica;
    final Membership membership;
    final WireFormat format;
    final int maxFrameBytes;
    final Uplink uplink;
    final Messages messages;
    /** The calls this process makes. */
    final OutgoingCalls outgoing;
    /** What this process exposes, and the calls it runs. */
    final IncomingCalls incoming;
    /**
     * Runs implementations, and completes asynchronous callers' futures: daemon threads, one per
     * call in progress, never a link or the event thread.
     */
    final ExecutorService executor;
    /** Encodes what this process sends; under the replica's lock. */
    private ValueWriter writer;

    Talk(Replica replica, Membership membership, WireFormat format, int maxFrameBytes, Uplink uplink, Duration callTimeout) {
        this.replica = replica;
        this.membership = membership;
        this.format = format;
        this.maxFrameBytes = maxFrameBytes;
        this.uplink = uplink;
        this.messages = new Messages(this);
        this.outgoing = new OutgoingCalls(this, callTimeout);
        this.incoming = new IncomingCalls(this, callTimeout);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ipos-call-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    int selfId() {
        return replica.self.id();
    }

    /** {@code c}, or its box if it is a primitive type ({@code Void} for {@code void}). */
    static Class<?> boxed(Class<?> c) {
        return MethodType.methodType(c).wrap().returnType();
    }

    /** The writer for one frame body, reset. Under the replica's lock. */
    ValueWriter writer() {
        if (writer == null || writer.size() > Hub.KEEP_WRITER_BYTES) {
            writer = format.newWriter();
        }
        writer.reset();
        return writer;
    }

    /**
     * A frame that arrived for this process, its peer field (the origin) taken off: a MSG, CALL,
     * RESULT or CANCEL with {@code off} at what follows the peer field; an EXPOSED whole. Under the
     * replica's lock, on a reader thread.
     */
    void receive(int type, int from, byte[] b, int off, int len, ValueReader r) {
        switch (type) {
            case FrameDescriptor.MSG -> messages.receive(from, b, off, len, r);
            case FrameDescriptor.CALL -> incoming.receiveCall(from, b, off, len, r);
            case FrameDescriptor.RESULT -> outgoing.receiveResult(b, off, len, r);
            case FrameDescriptor.CANCEL -> incoming.receiveCancel(from, b, off, len);
            case FrameDescriptor.EXPOSED -> incoming.receiveExposed(b, off, len);
            default -> throw new IllegalStateException("not a frame for Talk: " + FrameDescriptor.typeName(type));
        }
    }

    /**
     * In a child: a frame from the parent, peer field included.
     *
     * @throws IposException if it is too short to be one the parent sends (the link can't be trusted)
     */
    void receiveFromParent(int type, byte[] b, int off, int len, ValueReader r) {
        if (type == FrameDescriptor.EXPOSED) {
            if (len < 5) {
                throw new IposException("malformed EXPOSED from the parent (" + len + " bytes)");
            }
            receive(type, 0, b, off, len, r);
            return;
        }
        int least = type == FrameDescriptor.MSG ? 5 : type == FrameDescriptor.CANCEL ? 12 : 13;
        if (len < least) {
            throw new IposException("malformed " + FrameDescriptor.typeName(type) + " from the parent (" + len + " bytes)");
        }
        receive(type, FrameDescriptor.getInt(b, off), b, off + 4, len - 4, r);
    }

    /** The link to the parent is gone (or closed): calls and exposes waiting for it fail at once. */
    void disconnected(IposException why) {
        String because = why == null ? "the link to the parent closed" : why.getMessage();
        replica.acquire();
        try {
            outgoing.linkLost(because);
            incoming.linkLost(because);
        } finally {
            replica.release();
        }
    }

    /** The instance closes: calls waiting fail, calls running here are cancelled, the call threads end. */
    void close() {
        replica.acquire();
        try {
            outgoing.close();
            incoming.close();
        } finally {
            replica.release();
        }
        executor.shutdown();
    }

    /**
     * @throws IllegalArgumentException if a frame body of {@code size} bytes is over the link's
     *     frame limit: {@code what} ("this message", "this call") says what was not sent
     */
    void checkFits(int size, String what) {
        if (size + 1 > maxFrameBytes) {
            throw new IllegalArgumentException(what + " takes " + (size + 1) + " bytes on the wire, above maxFrameBytes="
                    + maxFrameBytes + ": send a smaller value, or raise the limit in the parent with "
                    + "IPOS.options().maxFrameBytes(n) or -Dipos.maxFrameBytes; nothing was sent");
        }
    }

    /**
     * A topic or an exposed name as UTF-8, checked.
     *
     * @throws IllegalArgumentException if it is empty, longer than 255 UTF-8 bytes or holds a lone surrogate
     */
    static byte[] name(String name, String what) {
        java.util.Objects.requireNonNull(name, what);
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (name.isEmpty() || b.length > FrameDescriptor.MAX_NAME_BYTES || !name.equals(new String(b, StandardCharsets.UTF_8))) {
            throw new IllegalArgumentException(what + "='" + name + "' must be 1 to " + FrameDescriptor.MAX_NAME_BYTES
                    + " UTF-8 bytes without lone surrogates (it is " + b.length + ")");
        }
        return b;
    }

    /**
     * @throws IllegalStateException if the calling thread holds the instance's lock (inside
     *     {@code atomic()} or a function passed to {@code compute}...): a message or call made there
     *     would travel before the writes of the unit around it, and a blocking call would wait for
     *     a reader that needs the lock
     */
    void checkNotUnderLock(String what) {
        if (replica.lock.isHeldByCurrentThread()) {
            throw new IllegalStateException(what + " can't be made inside atomic() or a function passed to compute, merge, "
                    + "removeIf... (they run under the instance's lock, and an atomic unit's writes travel when it ends): "
                    + "make it after the block");
        }
    }

    /** The peer with {@code id}, for handlers and messages. */
    Peer peer(int id) {
        return id == replica.self.id() ? membership.self() : membership.byId(id);
    }
}
