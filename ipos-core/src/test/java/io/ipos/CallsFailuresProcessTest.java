package io.ipos;

import static io.ipos.ChildMain.PATIENCE;
import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.read;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ipos.serialization.ClassRegistry;
import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How calls between real processes fail: an implementation's checked and unchecked exceptions
 * (blocking and asynchronous) reaching the parent and a sibling as {@link RemoteException}s (with
 * the remote stack, then for a blocking call the caller's own frames), a blocking call past the
 * call timeout, names taken across processes, a cancelled future, and CALL frames forged by a raw
 * socket peer. Every callee is a child JVM; each child notes what happened
 * to it in files the test awaits. The in-process twin of most of these is {@link CallsInProcessTest}.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CallsFailuresProcessTest {

    // ---------------------------------------------------------------- exceptions

    /** The system property a {@link Boom} sets in the JVM that initializes the class. */
    static final String BOOM_INITIALIZED = "ipos.test.boomInitialized";
    /** {@link Boom}'s name, as a string: the test itself never touches the class. */
    static final String BOOM = "io.ipos.CallsFailuresProcessTest$Boom";

    /** A checked exception that says where it was made: only the exposing child ever makes one. */
    public static final class Boom extends Exception {
        private static final long serialVersionUID = 1L;

        static {
            System.setProperty(BOOM_INITIALIZED, "pid " + ProcessHandle.current().pid());
        }

        Boom(String message) {
            super(message);
        }
    }

    public interface Failing {
        void checked(String why) throws Boom;

        int unchecked(String why);

        CompletableFuture<String> checkedAsync(String why);

        CompletableFuture<String> uncheckedAsync(String why);

        CompletableFuture<String> throwsInBody(String why);
    }

    /** Each method fails its own way; the frames of these methods are what the callers look for. */
    static final class FailingImpl implements Failing {
        @Override
        public void checked(String why) throws Boom {
            throw new Boom(why);
        }

        @Override
        public int unchecked(String why) {
            throw new IllegalStateException(why, new ArithmeticException("root cause"));
        }

        @Override
        public CompletableFuture<String> checkedAsync(String why) {
            return CompletableFuture.failedFuture(new Boom(why));
        }

        @Override
        public CompletableFuture<String> uncheckedAsync(String why) {
            return CompletableFuture.supplyAsync(() -> {
                throw new IllegalArgumentException(why);
            });
        }

        @Override
        public CompletableFuture<String> throwsInBody(String why) {
            throw new UnsupportedOperationException(why);
        }
    }

    /** What each call came to, a line each, the same in every calling process (the parent, a sibling). */
    static List<String> failuresSeenBy(IPOS ipos) {
        Failing f = ipos.proxy("failing", Failing.class);
        List<String> lines = new ArrayList<>();
        try {
            f.checked("disk on fire");
            lines.add("checked: returned");
        } catch (Throwable t) {
            lines.add(describe("checked", "checked", t, BOOM, "disk on fire"));
        }
        try {
            lines.add("unchecked: returned " + f.unchecked("bad state"));
        } catch (Throwable t) {
            lines.add(describe("unchecked", "unchecked", t, "java.lang.IllegalStateException", "bad state"));
        }
        lines.add(describeAsync("checkedAsync", "checkedAsync", () -> f.checkedAsync("async fire"), BOOM, "async fire"));
        lines.add(describeAsync("uncheckedAsync", "lambda$uncheckedAsync$", () -> f.uncheckedAsync("async bad"),
                "java.lang.IllegalArgumentException", "async bad"));
        lines.add(describeAsync("throwsInBody", "throwsInBody", () -> f.throwsInBody("no future"),
                "java.lang.UnsupportedOperationException", "no future"));
        lines.add("Boom initialized here: " + System.getProperty(BOOM_INITIALIZED));
        return lines;
    }

    private static String describeAsync(String method, String frame, java.util.function.Supplier<CompletableFuture<String>> call,
            String remoteClass, String remoteMessage) {
        try {
            return method + ": returned " + call.get().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return describe(method, frame, e.getCause(), remoteClass, remoteMessage);
        } catch (Throwable t) {
            return method + ": not through the future: " + describe(method, frame, t, remoteClass, remoteMessage);
        }
    }

    /**
     * One line saying what {@code t} is: its class, the remote class, whether the message names the
     * remote class and message and the call, whether a frame of the implementing method is there,
     * and its cause; then, after " | ", the message.
     */
    private static String describe(String method, String frame, Throwable t, String remoteClass,
            String remoteMessage) {
        StringBuilder b = new StringBuilder(method).append(": ").append(t.getClass().getSimpleName());
        if (t instanceof RemoteException r) {
            b.append(' ').append(r.remoteClassName());
        }
        String m = String.valueOf(t.getMessage());
        b.append(" message=").append(m.contains(remoteClass) && m.contains(remoteMessage) && m.contains("'failing'." + method));
        b.append(" implFrame=").append(Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().equals(
                FailingImpl.class.getName()) && f.getMethodName().startsWith(frame)));
        Throwable c = t.getCause();
        b.append(" cause=").append(c == null ? "none" : c.getClass().getSimpleName()
                + (c instanceof RemoteException rc ? " " + rc.remoteClassName() : ""));
        return b.append(" | ").append(m).toString();
    }

    /** The part of each line before " | " (the message itself is there for the failure's text). */
    private static List<String> verdicts(List<String> lines) {
        return lines.stream().map(l -> l.contains(" | ") ? l.substring(0, l.indexOf(" | ")) : l).toList();
    }

    static final List<String> EXPECTED_FAILURES = List.of(
            "checked: RemoteException " + BOOM + " message=true implFrame=true cause=none",
            "unchecked: RemoteException java.lang.IllegalStateException message=true implFrame=true "
                    + "cause=RemoteException java.lang.ArithmeticException",
            "checkedAsync: RemoteException " + BOOM + " message=true implFrame=true cause=none",
            "uncheckedAsync: RemoteException java.lang.IllegalArgumentException message=true implFrame=true cause=none",
            "throwsInBody: RemoteException java.lang.UnsupportedOperationException message=true implFrame=true cause=none",
            "Boom initialized here: null");

    @Test
    void aChildsCheckedAndUncheckedExceptionsReachTheParentAndASiblingAsRemoteExceptionsWithTheRemoteStack(@TempDir Path dir)
            throws Exception {
        try (IPOS parent = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            kids.spawn(parent, CallsFailuresProcessTest.class, "failingExposer", dir.toString());
            awaitFile(dir.resolve("exposed-a"));
            List<String> seen = failuresSeenBy(parent);
            System.out.println("[exceptions] the parent saw:\n  " + String.join("\n  ", seen));
            assertEquals(EXPECTED_FAILURES, verdicts(seen), "what the parent saw:\n" + String.join("\n", seen));

            kids.spawn(parent, CallsFailuresProcessTest.class, "failingCaller", dir.toString());
            List<String> sibling = List.of(awaitFile(dir.resolve("failures-b")).split("\n"));
            System.out.println("[exceptions] the sibling saw:\n  " + String.join("\n  ", sibling));
            assertEquals(EXPECTED_FAILURES, verdicts(sibling), "what the sibling b saw:\n" + String.join("\n", sibling));

            signal(dir.resolve("report"), "");
            assertTrue(awaitFile(dir.resolve("boom-a")).startsWith("pid "),
                    "the exposing child made its Booms (so the class's initializer does run where a Boom is made)");
            assertNull(System.getProperty(BOOM_INITIALIZED), "no Boom was made in the parent from the name that arrived");
            signal(dir.resolve("stop"), "");
        }
    }

    /**
     * The README: a blocking call's {@code RemoteException} has the remote stack trace "as it was
     * there (then the caller's own frames)". The caller here is this test method.
     */
    @Test
    void aBlockingCallsRemoteExceptionHasTheCallersOwnFramesAfterTheRemoteOnes(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            kids.spawn(parent, CallsFailuresProcessTest.class, "failingExposer", dir.toString());
            awaitFile(dir.resolve("exposed-a"));
            Failing f = parent.proxy("failing", Failing.class);
            RemoteException e = null;
            try {
                f.checked("disk on fire");
            } catch (RemoteException thrown) {
                e = thrown;
            }
            assertTrue(e != null, "the call threw a RemoteException");
            List<String> frames = Arrays.stream(e.getStackTrace()).map(t -> t.getClassName() + "." + t.getMethodName()).toList();
            int remote = frames.indexOf(FailingImpl.class.getName() + ".checked");
            int caller = frames.indexOf(CallsFailuresProcessTest.class.getName()
                    + ".aBlockingCallsRemoteExceptionHasTheCallersOwnFramesAfterTheRemoteOnes");
            signal(dir.resolve("report"), "");
            signal(dir.resolve("stop"), "");
            assertEquals(0, remote, "the remote trace comes first:\n" + String.join("\n", frames));
            assertTrue(caller > remote, "the caller's own frame (this test method) follows the remote frames:\n"
                    + String.join("\n", frames));
        }
    }

    /** Child "a": exposes "failing". */
    static void failingExposer(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name("a").connect();
        ipos.expose("failing", Failing.class, new FailingImpl());
        signal(dir.resolve("exposed-a"), "");
        awaitFile(dir.resolve("report"), Duration.ofSeconds(100));
        signal(dir.resolve("boom-a"), String.valueOf(System.getProperty(BOOM_INITIALIZED)));
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }

    /** Child "b": calls "failing" and writes what each call came to. */
    static void failingCaller(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name("b").connect();
        signal(dir.resolve("failures-b"), String.join("\n", failuresSeenBy(ipos)));
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }

    // ---------------------------------------------------------------- slow calls: timeouts, cancellation

    public interface Slow {
        int sleep(long millis) throws InterruptedException;

        CompletableFuture<String> blockInBody(long millis);

        CompletableFuture<String> blockOnWorker(long millis);

        int quick(int x);
    }

    /**
     * Child "slow": exposes "slow". Each call of a slow method writes {@code started-<method>-<n>}
     * when it starts, then {@code interrupted-<method>-<n>} (after how long) if it is interrupted,
     * or {@code completed-<method>-<n>} if it ends.
     */
    static void slowExposer(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name("slow").connect();
        Map<String, AtomicInteger> counts = new HashMap<>();
        java.util.function.Function<String, Integer> next = m -> {
            synchronized (counts) {
                return counts.computeIfAbsent(m, k -> new AtomicInteger()).incrementAndGet();
            }
        };
        ipos.expose("slow", Slow.class, new Slow() {
            @Override
            public int sleep(long millis) throws InterruptedException {
                int n = next.apply("sleep");
                nap(dir, "sleep-" + n, millis);
                return n;
            }

            @Override
            public CompletableFuture<String> blockInBody(long millis) {
                int n = next.apply("blockInBody");
                try {
                    nap(dir, "blockInBody-" + n, millis);
                    return CompletableFuture.completedFuture("slept");
                } catch (InterruptedException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public CompletableFuture<String> blockOnWorker(long millis) {
                int n = next.apply("blockOnWorker");
                CompletableFuture<String> f = new CompletableFuture<>();
                Thread worker = new Thread(() -> {
                    try {
                        nap(dir, "blockOnWorker-" + n, millis);
                        f.complete("slept");
                    } catch (InterruptedException e) {
                        f.completeExceptionally(e);
                    }
                }, "slow-worker-" + n);
                f.whenComplete((v, t) -> {
                    if (t instanceof CancellationException) {
                        signal(dir.resolve("cancelled-blockOnWorker-" + n), "the future was cancelled");
                        worker.interrupt();
                    }
                });
                worker.start();
                return f;
            }

            @Override
            public int quick(int x) {
                return x;
            }
        });
        signal(dir.resolve("exposed-slow"), "");
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }

    /** Sleeps {@code millis} on this thread, noting in files that it started and how it ended. */
    private static void nap(Path dir, String call, long millis) throws InterruptedException {
        long t0 = System.nanoTime();
        signal(dir.resolve("started-" + call), Thread.currentThread().getName());
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            signal(dir.resolve("interrupted-" + call), "interrupted after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            throw e;
        }
        signal(dir.resolve("completed-" + call), "");
    }

    private static long millisIn(String noted) {
        return Long.parseLong(noted.replaceAll("\\D+", " ").trim().split(" ")[0]);
    }

    @Test
    void aBlockingCallPastTheCallTimeoutThrowsWithinAboutTheTimeoutAndInterruptsTheCalleesThread(@TempDir Path dir)
            throws Exception {
        try (IPOS parent = IPOS.options().callTimeout(Duration.ofMillis(800)).start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            kids.spawn(parent, CallsFailuresProcessTest.class, "slowExposer", dir.toString());
            awaitFile(dir.resolve("exposed-slow"));
            Slow slow = parent.proxy("slow", Slow.class);
            assertEquals(7, slow.quick(7), "a quick call answers within the timeout");

            long t0 = System.nanoTime();
            IposException e = assertThrows(IposException.class, () -> slow.sleep(60_000));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("[timeout] the parent's call threw after " + ms + " ms: " + e.getMessage());
            assertFalse(e instanceof RemoteException, "the callee threw nothing: the caller gave up: " + e);
            assertTrue(e.getMessage().contains("'slow'.sleep did not answer within 800 ms"), e.getMessage());
            assertTrue(ms >= 790 && ms < 800 + 2_500, "the call timeout is 800 ms; it threw after " + ms + " ms");
            String interrupted = awaitFile(dir.resolve("interrupted-sleep-1"));
            System.out.println("[timeout] the child: " + interrupted);
            assertTrue(millisIn(interrupted) < 800 + 5_000, "the child's sleep was interrupted soon after the timeout: "
                    + interrupted);

            // a sibling's blocking call times out by its own callTimeout, and is interrupted in the child too
            kids.spawn(parent, CallsFailuresProcessTest.class, "timingOutCaller", dir.toString());
            String sibling = awaitFile(dir.resolve("timeout-b"));
            System.out.println("[timeout] the sibling: " + sibling);
            assertTrue(sibling.startsWith("IposException after "), sibling);
            assertTrue(sibling.contains("did not answer within 600 ms"), sibling);
            long siblingMs = millisIn(sibling);
            assertTrue(siblingMs >= 590 && siblingMs < 600 + 2_500, "the sibling's timeout is 600 ms: " + sibling);
            assertTrue(awaitFile(dir.resolve("interrupted-sleep-2")).startsWith("interrupted after "));

            assertEquals(9, slow.quick(9), "the child answers calls after the timed-out ones");
            assertNull(read(dir.resolve("completed-sleep-1")), "the timed-out call did not run on to its end");
            assertNull(read(dir.resolve("completed-sleep-2")), "the sibling's timed-out call did not run on to its end");
            signal(dir.resolve("stop"), "");
        }
    }

    /** Child "b": a blocking call with a 600 ms call timeout to a method that sleeps a minute. */
    static void timingOutCaller(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name("b").callTimeout(Duration.ofMillis(600)).connect();
        Slow slow = ipos.proxy("slow", Slow.class);
        long t0 = System.nanoTime();
        String outcome;
        try {
            outcome = "returned " + slow.sleep(60_000);
        } catch (Exception e) {
            outcome = e.getClass().getSimpleName() + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + e.getMessage();
        }
        signal(dir.resolve("timeout-b"), outcome);
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }

    @Test
    void cancellingTheFutureOfAnAsyncCallInterruptsTheImplementationInTheChild(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            kids.spawn(parent, CallsFailuresProcessTest.class, "slowExposer", dir.toString());
            awaitFile(dir.resolve("exposed-slow"));
            Slow slow = parent.proxy("slow", Slow.class);

            // the implementation blocks in its own body, on the call's thread
            CompletableFuture<String> inBody = slow.blockInBody(60_000);
            awaitFile(dir.resolve("started-blockInBody-1"));
            assertTrue(inBody.cancel(true), "the future was still waiting");
            assertTrue(inBody.isCancelled());
            assertThrows(CancellationException.class, () -> inBody.get(1, TimeUnit.SECONDS));
            String body = awaitFile(dir.resolve("interrupted-blockInBody-1"));
            System.out.println("[cancel] the call's thread: " + body);

            // the implementation returns a future at once and works on a thread of its own
            CompletableFuture<String> onWorker = slow.blockOnWorker(60_000);
            awaitFile(dir.resolve("started-blockOnWorker-1"));
            assertTrue(onWorker.cancel(true), "the future was still waiting");
            assertEquals("the future was cancelled", awaitFile(dir.resolve("cancelled-blockOnWorker-1")),
                    "the future the implementation returned was cancelled in the child");
            String worker = awaitFile(dir.resolve("interrupted-blockOnWorker-1"));
            System.out.println("[cancel] the implementation's worker: " + worker);

            assertEquals(3, slow.quick(3), "the child answers calls after the cancelled ones");
            assertNull(read(dir.resolve("completed-blockInBody-1")), "the cancelled call did not run on to its end");
            assertNull(read(dir.resolve("completed-blockOnWorker-1")), "the cancelled call did not run on to its end");
            signal(dir.resolve("stop"), "");
        }
    }

    // ---------------------------------------------------------------- names

    public interface Holder {
        String holder();
    }

    /**
     * A child that exposes "math" when told: it runs the commands in {@code do-<name>-<n>} files, in
     * order, and answers each in {@code done-<name>-<n>}. "expose": try once; "take": try until the
     * name is free; "close": close the subscription; "stop": end.
     */
    static void namer(String[] args) {
        Path dir = Path.of(args[0]);
        String name = args[1];
        IPOS ipos = IPOS.options().name(name).connect();
        Holder mine = () -> name;
        Subscription[] held = new Subscription[1];
        for (int n = 1;; n++) {
            String command = awaitFile(dir.resolve("do-" + name + "-" + n), Duration.ofSeconds(100));
            String answer;
            switch (command) {
                case "expose" -> {
                    try {
                        held[0] = ipos.expose("math", Holder.class, mine);
                        answer = "exposed";
                    } catch (IposException e) {
                        answer = "refused: " + e.getMessage();
                    }
                }
                case "take" -> {
                    int[] attempts = {0};
                    await("'math' to be free", () -> {
                        attempts[0]++;
                        try {
                            held[0] = ipos.expose("math", Holder.class, mine);
                            return true;
                        } catch (IposException taken) {
                            return false;
                        }
                    });
                    answer = "took it at attempt " + attempts[0];
                }
                case "close" -> {
                    held[0].close();
                    answer = "closed";
                }
                case "stop" -> {
                    ipos.close();
                    return;
                }
                default -> throw new IllegalArgumentException(command);
            }
            signal(dir.resolve("done-" + name + "-" + n), answer);
        }
    }

    /** Tells the {@link #namer} children what to do, one command at a time. */
    private static final class Namers {
        final Path dir;
        final Map<String, Integer> steps = new HashMap<>();

        Namers(Path dir) {
            this.dir = dir;
        }

        String tell(String who, String command) {
            int n = steps.merge(who, 1, Integer::sum);
            signal(dir.resolve("do-" + who + "-" + n), command);
            return command.equals("stop") ? "" : awaitFile(dir.resolve("done-" + who + "-" + n));
        }
    }

    private static void assertRefusedNaming(String refusal, String holder) {
        assertTrue(refusal.contains("the name 'math' is taken: " + holder + " exposes it"),
                "refused, naming " + holder + " as the holder: " + refusal);
    }

    private static String parentExposes(IPOS parent) {
        try {
            parent.expose("math", Holder.class, () -> "parent");
            return "exposed";
        } catch (IposException e) {
            return "refused: " + e.getMessage();
        }
    }

    @Test
    void aNameAChildExposesIsRefusedToOthersNamingItsHolderUntilItClosesItOrLeaves(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            kids.spawn(parent, CallsFailuresProcessTest.class, "namer", dir.toString(), "a");
            Process b = kids.spawn(parent, CallsFailuresProcessTest.class, "namer", dir.toString(), "b");
            kids.spawn(parent, CallsFailuresProcessTest.class, "namer", dir.toString(), "c");
            Namers namers = new Namers(dir);
            Holder math = parent.proxy("math", Holder.class);

            assertEquals("exposed", namers.tell("a", "expose"));
            assertEquals("a", math.holder());
            assertRefusedNaming(namers.tell("b", "expose"), "a (id 1)");
            assertRefusedNaming(parentExposes(parent), "a (id 1)");

            // a closes its subscription: the name is free, and b takes it
            assertEquals("closed", namers.tell("a", "close"));
            String took = namers.tell("b", "take");
            System.out.println("[names] b after a closed its subscription: " + took);
            assertTrue(took.startsWith("took it"), took);
            assertEquals("b", math.holder(), "calls go to the new holder");
            assertRefusedNaming(namers.tell("c", "expose"), "b (id 2)");
            assertRefusedNaming(namers.tell("a", "expose"), "b (id 2)");
            assertRefusedNaming(parentExposes(parent), "b (id 2)");

            // b leaves (killed): the name is free, and c takes it
            b.destroyForcibly();
            assertTrue(b.waitFor(10, TimeUnit.SECONDS));
            took = namers.tell("c", "take");
            System.out.println("[names] c after b left: " + took);
            assertTrue(took.startsWith("took it"), took);
            assertEquals("c", math.holder(), "calls go to the new holder");
            assertRefusedNaming(namers.tell("a", "expose"), "c (id 3)");
            assertRefusedNaming(parentExposes(parent), "c (id 3)");
            namers.tell("a", "stop");
            namers.tell("c", "stop");
        }
    }

    // ---------------------------------------------------------------- forged calls

    public interface Counted {
        int abs(int x);

        String echo(String s);
    }

    /** Another interface the implementation has, never exposed. */
    public interface Hidden {
        int hidden();
    }

    /** Counts every method of its own that runs, Object's it overrides included. */
    static final class CountedImpl implements Counted, Hidden {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public int abs(int x) {
            runs.incrementAndGet();
            return Math.abs(x);
        }

        @Override
        public String echo(String s) {
            runs.incrementAndGet();
            return s;
        }

        @Override
        public int hidden() {
            runs.incrementAndGet();
            return 42;
        }

        /** Public, but no method of an interface. */
        public int secret() {
            runs.incrementAndGet();
            return 7;
        }

        @Override
        public String toString() {
            runs.incrementAndGet();
            return "CountedImpl";
        }

        @Override
        public int hashCode() {
            runs.incrementAndGet();
            return 1;
        }

        @Override
        public boolean equals(Object o) {
            runs.incrementAndGet();
            return o == this;
        }
    }

    /**
     * Child "spy": exposes "spy" and counts the refusals its {@code onError} hears. For each
     * {@code report-<n>} file (holding how many refusals to expect), writes {@code runs-<n>}: how
     * many of the implementation's methods ran, and the refusals.
     */
    static void spyExposer(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name("spy").connect();
        List<String> errors = new CopyOnWriteArrayList<>();
        ipos.onError(e -> errors.add(e.getMessage()));
        CountedImpl impl = new CountedImpl();
        ipos.expose("spy", Counted.class, impl);
        signal(dir.resolve("exposed-spy"), "");
        for (int n = 1; n <= 2; n++) {
            int expected = Integer.parseInt(awaitFile(dir.resolve("report-" + n), Duration.ofSeconds(100)));
            await(expected + " refusals reported", () -> errors.size() >= expected);
            signal(dir.resolve("runs-" + n), "runs " + impl.runs.get() + "\nrefusals " + errors.size() + "\n"
                    + String.join("\n", errors));
        }
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }

    /** Child "other": once told, calls "spy" and writes the answer. */
    static void spyCaller(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name("other").connect();
        awaitFile(dir.resolve("call-other"), Duration.ofSeconds(100));
        signal(dir.resolve("called-other"), "abs " + ipos.proxy("spy", Counted.class).abs(-9));
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(100));
        ipos.close();
    }

    /** A peer that joined by the parent's address by hand: HELLO with the secret, READY, then frames of the test's. */
    private static final class Forger implements AutoCloseable {
        final RawSocketPeer raw;
        final int id;
        final WireFormat format;
        private int handled;

        Forger(String address, String name) throws IOException {
            raw = RawSocketPeer.connect(address);
            raw.send(RawSocketPeer.hello(name, RawSocketPeer.secretOf(address)));
            List<RawSocketPeer.Frame> frames = raw.awaitFrames(2, PATIENCE);
            assertTrue(frames.size() >= 2 && frames.get(0).type() == FrameDescriptor.WELCOME
                    && frames.get(1).type() == FrameDescriptor.SNAPSHOT, "welcomed with a snapshot: " + frames);
            byte[] welcome = frames.get(0).body();
            id = FrameDescriptor.getInt(welcome, 2);
            format = WireFormat.byName(new String(welcome, 11, welcome[10], StandardCharsets.US_ASCII));
            handled = 2;
            raw.send(BadInputProcessTest.frame(FrameDescriptor.READY, new byte[0]));
        }

        /** A CALL up to the parent, as a forger writes it, in this link's format. */
        byte[] call(long callId, String name, String api, String method, List<String> types, Object... args) {
            return ForgedCalls.call(format, callId, name, api, method, types, args);
        }

        /**
         * Reads until the RESULT of {@code callId} (answering any SYNC on the way): "from N status S: "
         * then the reason (failed) or the value (returned).
         */
        String awaitResult(long callId) throws IOException {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (System.nanoTime() < deadline) {
                boolean ended = raw.poll();
                List<RawSocketPeer.Frame> frames = raw.frames();
                for (; handled < frames.size(); handled++) {
                    RawSocketPeer.Frame f = frames.get(handled);
                    byte[] b = f.body();
                    if (f.type() == FrameDescriptor.SYNC) {
                        raw.send(BadInputProcessTest.frame(FrameDescriptor.SYNC_ACK, b));
                    } else if (f.type() == FrameDescriptor.ERROR) {
                        fail("the parent dropped the forger: " + f.text());
                    } else if (f.type() == FrameDescriptor.RESULT && FrameDescriptor.getLong(b, 4) == callId) {
                        handled++;
                        int status = b[12];
                        String head = "from " + FrameDescriptor.getInt(b, 0) + " status " + status + ": ";
                        if (status == FrameDescriptor.RESULT_RETURNED) {
                            ValueReader r = format.newReader();
                            r.reset(b, 13, b.length - 13);
                            return head + new ValueCodec(ClassRegistry.global()).read(r);
                        }
                        return head + new String(b, 13, b.length - 13, StandardCharsets.UTF_8);
                    }
                }
                if (ended) {
                    fail("the parent closed the forger's link before the RESULT of call " + callId);
                }
                raw.awaitFrames(handled + 1, Duration.ofMillis(50));
            }
            throw new AssertionError("no RESULT for call " + callId + " within " + PATIENCE.toMillis() + " ms");
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }

    @Test
    void callsForgedByARawPeerToAnythingButTheExposedMethodsRunNothingAndGetAFailedResult(@TempDir Path dir) throws Exception {
        List<IposException> parentErrors = new CopyOnWriteArrayList<>();
        try (IPOS parent = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start().onError(parentErrors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            kids.spawn(parent, CallsFailuresProcessTest.class, "spyExposer", dir.toString());
            kids.spawn(parent, CallsFailuresProcessTest.class, "spyCaller", dir.toString());
            awaitFile(dir.resolve("exposed-spy"));
            int spyId = parent.peers().stream().filter(p -> p.name().equals("spy")).findFirst().orElseThrow().id();
            try (Forger forger = new Forger(parent.address(), "forger")) {
                String api = Counted.class.getName();
                Map<String, byte[]> forged = new LinkedHashMap<>();
                long id = 1;
                // (a) methods that are not the exposed interface's
                forged.put("getClass", forger.call(id++, "spy", api, "getClass", List.of()));
                forged.put("wait(long)", forger.call(id++, "spy", api, "wait", List.of("long"), 10L));
                forged.put("notifyAll", forger.call(id++, "spy", api, "notifyAll", List.of()));
                forged.put("toString, overridden by the implementation", forger.call(id++, "spy", api, "toString", List.of()));
                forged.put("hashCode, overridden by the implementation", forger.call(id++, "spy", api, "hashCode", List.of()));
                forged.put("equals, overridden by the implementation", forger.call(id++, "spy", api, "equals",
                        List.of("java.lang.Object"), "x"));
                forged.put("a public method of the implementation class only", forger.call(id++, "spy", api, "secret", List.of()));
                forged.put("a method of another interface of the implementation, named under the exposed one",
                        forger.call(id++, "spy", api, "hidden", List.of()));
                forged.put("an overload the interface does not have", forger.call(id++, "spy", api, "abs", List.of("long"), -5L));
                // (b) other interfaces
                forged.put("another interface the implementation has", forger.call(id++, "spy", Hidden.class.getName(), "hidden",
                        List.of()));
                forged.put("java.lang.Runnable.run", forger.call(id++, "spy", "java.lang.Runnable", "run", List.of()));
                forged.put("another interface with the same method", forger.call(id++, "spy",
                        CallsInProcessTest.MathApi.class.getName(), "abs", List.of("int"), -5));
                // (c) arguments of other types, or too few or many
                forged.put("a String for an int", forger.call(id++, "spy", api, "abs", List.of("int"), "-5"));
                forged.put("a Long for an int", forger.call(id++, "spy", api, "abs", List.of("int"), -5L));
                forged.put("a Double for an int", forger.call(id++, "spy", api, "abs", List.of("int"), -5.0));
                forged.put("null for an int", forger.call(id++, "spy", api, "abs", List.of("int"), (Object) null));
                forged.put("an Integer for a String", forger.call(id++, "spy", api, "echo", List.of("java.lang.String"), 42));
                forged.put("a List for a String", forger.call(id++, "spy", api, "echo", List.of("java.lang.String"),
                        List.of("x")));
                forged.put("parameter types that are not the method's", forger.call(id++, "spy", api, "abs",
                        List.of("java.lang.String"), "-5"));
                forged.put("too few arguments", forger.call(id++, "spy", api, "abs", List.of("int")));
                forged.put("too many arguments", forger.call(id++, "spy", api, "abs", List.of("int"), -5, -6));
                forged.put("a body that does not decode", ForgedCalls.frame(id++, "spy", new byte[] {(byte) 0xC1, 1, 2}));

                long callId = 1;
                List<String> wrong = new ArrayList<>();
                for (Map.Entry<String, byte[]> f : forged.entrySet()) {
                    assertTrue(forger.raw.send(f.getValue()), "the parent took the frame");
                    String result = forger.awaitResult(callId++);
                    if (!result.startsWith("from " + spyId + " status 2: refused a call from forger (id " + forger.id
                            + ") to 'spy': ") || !result.endsWith("; nothing ran")) {
                        wrong.add(f.getKey() + " -> " + result);
                    }
                }
                assertEquals(List.of(), wrong, "each forged call gets a failed RESULT from the exposing child");
                assertEquals(forged.size() + 1, callId);
                forger.raw.send(forger.call(callId, "nobody", api, "abs", List.of("int"), -5));
                String none = forger.awaitResult(callId++);
                assertTrue(none.startsWith("from 0 status 2: no process exposes 'nobody'"), "the parent answers: " + none);

                signal(dir.resolve("report-1"), String.valueOf(forged.size()));
                String[] report = awaitFile(dir.resolve("runs-1")).split("\n");
                System.out.println("[forged] " + forged.size() + " forged calls; the exposing child: " + report[0] + ", "
                        + report[1]);
                assertEquals("runs 0", report[0], "nothing ran in the exposing child");
                assertEquals("refusals " + forged.size(), report[1], "each refusal was reported to the child's onError:\n"
                        + String.join("\n", report));
                assertTrue(report[2].contains("has no method getClass() that can be called"), report[2]);

                // the links stay up: the forger's own real calls, the parent's and a sibling's run
                forger.raw.send(forger.call(callId, "spy", api, "abs", List.of("int"), -5));
                assertEquals("from " + spyId + " status 0: 5", forger.awaitResult(callId++));
                forger.raw.send(forger.call(callId, "spy", api, "echo", List.of("java.lang.String"), "still here"));
                assertEquals("from " + spyId + " status 0: still here", forger.awaitResult(callId++));
                assertEquals(7, parent.proxy("spy", Counted.class).abs(-7));
                signal(dir.resolve("call-other"), "");
                assertEquals("abs 9", awaitFile(dir.resolve("called-other")));
                signal(dir.resolve("report-2"), String.valueOf(forged.size()));
                String[] after = awaitFile(dir.resolve("runs-2")).split("\n");
                assertEquals("runs 4", after[0], "the four real calls ran, and only they");
                assertEquals("refusals " + forged.size(), after[1], "no more refusals");
                assertFalse(forger.raw.poll(), "the forger's link is up");
                assertEquals(List.of("forger", "other", "spy"), parent.peers().stream().map(Peer::name).sorted().toList());
            }
            System.out.println("[forged] the parent reported " + parentErrors.size() + " errors: " + parentErrors);
            signal(dir.resolve("stop"), "");
        }
    }
}
