package io.ipos;

import io.ipos.serialization.UnresolvedValue;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The calls this process makes through its proxies ({@code IPOS.proxy}). A call travels as a CALL
 * frame on the link that carries the writes, through the parent, which knows who exposes each
 * name ({@link Router}), to the exposing process ({@link IncomingCalls}), which answers with a
 * RESULT. A call to a name this process exposes itself runs here, with the same copies of its
 * arguments and result, and no frame.
 *
 * <p>Threads. A RESULT is taken on a link's reader thread: a blocking caller's internal future is
 * completed there (only the calling thread waits on it), an asynchronous caller's future on the
 * instance's call executor, so the caller's own stages never run on a link thread. A blocking
 * call made in a listener (on the event thread) or in an implementation (on the executor)
 * therefore waits for nothing it holds.
 *
 * <p>{@link #pending} is under the replica's lock, so that a CALL is sent in the stream's order
 * after the caller's writes, and a RESULT's arrival and a caller's cancellation can't race.
 */
final class OutgoingCalls {
    private final Talk talk;
    private final Duration timeout;
    /** This process's calls waiting for their outcome, by call id. Under the lock. */
    private final HashMap<Long, Pending> pending = new HashMap<>();
    private long nextCallId = 1;
    private boolean closed;

    OutgoingCalls(Talk talk, Duration timeout) {
        this.talk = talk;
        this.timeout = timeout;
    }

    /** One call of this process's, until its outcome. */
    private final class Pending {
        final String what;
        final CallProxy.Signature signature;
        final boolean local;
        long id;
        /** A blocking call's outcome: only the calling thread waits on it. */
        final CompletableFuture<CallOutcome> done = new CompletableFuture<>();
        /** An asynchronous call's future, the caller's: completed on the executor. */
        final CompletableFuture<Object> user;

        Pending(String what, CallProxy.Signature signature, boolean local) {
            this.what = what;
            this.signature = signature;
            this.local = local;
            this.user = signature.async() ? new CompletableFuture<>() : null;
        }

        /** Never runs the caller's code on this thread. */
        void finish(CallOutcome o) {
            CallOutcome checked = o.ok() ? checkResult(o.value()) : o;
            if (user == null) {
                done.complete(checked);
                return;
            }
            Runnable complete = () -> {
                if (checked.ok()) {
                    user.complete(checked.value());
                } else {
                    user.completeExceptionally(checked.error(what, new StackTraceElement[0]));
                }
            };
            try {
                talk.executor.execute(complete);
            } catch (RejectedExecutionException closing) {
                complete.run();
            }
        }

        private CallOutcome checkResult(Object value) {
            Object v = value;
            if (v instanceof UnresolvedValue u) {
                try {
                    v = u.resolve();
                } catch (IllegalStateException e) {
                    return CallOutcome.failure(what + " returned a value this process can't read: " + e.getMessage());
                }
            }
            if (v == null ? signature.primitiveResult() : !signature.result().isInstance(v)) {
                return CallOutcome.failure(what + " returned " + (v == null ? "null" : "a " + v.getClass().getName())
                        + ", not the " + signature.result().getName() + " its method declares");
            }
            return CallOutcome.returned(v);
        }
    }

    /** A proxy method was called: sends the call (or runs it here) and waits or returns the future. */
    Object call(String name, Class<?> api, CallProxy.Signature s, Object[] args) {
        talk.checkNotUnderLock("a call through a proxy");
        Pending p = start(name, api, s, args);
        if (s.async()) {
            p.user.whenComplete((v, failure) -> abandon(p)); // cancelled, or timed out by the caller: tell the callee
            return p.user;
        }
        CallOutcome o;
        try {
            o = p.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandon(p);
            throw new IposException(p.what + " did not answer within " + timeout.toMillis() + " ms (the call timeout: "
                    + "IPOS.options().callTimeout(...)); the call was cancelled there");
        } catch (InterruptedException e) {
            abandon(p);
            Thread.currentThread().interrupt();
            throw new IposException("interrupted while waiting for " + p.what + "; the call was cancelled there");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // done is only ever completed normally
        }
        if (!o.ok()) {
            throw o.error(p.what, callerFrames());
        }
        return o.value();
    }

    /** The caller's stack without the frames of ipos and of the proxy class. */
    private static StackTraceElement[] callerFrames() {
        StackTraceElement[] all = new Throwable().getStackTrace();
        int i = 0;
        while (i < all.length && (isClassOrNested(all[i], OutgoingCalls.class) || isClassOrNested(all[i], CallProxy.class)
                || all[i].getClassName().contains("$Proxy"))) {
            i++;
        }
        return Arrays.copyOfRange(all, i, all.length);
    }

    /** Whether {@code f} runs in {@code c} or a class nested in it (a caller's class that merely starts with its name does not). */
    private static boolean isClassOrNested(StackTraceElement f, Class<?> c) {
        String n = f.getClassName();
        return n.equals(c.getName()) || n.startsWith(c.getName() + "$");
    }

    private Pending start(String name, Class<?> api, CallProxy.Signature s, Object[] args) {
        Exposed here = talk.incoming.exposedHere(name);
        Pending p = new Pending("'" + name + "'." + s.method(), s, here != null);
        Replica replica = talk.replica;
        replica.acquire();
        try {
            if (closed) {
                p.finish(CallOutcome.failure("this IPOS instance is closed: " + p.what + " can't be called"));
                return p;
            }
            p.id = nextCallId++;
            if (here != null) {
                Object[] copies = new Object[args.length];
                for (int i = 0; i < args.length; i++) {
                    copies[i] = replica.values.freeze(args[i]); // what a callee elsewhere would get: plain copies
                }
                Method m;
                try {
                    m = here.resolve(api.getName(), s.method(), s.types(), copies);
                } catch (Exposed.Refused refused) {
                    p.finish(CallOutcome.failure("refused " + p.what + ": " + refused.getMessage()));
                    return p;
                }
                pending.put(p.id, p);
                talk.incoming.run(new CallKey(talk.selfId(), p.id), here, m, copies);
                return p;
            }
            byte[] body = callBody(name, api, s, args, p.id);
            pending.put(p.id, p);
            if (!talk.uplink.send(FrameDescriptor.CALL, body) && pending.remove(p.id) != null) {
                p.finish(CallOutcome.failure("not connected to the parent: " + p.what + " can't be called"));
            }
            return p;
        } finally {
            replica.release();
        }
    }

    /** A CALL body (see {@link FrameDescriptor}). Under the lock. */
    private byte[] callBody(String name, Class<?> api, CallProxy.Signature s, Object[] args, long id) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ValueWriter w = talk.writer();
        w.writeArrayHeader(4);
        w.writeString(api.getName());
        w.writeString(s.method());
        w.writeArrayHeader(s.types().size());
        for (String t : s.types()) {
            w.writeString(t);
        }
        w.writeArrayHeader(args.length);
        for (Object a : args) {
            talk.replica.values.write(w, a);
        }
        byte[] body = new byte[13 + n.length + w.size()];
        talk.checkFits(body.length, "this call (its arguments)");
        FrameDescriptor.putInt(body, 0, FrameDescriptor.ALL_PEERS);
        FrameDescriptor.putLong(body, 4, id);
        body[12] = (byte) n.length;
        System.arraycopy(n, 0, body, 13, n.length);
        w.copyTo(body, 13 + n.length);
        return body;
    }

    /** The caller gave up on {@code p} (cancelled, timed out): if it is still waiting, the callee is told to stop. */
    private void abandon(Pending p) {
        Replica replica = talk.replica;
        replica.acquire();
        try {
            if (pending.get(p.id) != p) {
                return;
            }
            pending.remove(p.id);
            if (p.local) {
                talk.incoming.cancel(new CallKey(talk.selfId(), p.id));
            } else {
                byte[] body = new byte[12];
                FrameDescriptor.putInt(body, 0, FrameDescriptor.ALL_PEERS);
                FrameDescriptor.putLong(body, 4, p.id);
                talk.uplink.send(FrameDescriptor.CANCEL, body);
            }
        } finally {
            replica.release();
        }
    }

    /**
     * A call of this process's to a name it exposes came to {@code o}: a value is copied as it
     * would be after a trip over a link. Under the lock.
     */
    void answeredHere(long id, CallOutcome o) {
        Pending p = pending.remove(id);
        if (p == null) {
            return; // cancelled or timed out meanwhile
        }
        if (o.ok()) {
            try {
                o = CallOutcome.returned(talk.replica.values.freeze(o.value()));
            } catch (IllegalArgumentException e) {
                o = CallOutcome.failure("the result of " + p.what + " can't be shared: " + e.getMessage());
            }
        }
        p.finish(o);
    }

    /** A RESULT for one of this process's calls: {@code off} at its call id. Under the lock, on a reader thread. */
    void receiveResult(byte[] b, int off, int len, ValueReader r) {
        long id = FrameDescriptor.getLong(b, off);
        Pending p = pending.remove(id);
        if (p == null) {
            return; // cancelled or timed out meanwhile
        }
        int status = b[off + 8];
        CallOutcome o;
        try {
            if (status == FrameDescriptor.RESULT_FAILED) {
                o = CallOutcome.failure(FrameReader.peerText(b, off + 9, len - 9));
            } else {
                r.reset(b, off + 9, len - 9);
                if (status == FrameDescriptor.RESULT_RETURNED) {
                    o = CallOutcome.returned(talk.replica.values.read(r));
                } else if (status == FrameDescriptor.RESULT_THREW) {
                    o = CallOutcome.threw(RemoteFailure.read(r));
                } else {
                    throw new IllegalArgumentException("unknown status " + status);
                }
                if (r.hasNext()) {
                    throw new IllegalArgumentException("bytes after the value");
                }
            }
        } catch (WireException | IllegalArgumentException | StackOverflowError e) {
            o = CallOutcome.failure("the answer to " + p.what + " does not decode here (" + OpCodec.whyUndecodable(e) + ")");
        }
        p.finish(o);
    }

    /** The link to the parent is gone: every call waiting for another process fails now. Under the lock. */
    void linkLost(String because) {
        for (Pending p : List.copyOf(pending.values())) {
            if (!p.local) {
                pending.remove(p.id);
                p.finish(CallOutcome.failure(p.what + " failed: this process lost its parent before the answer came ("
                        + because + ")"));
            }
        }
    }

    /** The instance closes: every call waiting fails, and later ones fail at once. Under the lock. */
    void close() {
        closed = true;
        for (Pending p : List.copyOf(pending.values())) {
            p.finish(CallOutcome.failure(p.what + " failed: this IPOS instance was closed before the answer came"));
        }
        pending.clear();
    }
}
