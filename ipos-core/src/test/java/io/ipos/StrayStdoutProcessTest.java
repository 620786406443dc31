package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Text that reaches a child's real stdout after {@code connect()} (written to
 * {@code FileDescriptor.out}, through a {@code PrintStream} taken before {@code connect()} as a
 * logger does, or by a grandchild started with {@code inheritIO()}) lands in the middle of the
 * link. The parent says so in words, quotes the text and says what to do; the child hears that
 * the parent dropped it and why; the other children carry on. Real processes.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StrayStdoutProcessTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fd", "early-print-stream", "inheritio-grandchild"})
    void textOnAChildsRealStdoutAfterConnectIsExplainedAtBothEndsAndTheOthersCarryOn(String how, @TempDir Path dir)
            throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of("k", 1));
            Process bad = kids.spawnOverStdio(ipos, StrayStdoutProcessTest.class, "strayWriter", dir.toString(), how);
            Process good = kids.spawn(ipos, StrayStdoutProcessTest.class, "goodSibling", dir.toString());
            signal(dir.resolve("go"), "");

            await("the stray text reported", () -> !errors.isEmpty());
            await("the writer dropped", () -> !ipos.processes().contains(bad));
            String expectedText = "\"KID hello from " + how + "\\n\"";
            String message = errors.get(0).getMessage();
            System.out.println("[stray stdout] " + how + ": the parent reports: " + message);
            assertTrue(message.startsWith("child pid " + bad.pid() + " wrote text to its stdout after IPOS.connect(): "
                    + expectedText + " at stream offset "), message);
            assertTrue(message.contains(", where a frame belongs (frame at offset "), message);
            assertTrue(message.contains("print with System.out or System.err"), message);
            assertTrue(message.contains("ProcessBuilder.inheritIO() and redirectOutput(Redirect.INHERIT) are not safe: "
                    + "use Redirect.to(file), Redirect.DISCARD or a pipe you read"), message);

            String[] report = awaitFile(dir.resolve("stray-report")).split("\n", 2);
            System.out.println("[stray stdout] " + how + ": the child reports: " + report[1]);
            assertEquals("1", report[0], "one report in the dropped child");
            assertTrue(report[1].startsWith("the parent dropped this process: child pid " + bad.pid()
                    + " wrote text to its stdout after IPOS.connect(): " + expectedText), report[1]);
            assertTrue(report[1].endsWith("; this process keeps its last state and further writes stay local"), report[1]);
            assertTrue(bad.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, bad.exitValue(), "the dropped child keeps its state and ends normally");

            m.put("parent", 2);
            signal(dir.resolve("carry-on"), "");
            await("the good sibling's write", () -> m.containsKey("good"));
            ipos.flush().join();
            assertEquals(List.of(good), ipos.processes());
            signal(dir.resolve("dump"), "");
            assertEquals(dump(ipos), awaitFile(dir.resolve("good-dump")));
            assertEquals(1, errors.size(), errors.toString());
        }
    }

    static void strayWriter(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String how = args[1];
        PrintStream early = System.out; // taken before connect(), as a logger's console appender does
        IPOS ipos = IPOS.connect();
        List<IposException> errors = new CopyOnWriteArrayList<>();
        ipos.onError(errors::add);
        awaitFile(dir.resolve("go"));
        String text = "KID hello from " + how + "\n";
        switch (how) {
            case "fd" -> {
                FileOutputStream out = new FileOutputStream(FileDescriptor.out);
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            case "early-print-stream" -> {
                early.print(text);
                early.flush();
            }
            case "inheritio-grandchild" -> {
                Process grandchild = ChildMain.childProcess(StrayStdoutProcessTest.class, "printingGrandchild", how)
                        .inheritIO().start();
                if (!grandchild.waitFor(20, TimeUnit.SECONDS) || grandchild.exitValue() != 0) {
                    throw new AssertionError("the grandchild did not end well");
                }
            }
            default -> throw new IllegalArgumentException(how);
        }
        await("the parent dropping this process", () -> !ipos.isConnected());
        await("the report", () -> !errors.isEmpty());
        ChildMain.sleep(100); // a second report would come now
        signal(dir.resolve("stray-report"), errors.size() + "\n" + errors.get(0).getMessage());
        if (!Map.of("k", 1).equals(ipos.get("m"))) {
            throw new AssertionError("the dropped child lost its state: " + dump(ipos));
        }
    }

    /** A program the child starts with inheritIO(): its println goes to the child's real stdout, the link. */
    static void printingGrandchild(String[] args) throws IOException {
        System.out.print("KID hello from " + args[0] + "\n");
        System.out.flush();
    }

    static void goodSibling(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("carry-on"));
        SharedMap<String, Object> m = ipos.get("m");
        await("the parent's write", () -> m.containsKey("parent"));
        m.put("good", 3);
        ipos.flush().join();
        awaitFile(dir.resolve("dump"));
        signal(dir.resolve("good-dump"), dump(ipos));
        ipos.close();
    }
}
