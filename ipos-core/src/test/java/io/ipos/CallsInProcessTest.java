package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls between processes in this JVM (joiners over a Unix socket, each its own instance): sync
 * and async, exceptions, timeouts, name conflicts, the exposer leaving, cancellation, calls from a
 * listener and from a call. The fast twin of {@link CallsProcessTest}.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CallsInProcessTest {

    public interface MathApi {
        int abs(int x);

        long add(long a, long b);

        List<Integer> range(int n);

        CompletableFuture<String> greet(String who);

        void fail(String why) throws IOException;

        int slow(long millis) throws InterruptedException;

        CompletableFuture<Integer> slowAsync(long millis);
    }

    static final class MathImpl implements MathApi {
        final CountDownLatch interrupted = new CountDownLatch(1);

        @Override
        public int abs(int x) {
            return Math.abs(x);
        }

        @Override
        public long add(long a, long b) {
            return a + b;
        }

        @Override
        public List<Integer> range(int n) {
            return java.util.stream.IntStream.range(0, n).boxed().toList();
        }

        @Override
        public CompletableFuture<String> greet(String who) {
            return CompletableFuture.supplyAsync(() -> "hello " + who);
        }

        @Override
        public void fail(String why) throws IOException {
            if (why.equals("checked")) {
                throw new IOException("disk on fire");
            }
            throw new IllegalStateException("bad state: " + why, new ArithmeticException("root cause"));
        }

        @Override
        public int slow(long millis) throws InterruptedException {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return 1;
        }

        @Override
        public CompletableFuture<Integer> slowAsync(long millis) {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            f.whenComplete((v, e) -> {
                if (e instanceof CancellationException) {
                    interrupted.countDown();
                }
            });
            return f;
        }
    }

    private static IPOS parent(Path dir) {
        return IPOS.options().listen("unix:" + dir.resolve("p.sock")).start();
    }

    private static IPOS join(IPOS parent, String name) {
        return IPOS.options().name(name).callTimeout(Duration.ofSeconds(5)).join(parent.address());
    }

    @Test
    void aChildCallsWhatASiblingExposesSyncAndAsync(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS a = join(parent, "a"); IPOS b = join(parent, "b")) {
            a.expose("math", MathApi.class, new MathImpl());
            MathApi math = b.proxy("math", MathApi.class);
            assertEquals(1234, math.abs(-1234));
            assertEquals(5_000_000_000L, math.add(2_000_000_000L, 3_000_000_000L));
            assertEquals(List.of(0, 1, 2), math.range(3));
            assertEquals("hello b", math.greet("b").get(5, TimeUnit.SECONDS));
            assertEquals(1234, parent.proxy("math", MathApi.class).abs(-1234), "the parent calls a child");
            assertEquals(7, a.proxy("math", MathApi.class).abs(-7), "the exposer calls itself");
            assertTrue(math.toString().contains("math"), math.toString());
            assertEquals(math, math);
            assertFalse(math.equals(b.proxy("math", MathApi.class)));
        }
    }

    @Test
    void theParentExposesAndChildrenAwait(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS a = join(parent, "a")) {
            List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
            parent.expose("log", Logger.class, msg -> {
                log.add(msg);
                return CompletableFuture.completedFuture(null);
            });
            a.proxy("log", Logger.class).log("from a").get(5, TimeUnit.SECONDS);
            assertEquals(List.of("from a"), log);
        }
    }

    public interface Logger {
        CompletableFuture<Void> log(String message);
    }

    @Test
    void anExceptionArrivesAsARemoteExceptionWithTheRemoteStack(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS a = join(parent, "a"); IPOS b = join(parent, "b")) {
            a.expose("math", MathApi.class, new MathImpl());
            MathApi math = b.proxy("math", MathApi.class);
            RemoteException checked = assertThrows(RemoteException.class, () -> math.fail("checked"));
            assertEquals("java.io.IOException", checked.remoteClassName());
            assertTrue(checked.getMessage().contains("disk on fire") && checked.getMessage().contains("'math'.fail"),
                    checked.getMessage());
            assertTrue(java.util.Arrays.stream(checked.getStackTrace()).anyMatch(f -> f.getClassName().endsWith("MathImpl")
                    && f.getMethodName().equals("fail")), "the remote frame is there");
            assertTrue(java.util.Arrays.stream(checked.getStackTrace()).anyMatch(f -> f.getMethodName()
                    .equals("anExceptionArrivesAsARemoteExceptionWithTheRemoteStack")), "and the caller's own");
            RemoteException unchecked = assertThrows(RemoteException.class, () -> math.fail("x"));
            assertEquals("java.lang.IllegalStateException", unchecked.remoteClassName());
            RemoteException cause = (RemoteException) unchecked.getCause();
            assertEquals("java.lang.ArithmeticException", cause.remoteClassName());
        }
    }

    @Test
    void nobodyExposingTheNameFailsAtOnce(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS a = join(parent, "a")) {
            long t0 = System.nanoTime();
            IposException e = assertThrows(IposException.class, () -> a.proxy("nothing", MathApi.class).abs(1));
            assertTrue(e.getMessage().contains("no process exposes 'nothing'"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "at once");
            ExecutionException ae = assertThrows(ExecutionException.class,
                    () -> parent.proxy("nothing", MathApi.class).greet("x").get(5, TimeUnit.SECONDS));
            assertTrue(ae.getCause().getMessage().contains("no process exposes"), ae.getCause().getMessage());
        }
    }

    @Test
    void aTakenNameIsRefusedNamingItsHolder(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS a = join(parent, "a"); IPOS b = join(parent, "b")) {
            Subscription s = a.expose("math", MathApi.class, new MathImpl());
            IposException e = assertThrows(IposException.class, () -> b.expose("math", MathApi.class, new MathImpl()));
            assertTrue(e.getMessage().contains("'math' is taken") && e.getMessage().contains("a (id"), e.getMessage());
            IposException p = assertThrows(IposException.class, () -> parent.expose("math", MathApi.class, new MathImpl()));
            assertTrue(p.getMessage().contains("a (id"), p.getMessage());
            s.close(); // the name is free once the parent has read the UNEXPOSE
            ChildMain.await("b exposes the freed name", () -> {
                try {
                    b.expose("math", MathApi.class, new MathImpl());
                    return true;
                } catch (IposException stillTaken) {
                    return false;
                }
            });
            assertEquals(3, parent.proxy("math", MathApi.class).abs(-3));
        }
    }

    @Test
    void theExposerLeavingMidCallFailsTheCallAtOnce(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS b = join(parent, "b")) {
            IPOS a = join(parent, "a");
            a.expose("math", MathApi.class, new MathImpl());
            MathApi math = b.proxy("math", MathApi.class);
            CompletableFuture<Integer> pending = CompletableFuture.supplyAsync(() -> {
                try {
                    return math.slow(60_000);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            CompletableFuture<Integer> async = math.slowAsync(60_000);
            ChildMain.sleep(300);
            long t0 = System.nanoTime();
            a.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(3, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("left before it answered"), e.getCause().getMessage());
            ExecutionException e2 = assertThrows(ExecutionException.class, () -> async.get(3, TimeUnit.SECONDS));
            assertTrue(e2.getCause() instanceof IposException, String.valueOf(e2.getCause()));
            assertTrue(System.nanoTime() - t0 < 3_000_000_000L);
            IposException after = assertThrows(IposException.class, () -> math.abs(1));
            assertTrue(after.getMessage().contains("no process exposes"), after.getMessage());
        }
    }

    @Test
    void aBlockingCallTimesOutAndIsCancelledThere(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS a = join(parent, "a");
                IPOS b = IPOS.options().name("b").callTimeout(Duration.ofMillis(300)).join(parent.address())) {
            MathImpl impl = new MathImpl();
            a.expose("math", MathApi.class, impl);
            long t0 = System.nanoTime();
            IposException e = assertThrows(IposException.class, () -> b.proxy("math", MathApi.class).slow(60_000));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
            assertTrue(ms >= 290 && ms < 3000, ms + " ms");
            assertTrue(impl.interrupted.await(5, TimeUnit.SECONDS), "the callee was interrupted");
        }
    }

    @Test
    void cancellingTheFutureCancelsTheCallThere(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS a = join(parent, "a"); IPOS b = join(parent, "b")) {
            MathImpl impl = new MathImpl();
            a.expose("math", MathApi.class, impl);
            CompletableFuture<Integer> f = b.proxy("math", MathApi.class).slowAsync(60_000);
            ChildMain.sleep(200);
            assertTrue(f.cancel(true));
            assertTrue(impl.interrupted.await(5, TimeUnit.SECONDS), "the callee's future was cancelled");
        }
    }

    @Test
    void aBlockingCallInsideAListenerAndInsideACallDoesNotDeadlock(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS a = join(parent, "a"); IPOS b = join(parent, "b")) {
            a.expose("math", MathApi.class, new MathImpl());
            MathApi math = b.proxy("math", MathApi.class);
            // b exposes something whose implementation calls a, and a calls it: a call inside a call
            b.expose("twice", Twice.class, x -> 2 * math.abs(x));
            assertEquals(10, a.proxy("twice", Twice.class).twice(-5));
            AtomicReference<Object> inListener = new AtomicReference<>();
            SharedMap<String, Integer> m = parent.create("m", Map.of());
            parent.flush().get(5, TimeUnit.SECONDS);
            SharedMap<String, Integer> bm = b.get("m");
            CountDownLatch done = new CountDownLatch(1);
            b.onChange(c -> {
                try {
                    inListener.set(math.abs(-42) + a.proxy("twice", Twice.class).hashCode() * 0);
                } catch (RuntimeException e) {
                    inListener.set(e);
                }
                done.countDown();
            });
            m.put("x", 1);
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(42, inListener.get());
            assertEquals(1, bm.get("x"));
            b.on("ask", Integer.class, (from, v) -> inListener.set(math.abs(v)));
            parent.emit(b.self(), "ask", -9);
            ChildMain.await("the handler's call", () -> Integer.valueOf(9).equals(inListener.get()));
        }
    }

    public interface Twice {
        int twice(int x);
    }

    @Test
    void aCallSeesTheWritesItsCallerMadeBeforeIt(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir); IPOS a = join(parent, "a"); IPOS b = join(parent, "b")) {
            parent.create("m", Map.of());
            parent.flush().get(5, TimeUnit.SECONDS);
            SharedMap<String, Integer> am = a.get("m");
            a.expose("read", Reader.class, key -> am.get(key));
            SharedMap<String, Integer> bm = b.get("m");
            Reader read = b.proxy("read", Reader.class);
            int violations = 0;
            for (int i = 0; i < 500; i++) {
                bm.put("k", i);
                Integer v = read.read("k");
                if (v == null || v != i) {
                    violations++;
                }
            }
            assertEquals(0, violations);
        }
    }

    public interface Reader {
        Integer read(String key);
    }

    @Test
    void anArgumentTooLargeThrowsAtTheCallAndAResultTooLargeFailsTheCall() throws Exception {
        try (IPOS parent = IPOS.options().maxFrameBytes(64 << 10).start(); InProcessPair p = InProcessPair.withParent(parent)) {
            IPOS child = p.addChild();
            MathImpl impl = new MathImpl();
            child.expose("math", MathApi.class, impl);
            MathApi math = parent.proxy("math", MathApi.class);
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> math.greet("x".repeat(100_000)));
            assertTrue(big.getMessage().startsWith("this call (its arguments) takes ") && big.getMessage().endsWith("nothing was sent"),
                    big.getMessage());
            IposException tooLarge = assertThrows(IposException.class, () -> math.range(100_000));
            assertTrue(tooLarge.getMessage().contains("above maxFrameBytes=65536"), tooLarge.getMessage());
            assertEquals(List.of(0, 1, 2), math.range(3), "the link stays up for the calls that fit");
        }
    }

    @Test
    void aProxyNeedsAnInterfaceAndExposeAnImplementation(@TempDir Path dir) throws Exception {
        try (IPOS parent = parent(dir)) {
            assertThrows(IllegalArgumentException.class, () -> parent.proxy("x", String.class));
            assertThrows(IllegalArgumentException.class, () -> parent.expose("x", String.class, "s"));
            assertThrows(IllegalArgumentException.class, () -> parent.expose("", MathApi.class, new MathImpl()));
            assertThrows(IllegalStateException.class, () -> parent.atomic(() -> parent.emit("t", 1)));
        }
    }

    public interface Spy {
        int abs(int x);

        static int util() {
            return 0;
        }
    }

    public static final class SpyImpl implements Spy {
        final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public int abs(int x) {
            runs.incrementAndGet();
            return Math.abs(x);
        }

        public int secret() {
            runs.incrementAndGet();
            return 42;
        }
    }

    /** Reads frames from the parent until a RESULT: its status byte, then its payload as text or a decoded value. */
    private static String awaitResult(BadInputProcessTest.RawChild raw, long id) throws IOException {
        while (raw.fromParent.next()) {
            if (raw.fromParent.type() != FrameDescriptor.RESULT) {
                continue;
            }
            byte[] b = raw.fromParent.buffer();
            int off = raw.fromParent.bodyOffset();
            int len = raw.fromParent.bodyLength();
            assertEquals(id, FrameDescriptor.getLong(b, off + 4));
            int status = b[off + 12];
            if (status == FrameDescriptor.RESULT_RETURNED) {
                io.ipos.serialization.ValueReader r = io.ipos.serialization.WireFormat.msgpack().newReader();
                r.reset(b, off + 13, len - 13);
                return "returned " + new io.ipos.serialization.ValueCodec(io.ipos.serialization.ClassRegistry.global()).read(r);
            }
            return "status " + status + ": " + new String(b, off + 13, len - 13, java.nio.charset.StandardCharsets.UTF_8);
        }
        throw new AssertionError("the parent closed the link");
    }

    @Test
    void aForgedCallToAnythingButTheExposedInterfacesMethodsIsRefusedWithoutRunningAnything() throws Exception {
        try (InProcessPair p = new InProcessPair(1);
                BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(p.parent, "forger").handshake(FrameDescriptor.VERSION)) {
            SpyImpl spy = new SpyImpl();
            p.child(0).expose("spy", Spy.class, spy);
            String api = Spy.class.getName();
            Map<String, byte[]> forged = new java.util.LinkedHashMap<>();
            forged.put("a method the implementation has but the interface lacks", ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 1, "spy", api, "secret", List.of()));
            forged.put("another interface", ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 2, "spy", "java.lang.Runnable", "run", List.of()));
            forged.put("an argument of another type", ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 3, "spy", api, "abs", List.of("int"), "-5"));
            forged.put("an Object method", ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 4, "spy", api, "hashCode", List.of()));
            forged.put("another overload", ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 5, "spy", api, "abs", List.of("long"), -5L));
            forged.put("a static method", ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 6, "spy", api, "util", List.of()));
            forged.put("too few arguments", ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 7, "spy", api, "abs", List.of("int")));
            forged.put("a null for an int", ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 8, "spy", api, "abs", List.of("int"), (Object) null));
            forged.put("a body that does not decode", ForgedCalls.frame(9, "spy", new byte[] {(byte) 0xC1, 1, 2}));
            forged.put("getClass", ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 10, "spy", api, "getClass", List.of()));
            long id = 1;
            for (Map.Entry<String, byte[]> f : forged.entrySet()) {
                raw.send(f.getValue());
                String result = awaitResult(raw, id++);
                assertTrue(result.startsWith("status 2: refused a call from child-2 (id 2)"), f.getKey() + ": " + result);
            }
            assertEquals(0, spy.runs.get(), "nothing ran");
            raw.send(ForgedCalls.call(io.ipos.serialization.WireFormat.msgpack(), 11, "spy", api, "abs", List.of("int"), -5));
            assertEquals("returned 5", awaitResult(raw, 11), "the one real method runs, and the link stayed up");
            assertEquals(1, spy.runs.get());
            ChildMain.await("the exposer reported the refusals", () -> p.childErrors.size() == forged.size());
            assertTrue(p.childErrors.get(0).getMessage().contains("has no method secret()"), p.childErrors.get(0).getMessage());
            assertTrue(p.child(0).isConnected());
        }
    }
}
