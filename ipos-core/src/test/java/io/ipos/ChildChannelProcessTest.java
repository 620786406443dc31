package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What carries a child's link, and what that leaves to the child. A child that {@code spawn}
 * started links over a Unix socket of its own, so its stdin, stdout and stderr are its own: it
 * prints to its real stdout, and programs it starts with {@code inheritIO()} may print floods and
 * read its stdin, without touching the link. A child linked with {@code addProcess} uses its
 * stdin/stdout, and both kinds share one state. Real processes, grandchildren included.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChildChannelProcessTest {
    /** Lines the chatty grandchild prints: about 2.3 MB, far past any pipe's buffer. */
    static final int CHATTER_LINES = 20_000;

    private static Connection.Kind kindOf(IPOS ipos, Process p) {
        for (ChildLink l : ipos.links()) {
            if (l.process == p) {
                return l.connection.kind;
            }
        }
        return null;
    }

    @Test
    void childrenOverTheirOwnSocketAndOverStdioShareOneState(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of("from", "parent"));
            Process overSocket = kids.spawn(ipos, ChildChannelProcessTest.class, "sharer", dir.toString(), "socket");
            Process overStdio = kids.spawnOverStdio(ipos, ChildChannelProcessTest.class, "sharer", dir.toString(), "stdio");
            assertEquals(Connection.Kind.UNIX, kindOf(ipos, overSocket), "spawn gives the child a socket of its own");
            assertEquals(Connection.Kind.PIPES, kindOf(ipos, overStdio), "addProcess links over the child's stdin/stdout");

            m.put("parent", 0);
            signal(dir.resolve("go"), "");
            await("both children's writes", () -> m.containsKey("socket") && m.containsKey("stdio"));
            await("both children saw each other's writes", () -> m.containsKey("socket-saw-all") && m.containsKey("stdio-saw-all"));
            ipos.flush().get(10, TimeUnit.SECONDS);
            signal(dir.resolve("dump"), "");
            String parentDump = dump(ipos);
            assertEquals(parentDump, awaitFile(dir.resolve("dump-socket")));
            assertEquals(parentDump, awaitFile(dir.resolve("dump-stdio")));
            assertEquals("true", awaitFile(dir.resolve("env-socket")), "a spawned child finds its socket in IPOS_ADDRESS");
            assertEquals("false", awaitFile(dir.resolve("env-stdio")), "a child linked by its pipes has no IPOS_ADDRESS");
            assertEquals(List.of(), errors);
        }
    }

    static void sharer(String[] args) {
        Path dir = Path.of(args[0]);
        String who = args[1];
        String env = System.getenv(ChildSockets.ENV);
        signal(dir.resolve("env-" + who), Boolean.toString(env != null && env.startsWith("unix:")));
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("go"));
        SharedMap<String, Object> m = ipos.get("m");
        m.put(who, List.of(who, ProcessHandle.current().pid()));
        await("every writer's key", () -> m.containsKey("parent") && m.containsKey("socket") && m.containsKey("stdio"));
        m.put(who + "-saw-all", true);
        ipos.flush().join();
        awaitFile(dir.resolve("dump"));
        signal(dir.resolve("dump-" + who), dump(ipos));
        ipos.close();
    }

    @Test
    void aSocketChildsStdoutIsItsOwnAndAGrandchildInheritingItMayPrintAFlood(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of());
            Path stdout = dir.resolve("child-stdout.txt");
            ProcessBuilder b = ChildMain.childProcess(ChildChannelProcessTest.class, "parentOfAChattyGrandchild", dir.toString())
                    .redirectOutput(stdout.toFile());
            Process child = kids.spawn(ipos, b);
            kids.track(Long.parseLong(awaitFile(dir.resolve("grandchild-pid"))));

            await("the child's writes while the grandchild printed", () -> Integer.valueOf(1).equals(m.get("done")),
                    java.time.Duration.ofSeconds(60));
            assertEquals(0, m.get("grandchild-exit"), "the grandchild printed everything and ended normally");
            for (int i = 0; i < 500; i++) {
                assertEquals(i, m.get("k" + i));
            }
            m.put("ping", "after the flood");
            await("the child's answer over the same link", () -> "after the flood".equals(m.get("pong")));
            assertEquals(List.of(child), ipos.processes(), "the link survived");
            assertEquals(List.of(), errors, "nothing the grandchild printed reached the link");
            m.put("bye", 1); // the child closes only now: processes() would no longer list it after

            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
            List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
            assertEquals("CHILD System.out.println after connect", lines.get(0),
                    "a socket child's System.out is its real stdout (the builder's file)");
            long chatter = lines.stream().filter(l -> l.startsWith("GRANDCHILD line ")).count();
            assertEquals(CHATTER_LINES, chatter, "every line the grandchild printed is in the child's stdout");
            assertEquals("CHILD done", lines.get(lines.size() - 1));
        }
    }

    static void parentOfAChattyGrandchild(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        System.out.println("CHILD System.out.println after connect");
        System.out.flush();
        Process grandchild = ChildMain.childProcess(ChildChannelProcessTest.class, "chatter").inheritIO().start();
        signal(dir.resolve("grandchild-pid"), Long.toString(grandchild.pid()));
        SharedMap<String, Object> m = ipos.get("m");
        for (int i = 0; i < 500; i++) { // writes while the grandchild prints on the same stdout
            m.put("k" + i, i);
            if (i % 50 == 0) {
                Thread.sleep(5);
            }
        }
        m.put("grandchild-exit", grandchild.waitFor());
        m.put("done", 1);
        await("the parent's ping", () -> m.containsKey("ping"));
        m.put("pong", m.get("ping"));
        await("the parent's bye", () -> m.containsKey("bye"));
        ipos.flush().join();
        System.out.println("CHILD done");
        ipos.close();
    }

    static void chatter(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        String pad = "x".repeat(100);
        for (int i = 0; i < CHATTER_LINES; i++) {
            out.println("GRANDCHILD line " + i + " " + pad);
        }
        out.flush();
    }

    @Test
    void aSocketChildsStdinIsItsOwnAndAGrandchildInheritingItReadsWhatTheParentWrote(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of());
            ProcessBuilder b = ChildMain.childProcess(ChildChannelProcessTest.class, "stdinReader", dir.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD); // stdin stays a pipe: the test writes to it
            Process child = kids.spawn(ipos, b);
            OutputStream toChildsStdin = child.getOutputStream();

            toChildsStdin.write("first line, for the child\n".getBytes(StandardCharsets.UTF_8));
            toChildsStdin.flush();
            await("the child read its stdin", () -> m.containsKey("child-read"));
            assertEquals("first line, for the child", m.get("child-read"));
            kids.track(Long.parseLong(awaitFile(dir.resolve("grandchild-pid"))));

            toChildsStdin.write("second line, for the grandchild\n".getBytes(StandardCharsets.UTF_8));
            toChildsStdin.flush();
            await("the grandchild's line, through the child", () -> m.containsKey("grandchild-read"));
            assertEquals("second line, for the grandchild", m.get("grandchild-read"));

            m.put("ping", 1);
            await("the link still carries both ways", () -> Integer.valueOf(1).equals(m.get("pong")));
            assertEquals(List.of(child), ipos.processes(), "the link survived");
            assertEquals(List.of(), errors, "nothing read from the child's stdin came from or went to the link");
            m.put("bye", 1); // the child closes only now: processes() would no longer list it after
            toChildsStdin.close();
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, child.exitValue());
        }
    }

    static void stdinReader(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Object> m = ipos.get("m");
        m.put("child-read", readLine(System.in)); // byte by byte: the next line stays for the grandchild
        Path report = dir.resolve("grandchild-read");
        Process grandchild = ChildMain.childProcess(ChildChannelProcessTest.class, "lineReader", report.toString())
                .inheritIO().start();
        signal(dir.resolve("grandchild-pid"), Long.toString(grandchild.pid()));
        if (grandchild.waitFor() != 0) {
            throw new AssertionError("the grandchild failed: " + grandchild.exitValue());
        }
        m.put("grandchild-read", ChildMain.read(report));
        await("the parent's ping", () -> m.containsKey("ping"));
        m.put("pong", m.get("ping"));
        await("the parent's bye", () -> m.containsKey("bye"));
        ipos.flush().join();
        ipos.close();
    }

    static void lineReader(String[] args) throws IOException {
        signal(Path.of(args[0]), readLine(System.in));
    }

    private static String readLine(InputStream in) throws IOException {
        List<Byte> bytes = new ArrayList<>();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("stdin ended before a line");
            }
            bytes.add((byte) c);
        }
        byte[] b = new byte[bytes.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = bytes.get(i);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * DESIGN ("Joining by address"): {@code IPOS.javaProcess} returns a builder whose stdout and
     * stderr are inherited, so a child that prints just prints. With a piped stdout that
     * {@code spawn} leaves alone, nobody read that pipe, and a socket child that printed more than
     * the pipe holds (64 KiB on Linux) blocked in {@code println} for ever.
     */
    @Test
    void aSpawnedChildOfTheDefaultJavaProcessBuilderMayPrintMoreThanAPipeHolds(@TempDir Path dir) throws Exception {
        try (IPOS ipos = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of());
            kids.spawn(ipos, ChildMain.childProcess(ChildChannelProcessTest.class, "printALot")); // the builder as javaProcess makes it
            await("the child's write after printing 1 MB", () -> m.containsKey("printed"), java.time.Duration.ofSeconds(15));
        }
    }

    static void printALot(String[] args) {
        IPOS ipos = IPOS.connect();
        String line = "y".repeat(1000);
        for (int i = 0; i < 1000; i++) {
            System.out.println(line);
        }
        ipos.<SharedMap<String, Object>>get("m").put("printed", true);
        ipos.flush().join();
        ipos.close();
    }
}
