package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls between real processes: a child calls what a sibling exposes (sync, async, exceptions
 * with the remote stack, a taken name, a timeout that cancels, a cancelled future), the exposing
 * process killed mid-call, and calls made inside a listener and inside a call.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CallsProcessTest {

    /** The exposing child: "math" (and counts the calls it saw interrupted or cancelled). */
    static void exposer(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name(args[1]).connect();
        CallsInProcessTest.MathImpl impl = new CallsInProcessTest.MathImpl();
        AtomicInteger stopped = new AtomicInteger();
        ipos.expose("math", CallsInProcessTest.MathApi.class, new CallsInProcessTest.MathApi() {
            @Override
            public int abs(int x) {
                return impl.abs(x);
            }

            @Override
            public long add(long a, long b) {
                return impl.add(a, b);
            }

            @Override
            public List<Integer> range(int n) {
                return impl.range(n);
            }

            @Override
            public CompletableFuture<String> greet(String who) {
                return impl.greet(who);
            }

            @Override
            public void fail(String why) throws java.io.IOException {
                impl.fail(why);
            }

            @Override
            public int slow(long millis) throws InterruptedException {
                try {
                    return impl.slow(millis);
                } catch (InterruptedException e) {
                    signal(dir.resolve("stopped-" + args[1] + "-" + stopped.incrementAndGet()), "interrupted");
                    throw e;
                }
            }

            @Override
            public CompletableFuture<Integer> slowAsync(long millis) {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                f.whenComplete((v, e) -> signal(dir.resolve("stopped-" + args[1] + "-" + stopped.incrementAndGet()),
                        "cancelled"));
                return f;
            }
        });
        signal(dir.resolve("exposed-" + args[1]), "");
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }

    /** The calling child: makes every kind of call and writes what came of each, a line each. */
    static void caller(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name(args[1]).callTimeout(Duration.ofMillis(500)).connect();
        awaitFile(dir.resolve("exposed-a"));
        CallsInProcessTest.MathApi math = ipos.proxy("math", CallsInProcessTest.MathApi.class);
        List<String> lines = new ArrayList<>();
        lines.add("abs " + math.abs(-1234));
        lines.add("add " + math.add(2_000_000_000L, 3_000_000_000L));
        lines.add("range " + math.range(4));
        lines.add("greet " + math.greet("b").get(5, TimeUnit.SECONDS));
        try {
            math.fail("checked");
        } catch (RemoteException e) {
            boolean remoteFrame = java.util.Arrays.stream(e.getStackTrace()).anyMatch(f -> f.getMethodName().equals("fail")
                    && f.getClassName().endsWith("MathImpl"));
            lines.add("checked " + e.remoteClassName() + " " + e.getMessage().contains("disk on fire") + " " + remoteFrame);
        }
        try {
            math.fail("x");
        } catch (RemoteException e) {
            lines.add("unchecked " + e.remoteClassName() + " cause " + ((RemoteException) e.getCause()).remoteClassName());
        }
        try {
            ipos.expose("math", CallsInProcessTest.MathApi.class, new CallsInProcessTest.MathImpl());
            lines.add("taken? no");
        } catch (IposException e) {
            lines.add("taken " + e.getMessage().contains("'math' is taken: a (id"));
        }
        long t0 = System.nanoTime();
        try {
            math.slow(60_000);
        } catch (IposException e) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            lines.add("timeout " + e.getMessage().contains("did not answer within 500 ms") + " " + (ms >= 490 && ms < 5000));
        }
        CompletableFuture<Integer> f = math.slowAsync(60_000);
        Thread.sleep(100);
        lines.add("cancel " + f.cancel(true));
        signal(dir.resolve("calls-" + args[1]), String.join("\n", lines));
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }

    @Test
    void aChildCallsWhatASiblingExposes(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            kids.spawn(parent, CallsProcessTest.class, "exposer", dir.toString(), "a");
            kids.spawn(parent, CallsProcessTest.class, "caller", dir.toString(), "b");
            assertEquals(String.join("\n", "abs 1234", "add 5000000000", "range [0, 1, 2, 3]", "greet hello b",
                    "checked java.io.IOException true true", "unchecked java.lang.IllegalStateException cause "
                            + "java.lang.ArithmeticException", "taken true", "timeout true true", "cancel true"),
                    awaitFile(dir.resolve("calls-b")));
            assertEquals("interrupted", awaitFile(dir.resolve("stopped-a-1")), "the timed-out call was interrupted there");
            assertEquals("cancelled", awaitFile(dir.resolve("stopped-a-2")), "the cancelled future was cancelled there");
            assertEquals(1234, parent.proxy("math", CallsInProcessTest.MathApi.class).abs(-1234));
            signal(dir.resolve("stop"), "");
        }
    }

    @Test
    void theExposingProcessKilledMidCallFailsTheCallAtOnce(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            Process a = kids.spawn(parent, CallsProcessTest.class, "exposer", dir.toString(), "a");
            kids.spawn(parent, CallsProcessTest.class, "waitingCaller", dir.toString(), "b");
            awaitFile(dir.resolve("exposed-a"));
            CallsInProcessTest.MathApi math = parent.proxy("math", CallsInProcessTest.MathApi.class);
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return math.slow(60_000);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            awaitFile(dir.resolve("calling-b"));
            Thread.sleep(300);
            long t0 = System.nanoTime();
            a.destroyForcibly();
            ExecutionException e = assertThrows(ExecutionException.class, () -> blocked.get(10, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getCause().getMessage().contains("'math' was exposed by a (id 1), which left before it answered"),
                    e.getCause().getMessage());
            assertTrue(ms < 5_000, "at once, not after the 30 s call timeout: " + ms + " ms");
            assertTrue(awaitFile(dir.resolve("failed-b")).contains("which left before it answered"));
            IposException none = assertThrows(IposException.class, () -> math.abs(1));
            assertTrue(none.getMessage().contains("no process exposes 'math'"), none.getMessage());
            signal(dir.resolve("stop"), "");
        }
    }

    /** Calls a slow method (blocking, 30 s timeout) and writes how it failed. */
    static void waitingCaller(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name(args[1]).connect();
        awaitFile(dir.resolve("exposed-a"));
        CallsInProcessTest.MathApi math = ipos.proxy("math", CallsInProcessTest.MathApi.class);
        signal(dir.resolve("calling-" + args[1]), "");
        try {
            math.slow(60_000);
            signal(dir.resolve("failed-" + args[1]), "it returned");
        } catch (IposException e) {
            signal(dir.resolve("failed-" + args[1]), e.getMessage());
        }
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }

    @Test
    void callsMadeInsideAListenerAndInsideACallDoNotDeadlock(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Integer> m = parent.create("m", Map.of());
            kids.spawn(parent, CallsProcessTest.class, "exposer", dir.toString(), "a");
            kids.spawn(parent, CallsProcessTest.class, "nestedCaller", dir.toString(), "b");
            awaitFile(dir.resolve("exposed-b"));
            // parent -> b's "twice" -> a's "math": a call inside a call, in three processes
            assertEquals(10, parent.proxy("twice", CallsInProcessTest.Twice.class).twice(-5));
            m.put("ask", -42); // b's listener calls a's math.abs and writes the answer back
            await("b's listener answered", () -> Integer.valueOf(42).equals(m.get("answer")));
            signal(dir.resolve("stop"), "");
        }
    }

    /** Exposes "twice", which calls "math"; and calls "math" from a change listener. */
    static void nestedCaller(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name(args[1]).connect();
        awaitFile(dir.resolve("exposed-a"));
        CallsInProcessTest.MathApi math = ipos.proxy("math", CallsInProcessTest.MathApi.class);
        ipos.expose("twice", CallsInProcessTest.Twice.class, x -> 2 * math.abs(x));
        SharedMap<String, Integer> m = ipos.get("m");
        ipos.onChange(c -> {
            Integer ask = m.get("ask");
            if (ask != null && !m.containsKey("answer")) {
                m.put("answer", math.abs(ask)); // a blocking call on the event thread
            }
        });
        signal(dir.resolve("exposed-" + args[1]), "");
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }
}
