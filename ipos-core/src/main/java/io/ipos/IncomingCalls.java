package io.ipos;

import io.ipos.serialization.UnresolvedValue;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;
import io.ipos.serialization.WireFormat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What this process exposes ({@code IPOS.expose}) and the calls it runs for callers: a CALL
 * arrives on a link's reader thread, in its place in the stream (after every write its caller
 * made before it), is decoded and checked against the exposed interface ({@link Exposed}), and
 * runs on the instance's call executor (daemon threads, one per call in progress), never on a
 * link or the event thread, so a slow call delays neither replication nor other calls. Its
 * outcome goes back as a RESULT; a CANCEL interrupts it.
 *
 * <p>{@link #running} and {@link #exposing} are under the replica's lock, so that a RESULT is sent
 * in the stream's order after the implementation's writes, and a result and a cancel can't race.
 */
final class IncomingCalls {
    private final Talk talk;
    private final Duration timeout;
    /** What this process exposes, by name (read by callers here without the lock, written under it). */
    private final ConcurrentHashMap<String, Exposed> exposed = new ConcurrentHashMap<>();
    /** EXPOSE requests waiting for the parent's EXPOSED. Under the lock. */
    private final HashMap<Integer, Exposing> exposing = new HashMap<>();
    private int nextRequest = 1;
    /** Calls running here, for this or another process. Under the lock. */
    private final HashMap<CallKey, Running> running = new HashMap<>();
    private boolean closed;

    private static final class Exposing {
        final Exposed exposed;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** The caller gave up waiting: if the parent says yes after all, the name is given back. */
        boolean abandoned;

        Exposing(Exposed exposed) {
            this.exposed = exposed;
        }
    }

    IncomingCalls(Talk talk, Duration timeout) {
        this.talk = talk;
        this.timeout = timeout;
    }

    /** What this process exposes under {@code name}, if anything. */
    Exposed exposedHere(String name) {
        return exposed.get(name);
    }

    // ---------------------------------------------------------------- exposing a name

    <T> Subscription expose(String name, Class<T> api, T implementation) {
        byte[] n = Talk.name(name, "name");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(implementation, "implementation");
        if (!api.isInterface()) {
            throw new IllegalArgumentException(api.getName() + " is not an interface: expose an interface's implementation");
        }
        if (!api.isInstance(implementation)) {
            throw new IllegalArgumentException(implementation.getClass().getName() + " does not implement " + api.getName());
        }
        talk.checkNotUnderLock("expose");
        Exposing x = new Exposing(new Exposed(name, api, implementation));
        Replica replica = talk.replica;
        replica.acquire();
        try {
            if (closed) {
                throw new IposException("this IPOS instance is closed: '" + name + "' can't be exposed");
            }
            if (exposed.containsKey(name)) {
                throw new IposException("the name '" + name + "' is taken: this process (" + talk.membership.self()
                        + ") exposes it already; close that subscription first");
            }
            int request = nextRequest++;
            byte[] i = api.getName().getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[5 + n.length + i.length];
            FrameDescriptor.putInt(body, 0, request);
            body[4] = (byte) n.length;
            System.arraycopy(n, 0, body, 5, n.length);
            System.arraycopy(i, 0, body, 5 + n.length, i.length);
            exposing.put(request, x);
            if (!talk.uplink.send(FrameDescriptor.EXPOSE, body)) {
                exposing.remove(request);
                throw new IposException("not connected to the parent: '" + name + "' can't be exposed");
            }
        } finally {
            replica.release();
        }
        try {
            x.done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException stop) {
            replica.acquire();
            try {
                x.abandoned = true;
            } finally {
                replica.release();
            }
            if (stop instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IposException("the parent did not answer within " + timeout.toMillis() + " ms whether '" + name
                    + "' may be exposed");
        } catch (ExecutionException refused) {
            throw new IposException(refused.getCause().getMessage(), refused.getCause());
        }
        return new Unexpose(x.exposed, n);
    }

    /** The parent's EXPOSED: the name is this process's now, or it was refused. Under the lock. */
    void receiveExposed(byte[] b, int off, int len) {
        Exposing x = exposing.remove(FrameDescriptor.getInt(b, off));
        if (x == null) {
            return;
        }
        boolean ok = b[off + 4] == 0;
        if (x.abandoned) {
            if (ok) {
                talk.uplink.send(FrameDescriptor.UNEXPOSE, x.exposed.name.getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        if (ok) {
            exposed.put(x.exposed.name, x.exposed); // before any call to it can arrive: they come after this frame
            x.done.complete(null);
        } else {
            x.done.completeExceptionally(new IposException(new String(b, off + 5, len - 5, StandardCharsets.UTF_8)));
        }
    }

    /** {@code expose}'s subscription: closing it gives the name back. */
    private final class Unexpose implements Subscription {
        private final Exposed e;
        private final byte[] name;
        private boolean done;

        Unexpose(Exposed e, byte[] name) {
            this.e = e;
            this.name = name;
        }

        @Override
        public void close() {
            Replica replica = talk.replica;
            replica.acquire();
            try {
                if (done) {
                    return;
                }
                done = true;
                if (exposed.remove(e.name, e)) {
                    talk.uplink.send(FrameDescriptor.UNEXPOSE, name);
                }
            } finally {
                replica.release();
            }
        }
    }

    // ---------------------------------------------------------------- running calls

    /** A CALL from peer {@code from}: {@code off} at its call id. Under the lock, on a reader thread. */
    void receiveCall(int from, byte[] b, int off, int len, ValueReader r) {
        long id = FrameDescriptor.getLong(b, off);
        int n = b[off + 8] & 0xFF;
        if (9 + n > len) {
            refuse(from, id, "?", "the call is malformed");
            return;
        }
        String name = new String(b, off + 9, n, StandardCharsets.UTF_8);
        Exposed e = exposed.get(name);
        if (e == null) {
            reply(from, id, CallOutcome.failure("'" + name + "' is not exposed by " + talk.membership.self() + " (any more)"));
            return;
        }
        String interfaceName;
        String method;
        List<String> types = new ArrayList<>();
        Object[] args;
        int rest = len - 9 - n;
        try {
            r.reset(b, off + 9 + n, rest);
            if (r.readArrayHeader() != 4) {
                throw new IllegalArgumentException("not [interface, method, parameter types, arguments]");
            }
            interfaceName = r.readString();
            method = r.readString();
            int typeCount = r.readArrayHeader();
            if (typeCount < 0 || typeCount > rest) {
                throw new IllegalArgumentException("parameter count " + typeCount);
            }
            for (int i = 0; i < typeCount; i++) {
                types.add(r.readString());
            }
            int count = r.readArrayHeader();
            if (count < 0 || count > rest) {
                throw new IllegalArgumentException("argument count " + count);
            }
            args = new Object[count];
            for (int i = 0; i < count; i++) {
                Object a = talk.replica.values.read(r);
                args[i] = a instanceof UnresolvedValue u ? resolve(u) : a;
            }
            if (r.hasNext()) {
                throw new IllegalArgumentException("bytes after the call");
            }
        } catch (WireException | IllegalArgumentException | StackOverflowError x) {
            refuse(from, id, name, "it does not decode (" + OpCodec.whyUndecodable(x) + ")");
            return;
        }
        Method m;
        try {
            m = e.resolve(interfaceName, method, types, args);
        } catch (Exposed.Refused x) {
            refuse(from, id, name, x.getMessage());
            return;
        }
        CallKey key = new CallKey(from, id);
        if (running.containsKey(key)) {
            refuse(from, id, name, "its call id " + id + " is in use");
            return;
        }
        run(key, e, m, args);
    }

    /** An argument of a registered class, resolved if it is registered here (else the call is refused). */
    private static Object resolve(UnresolvedValue u) {
        try {
            return u.resolve();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Answers a call that must not run with a failure, and tells this process's error handler. Under the lock. */
    private void refuse(int from, long id, String name, String why) {
        Peer caller = talk.peer(from);
        String what = "refused a call from " + caller.name() + " (id " + caller.id() + ") to '" + name + "': " + why;
        reply(from, id, CallOutcome.failure(what + "; nothing ran"));
        talk.replica.feed.report(new IposException(what + "; nothing ran, the link stays up"));
    }

    /** The caller of call {@code id} gave up (it cancelled, timed out or left). Under the lock, on a reader thread. */
    void receiveCancel(int from, byte[] b, int off, int len) {
        cancel(new CallKey(from, FrameDescriptor.getLong(b, off)));
    }

    /** Stops the call {@code key} if it runs here: nobody waits for its outcome any more. Under the lock. */
    void cancel(CallKey key) {
        Running r = running.remove(key);
        if (r != null) {
            r.cancel();
        }
    }

    /** Runs a checked call on the executor. Under the lock. */
    void run(CallKey key, Exposed e, Method m, Object[] args) {
        Running run = new Running(key, e, m, args);
        running.put(key, run);
        try {
            talk.executor.execute(run);
        } catch (RejectedExecutionException closing) {
            running.remove(key);
            reply(key.caller(), key.id(), CallOutcome.failure("'" + e.name + "' is closing in " + talk.membership.self()));
        }
    }

    /** Sends an outcome to its caller (or hands it to this process's own call). Under the lock. */
    private void reply(int caller, long id, CallOutcome o) {
        if (caller == talk.selfId()) {
            talk.outgoing.answeredHere(id, o);
            return;
        }
        byte[] body = resultBody(caller, id, o);
        if (body.length + 1 > talk.maxFrameBytes) {
            body = resultBody(caller, id, CallOutcome.failure("the result takes " + (body.length + 1)
                    + " bytes on the wire, above maxFrameBytes=" + talk.maxFrameBytes));
        }
        talk.uplink.send(FrameDescriptor.RESULT, body);
    }

    /** A RESULT body for a value or a failure (see {@link FrameDescriptor}). Under the lock. */
    private byte[] resultBody(int caller, long id, CallOutcome o) {
        byte[] head = new byte[13];
        FrameDescriptor.putInt(head, 0, caller);
        FrameDescriptor.putLong(head, 4, id);
        if (o.failed() != null) {
            head[12] = FrameDescriptor.RESULT_FAILED;
            byte[] text = FrameDescriptor.utf8(o.failed(), FrameDescriptor.MAX_REASON_BYTES);
            byte[] body = Arrays.copyOf(head, 13 + text.length);
            System.arraycopy(text, 0, body, 13, text.length);
            return body;
        }
        ValueWriter w = talk.writer();
        try {
            talk.replica.values.write(w, o.value());
            head[12] = FrameDescriptor.RESULT_RETURNED;
        } catch (IllegalArgumentException e) {
            return resultBody(caller, id, CallOutcome.failure("the result can't be shared: " + e.getMessage()));
        }
        byte[] body = Arrays.copyOf(head, 13 + w.size());
        w.copyTo(body, 13);
        return body;
    }

    /** A RESULT body for an exception {@code t} the implementation threw. Under the lock. */
    private byte[] threwBody(int caller, long id, Throwable t) {
        ValueWriter w = talk.writer();
        RemoteFailure.write(w, t);
        byte[] body = new byte[13 + w.size()];
        FrameDescriptor.putInt(body, 0, caller);
        FrameDescriptor.putLong(body, 4, id);
        body[12] = FrameDescriptor.RESULT_THREW;
        w.copyTo(body, 13);
        return body;
    }

    /** What {@code t} looks like to a caller in this process: the same as it would after a trip over a link. */
    private static RemoteFailure failureOf(Throwable t) {
        ValueWriter w = WireFormat.msgpack().newWriter();
        RemoteFailure.write(w, t);
        ValueReader r = WireFormat.msgpack().newReader();
        byte[] bytes = w.toByteArray();
        r.reset(bytes, 0, bytes.length);
        return RemoteFailure.read(r);
    }

    /** One call running here, on the executor. */
    private final class Running implements Runnable {
        final CallKey key;
        final Exposed exposed;
        final Method method;
        final Object[] args;
        private Thread thread;
        private CompletableFuture<?> stage;
        private boolean cancelled;

        Running(CallKey key, Exposed exposed, Method method, Object[] args) {
            this.key = key;
            this.exposed = exposed;
            this.method = method;
            this.args = args;
        }

        @Override
        public void run() {
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                thread = Thread.currentThread();
            }
            Object value;
            Throwable threw = null;
            try {
                value = method.invoke(exposed.implementation, args);
            } catch (InvocationTargetException e) {
                value = null;
                threw = e.getCause();
            } catch (IllegalAccessException | RuntimeException e) {
                value = null;
                threw = e;
            } finally {
                synchronized (this) {
                    thread = null;
                }
                Thread.interrupted(); // a cancel's interrupt stays with this call
            }
            if (threw == null && value instanceof CompletionStage<?> cs
                    && CompletionStage.class.isAssignableFrom(method.getReturnType())) {
                CompletableFuture<?> f = cs.toCompletableFuture();
                synchronized (this) {
                    stage = f;
                    if (cancelled) {
                        f.cancel(true);
                        return;
                    }
                }
                f.whenComplete((v, t) -> finish(v, t instanceof CompletionException && t.getCause() != null ? t.getCause() : t));
                return;
            }
            finish(value, threw);
        }

        synchronized void cancel() {
            cancelled = true;
            if (thread != null) {
                thread.interrupt();
            }
            if (stage != null) {
                stage.cancel(true);
            }
        }

        private void finish(Object value, Throwable threw) {
            Replica replica = talk.replica;
            replica.acquire();
            try {
                if (running.get(key) != this) {
                    return; // cancelled: nobody waits for it
                }
                running.remove(key);
                if (threw == null) {
                    reply(key.caller(), key.id(), CallOutcome.returned(value));
                } else if (key.caller() == talk.selfId()) {
                    talk.outgoing.answeredHere(key.id(), CallOutcome.threw(failureOf(threw)));
                } else {
                    talk.uplink.send(FrameDescriptor.RESULT, threwBody(key.caller(), key.id(), threw));
                }
            } finally {
                replica.release();
            }
        }
    }

    // ---------------------------------------------------------------- the link and the instance end

    /** The link to the parent is gone: every expose waiting fails, calls for other processes stop. Under the lock. */
    void linkLost(String because) {
        for (Exposing x : exposing.values()) {
            x.done.completeExceptionally(new IposException("this process lost its parent before it answered whether '"
                    + x.exposed.name + "' may be exposed (" + because + ")"));
        }
        exposing.clear();
        for (Map.Entry<CallKey, Running> e : List.copyOf(running.entrySet())) {
            if (e.getKey().caller() != talk.selfId()) {
                running.remove(e.getKey());
                e.getValue().cancel(); // its caller can't hear the answer
            }
        }
    }

    /** The instance closes: calls running here are cancelled and nothing is exposed any more. Under the lock. */
    void close() {
        closed = true;
        for (Running r : running.values()) {
            r.cancel();
        }
        running.clear();
        exposed.clear();
    }
}
