package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.childProcess;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.read;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes come and go: killed children, a parent that dies under its child, a parent that
 * closes, a child whose main just returns, and children that print to stdout before and after
 * they connect.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LifecycleProcessTest {

    // ---------------------------------------------------------------- a child killed while it writes

    @Test
    void childKilledMidWriteLeavesParentAndSiblingConsistent(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Integer> pairs = ipos.create("pairs", Map.of());
            SharedList<Integer> twins = ipos.create("twins", List.of());
            ipos.create("set", Set.of());
            ipos.create("parentCounter", 0);
            Process doomed = kids.spawn(ipos, LifecycleProcessTest.class, "franticWriter", dir.toString());
            Process survivor = kids.spawn(ipos, LifecycleProcessTest.class, "survivor", dir.toString());

            await("the doomed child writing", () -> pairs.size() > 4_000);
            for (int i = 0; i < 200; i++) {
                ipos.create("parentCounter", i);
            }
            doomed.destroyForcibly();
            assertTrue(doomed.waitFor(10, TimeUnit.SECONDS));
            await("the parent dropping the killed child", () -> !ipos.processes().contains(doomed));
            assertEquals(List.of(survivor), ipos.processes());
            assertTrue(ipos.isConnected());
            for (IposException e : errors) {
                assertTrue(e.getMessage().contains("child pid " + doomed.pid()), "an error about the killed child only: " + e);
            }

            // nothing half-applied: each putAll/addAll of the killed child is there whole or not at all
            Map<String, Integer> p = Map.copyOf(pairs);
            for (int i = 0; p.containsKey("a" + i) || p.containsKey("b" + i); i++) {
                assertEquals(p.get("a" + i), p.get("b" + i), "pair " + i);
            }
            assertEquals(0, p.size() % 2, "pairs come in twos");
            List<Integer> t = List.copyOf(twins);
            assertEquals(0, t.size() % 2);
            for (int i = 0; i < t.size(); i += 2) {
                assertEquals(t.get(i), t.get(i + 1), "twins at " + i);
            }

            // the parent and the surviving child carry on, and agree
            ipos.create("afterKill", "parent");
            SharedMap<String, Object> fromSurvivor = ipos.create("fromSurvivor", Map.of());
            ipos.flush().join(); // the file signal outruns the pipe: the survivor must hold the field first
            signal(dir.resolve("write-more"), "");
            await("the survivor's write after the kill", () -> fromSurvivor.containsKey("done"));
            ipos.flush().join();
            signal(dir.resolve("dump"), "");
            assertEquals(dump(ipos), awaitFile(dir.resolve("survivor-dump")));
            assertTrue(survivor.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, survivor.exitValue());
        }
    }

    static void franticWriter(String[] args) {
        IPOS ipos = IPOS.connect();
        SharedMap<String, Integer> pairs = ipos.get("pairs");
        SharedList<Integer> twins = ipos.get("twins");
        SharedSet<String> set = ipos.get("set");
        for (int i = 0; ; i++) {
            pairs.putAll(Map.of("a" + i, i, "b" + i, i));
            twins.addAll(List.of(i, i));
            set.addAll(List.of("x" + i, "y" + i));
        }
    }

    static void survivor(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Integer> pairs = ipos.get("pairs");
        for (int i = 0; read(dir.resolve("write-more")) == null; i++) {
            ipos.create("survivorCounter", i);
            pairs.size();
            ChildMain.sleep(1);
        }
        SharedMap<String, Object> fromSurvivor = ipos.get("fromSurvivor");
        fromSurvivor.put("done", true);
        ipos.flush().join();
        awaitFile(dir.resolve("dump"));
        signal(dir.resolve("survivor-dump"), dump(ipos));
        ipos.close();
    }

    // ---------------------------------------------------------------- a parent that dies

    @Test
    void grandchildSeesItsParentDieWithinASecondAndKeepsItsState(@TempDir Path dir) throws Exception {
        try (ChildMain.Kids kids = new ChildMain.Kids()) {
            ProcessBuilder b = childProcess(LifecycleProcessTest.class, "middle", dir.toString());
            b.redirectError(Redirect.INHERIT).redirectOutput(Redirect.DISCARD);
            Process middle = kids.start(b);
            String grandchildPid = awaitFile(dir.resolve("middle-ready"));
            kids.track(Long.parseLong(grandchildPid));

            long killedAt = System.currentTimeMillis();
            middle.destroyForcibly();
            String[] report = awaitFile(dir.resolve("grandchild-report")).split("\n", 2);
            long noticedAfter = Long.parseLong(report[0]) - killedAt;
            assertTrue(noticedAfter < 1_000, "isConnected() turned false " + noticedAfter + " ms after the kill");
            assertEquals("""
                    afterDisconnect = String("local")
                    list = List[Integer(1), Integer(2), Integer(3)]
                    map = Map{String("k")=String("v"), String("late")=Integer(99)}
                    """, report[1]);
            assertEquals("0", awaitFile(dir.resolve("grandchild-exit")));
        }
    }

    static void middle(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.start();
        SharedMap<String, Object> map = ipos.create("map", Map.of("k", "v"));
        ipos.create("list", List.of(1, 2, 3));
        Process grandchild = ipos.spawn(childProcess(LifecycleProcessTest.class, "grandchild", dir.toString()));
        map.put("late", 99);
        ipos.flush().join();
        signal(dir.resolve("middle-ready"), Long.toString(grandchild.pid()));
        ChildMain.sleep(60_000);
    }

    static void grandchild(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        List<IposException> errors = new CopyOnWriteArrayList<>();
        ipos.onError(errors::add);
        while (ipos.isConnected()) {
            ChildMain.sleep(1);
        }
        long noticed = System.currentTimeMillis();
        ipos.create("afterDisconnect", "local");
        boolean flushFails = ipos.flush().isCompletedExceptionally();
        signal(dir.resolve("grandchild-report"), noticed + "\n" + dump(ipos));
        signal(dir.resolve("grandchild-exit"), flushFails && errors.size() == 1 ? "0" : "flushFails=" + flushFails
                + " errors=" + errors);
    }

    // ---------------------------------------------------------------- the parent closes

    @Test
    void parentCloseDisconnectsEveryChildWithinASecond(@TempDir Path dir) throws Exception {
        try (ChildMain.Kids kids = new ChildMain.Kids()) {
            IPOS ipos = IPOS.start();
            ipos.create("field", List.of("kept"));
            Process a = kids.spawn(ipos, LifecycleProcessTest.class, "awaitsClose", dir.toString(), "a");
            Process b = kids.spawn(ipos, LifecycleProcessTest.class, "awaitsClose", dir.toString(), "b");
            long closedAt = System.currentTimeMillis();
            ipos.close();
            long closeTook = System.currentTimeMillis() - closedAt;
            assertTrue(closeTook < 1_500, "close() took " + closeTook + " ms");
            assertFalse(ipos.isConnected());
            ipos.close();
            for (String name : List.of("a", "b")) {
                String[] report = awaitFile(dir.resolve("closed-" + name)).split("\n", 2);
                long noticedAfter = Long.parseLong(report[0]) - closedAt;
                assertTrue(noticedAfter < 1_000, name + ": isConnected() turned false " + noticedAfter + " ms after close()");
                assertEquals("field = List[String(\"kept\"), String(\"local\")]\n", report[1]);
            }
            assertTrue(a.waitFor(10, TimeUnit.SECONDS) && b.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, a.exitValue());
            assertEquals(0, b.exitValue());
            // writes after close stay local and throw nothing
            ipos.create("afterClose", 1);
            assertEquals(1, (int) ipos.get("afterClose"));
        }
    }

    static void awaitsClose(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        while (ipos.isConnected()) {
            ChildMain.sleep(1);
        }
        long noticed = System.currentTimeMillis();
        SharedList<String> field = ipos.get("field");
        field.add("local");
        signal(dir.resolve("closed-" + args[1]), noticed + "\n" + dump(ipos));
    }

    @Test
    void removedChildSeesItsParentLeaveAndKeepsRunning(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("field", List.of("kept"));
            Process child = kids.spawn(ipos, LifecycleProcessTest.class, "awaitsClose", dir.toString(), "removed");
            assertTrue(ipos.removeProcess(child));
            assertFalse(ipos.removeProcess(child), "removed once");
            assertEquals(List.of(), ipos.processes());
            String[] report = awaitFile(dir.resolve("closed-removed")).split("\n", 2);
            assertEquals("field = List[String(\"kept\"), String(\"local\")]\n", report[1]);
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
            ipos.create("afterRemoval", 1);
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void spawnOfAProgramThatExitsWithoutConnectingFailsClearly() throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add)) {
            IposException e = org.junit.jupiter.api.Assertions.assertThrows(IposException.class,
                    () -> ipos.spawn(childProcess(LifecycleProcessTest.class, "neverConnects")));
            assertTrue(e.getMessage().matches("child pid \\d+ ended before the ipos handshake \\(exit code 0\\); does its main "
                    + "call IPOS.connect\\(\\)\\?"), e.getMessage());
            assertEquals(List.of(), ipos.processes());
            ipos.create("stillWorks", 1);
        }
    }

    static void neverConnects(String[] args) {
        System.out.println("a program that forgot IPOS.connect()");
    }

    @Test
    void spawnOfAProgramThatNeverConnectsTimesOutAndDestroysIt() throws Exception {
        try (IPOS ipos = IPOS.start().onError(e -> { })) {
            ProcessBuilder b = childProcess(LifecycleProcessTest.class, "sleepsWithoutConnecting");
            IposException e = org.junit.jupiter.api.Assertions.assertThrows(IposException.class,
                    () -> ipos.spawn(b, java.time.Duration.ofMillis(1_500)));
            assertTrue(e.getMessage().matches("child pid \\d+ did not connect within 1500 ms and was destroyed: does its main "
                    + "call IPOS.connect\\(\\) early\\?"), e.getMessage());
            long pid = Long.parseLong(e.getMessage().split(" ")[2]);
            await("the child destroyed", () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        }
    }

    static void sleepsWithoutConnecting(String[] args) {
        ChildMain.sleep(30_000);
    }

    // ---------------------------------------------------------------- a child's main returns

    @Test
    void childWhoseMainReturnsWithoutCloseExitsPromptlyAndItsLastWritesArrive(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Integer> noise = ipos.create("noise", Map.of());
            List<Process> children = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                ipos.create("from-" + name, Map.of());
                children.add(kids.spawn(ipos, LifecycleProcessTest.class, "returnsFromMain", dir.toString(), name));
            }
            // the parent keeps writing to the children while they finish and exit
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    noise.put("n" + (i % 100), i);
                }
            });
            writer.start();
            Map<Process, Long> exitedAt = new java.util.concurrent.ConcurrentHashMap<>();
            for (Process child : children) {
                child.onExit().thenRun(() -> exitedAt.put(child, System.currentTimeMillis()));
            }
            try {
                signal(dir.resolve("go"), "");
                for (int i = 0; i < children.size(); i++) {
                    Process child = children.get(i);
                    String name = List.of("a", "b", "c").get(i);
                    long returnedAt = Long.parseLong(awaitFile(dir.resolve("returning-" + name)));
                    assertTrue(child.waitFor(10, TimeUnit.SECONDS), name + " did not exit");
                    await("the exit noted", () -> exitedAt.containsKey(child));
                    // the exit hook drains what is queued for at most 2 s
                    long exitedAfter = exitedAt.get(child) - returnedAt;
                    assertTrue(exitedAfter < 3_000, name + " took " + exitedAfter + " ms to exit after main returned");
                    assertEquals(0, child.exitValue());
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            await("the children dropped", () -> ipos.processes().isEmpty());
            for (String name : List.of("a", "b", "c")) {
                Map<?, ?> from = ipos.get("from-" + name);
                assertEquals(RETURN_WRITES + 1, from.size(), "writes from " + name + " that reached the parent");
                assertEquals(true, from.get("last"));
            }
            assertEquals(List.of(), errors);
        }
    }

    static final int RETURN_WRITES = 5_000;

    static void returnsFromMain(String[] args) {
        Path dir = Path.of(args[0]);
        String name = args[1];
        IPOS ipos = IPOS.connect();
        SharedMap<String, Object> mine = ipos.get("from-" + name);
        awaitFile(dir.resolve("go"));
        for (int i = 0; i < RETURN_WRITES; i++) {
            mine.put("k" + i, i);
        }
        mine.put("last", true);
        signal(dir.resolve("returning-" + name), Long.toString(System.currentTimeMillis()));
    }

    // ---------------------------------------------------------------- stdout

    @Test
    void stdoutNoiseBeforeConnectIsSkippedAndEchoedToStderr(@TempDir Path dir) throws Exception {
        PrintStream realErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of());
            Process child;
            System.setErr(new PrintStream(new Tee(realErr, captured), true, StandardCharsets.UTF_8));
            try {
                child = kids.spawnOverStdio(ipos, LifecycleProcessTest.class, "noisyBeforeConnect", dir.toString());
            } finally {
                System.setErr(realErr);
            }
            await("the noisy child's write", () -> m.containsKey("written"));
            assertEquals(List.of("a", "b"), m.get("written"));
            String echoed = captured.toString(StandardCharsets.UTF_8);
            String prefix = "[child pid " + child.pid() + " stdout] ";
            assertTrue(echoed.contains(prefix + "A library banner\n"), echoed);
            assertTrue(echoed.contains(prefix + "second line \u00e9\u4e2d\n"), echoed);
            assertTrue(echoed.contains("IPO almost the magic"), echoed);
            assertTrue(echoed.contains("no newline before connect"), echoed);
            assertEquals(List.of(), errors);
        }
    }

    static void noisyBeforeConnect(String[] args) throws IOException {
        System.out.println("A library banner");
        System.out.println("second line \u00e9\u4e2d");
        System.out.write(new byte[] {(byte) 0x89, 'I', 'P', 'O', ' ', 'a', 'l', 'm', 'o', 's', 't', ' '});
        System.out.println("the magic");
        System.out.print("no newline before connect");
        IPOS ipos = IPOS.connect();
        SharedMap<String, Object> m = ipos.get("m");
        m.put("written", List.of("a", "b"));
        ipos.flush().join();
        ipos.close();
    }

    @Test
    void stdoutAfterConnectGoesToStderrAndLeavesTheLinkIntact(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        Path stderr = dir.resolve("child-stderr.txt");
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of());
            ProcessBuilder b = childProcess(LifecycleProcessTest.class, "noisyAfterConnect", dir.toString());
            b.redirectError(stderr.toFile()).redirectOutput(ProcessBuilder.Redirect.PIPE);
            Process child = kids.start(b); // linked over its stdin/stdout: only there can a println reach the link
            ipos.addProcess(child).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 100; i++) {
                m.put("p" + i, i);
            }
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
            await("the child's writes", () -> m.size() == 200);
            String err = Files.readString(stderr, StandardCharsets.UTF_8);
            assertTrue(err.contains("println after connect 0\n"), err);
            assertTrue(err.contains("println after connect 99\n"), err);
            assertTrue(err.contains("raw bytes after connect"), err);
            assertEquals("saw 100", read(dir.resolve("child-saw")));
            assertEquals(List.of(), errors);
        }
    }

    static void noisyAfterConnect(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Object> m = ipos.get("m");
        for (int i = 0; i < 100; i++) {
            System.out.println("println after connect " + i);
            m.put("c" + i, i);
        }
        System.out.write("raw bytes after connect\n".getBytes(StandardCharsets.UTF_8));
        System.out.flush();
        new PrintStream(new FileOutputStream(FileDescriptor.err), true).println("plain stderr");
        await("the parent's writes", () -> m.size() == 200);
        ipos.flush().join();
        signal(dir.resolve("child-saw"), "saw " + m.keySet().stream().filter(k -> k.startsWith("p")).count());
        ipos.close();
    }

    /** Writes to two streams. */
    static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
