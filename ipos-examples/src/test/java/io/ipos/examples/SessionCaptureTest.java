package io.ipos.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ipos.IPOS;
import io.ipos.SharedList;
import io.ipos.SharedMap;
import io.ipos.SharedSet;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wire protocol is readable from another language: a real parent and a real child JVM run a
 * short session while both directions of their link are copied to files (the parent links the
 * child through {@link IPOS#addProcess} with a {@link Process} whose stdin and stdout streams tee),
 * then {@code node/decode-session.mjs}, with the stock npm package {@code @msgpack/msgpack},
 * decodes the captures and must print exactly the ops that were written. The decoding is skipped,
 * saying why, when {@code node} or {@code npm} is not on the PATH or when {@code npm ci} can't fetch
 * the package for lack of network ({@link #fetchFailure}); any other {@code npm ci} failure fails.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SessionCaptureTest {
    static final Path NODE_DIR = Path.of(System.getProperty("basedir", "."), "node");
    /**
     * Installs the decoder's one package. One retry and a 30 s request timeout, so that a network
     * that drops packets fails within {@link #run}'s 90 s, as a fetch failure, rather than by timeout.
     */
    static final List<String> NPM_CI = List.of("npm", "ci", "--no-audit", "--no-fund", "--fetch-retries=1",
            "--fetch-timeout=30000");
    /**
     * npm's error codes for a request to the registry that got no answer (no DNS, no route, refused,
     * reset, timed out), and {@code ENOTCACHED}: offline mode without the package in the cache.
     */
    static final Set<String> FETCH_FAILURE_CODES = Set.of("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET",
            "ETIMEDOUT", "ESOCKETTIMEDOUT", "ERR_SOCKET_TIMEOUT", "ENETUNREACH", "EHOSTUNREACH", "ENETDOWN",
            "ECONNABORTED", "ENOTCACHED");
    /** {@code npm ERR! code X} (npm up to 9) or {@code npm error code X} (npm 10 on). */
    private static final Pattern NPM_CODE = Pattern.compile("(?m)^npm (?:ERR!|error) code (\\S+)\\s*$");
    /** The lines npm prints when it classifies a failure as a network problem. */
    private static final Pattern NPM_NETWORK = Pattern.compile("(?m)^npm (?:ERR!|error) network (\\S.*)$");
    private static final Pattern FAILED_REQUEST = Pattern.compile("request to \\S+ failed[^\\r\\n]*");
    static boolean nodeReady;
    static String nodeMissing;

    @BeforeAll
    static void installTheDecoder() throws Exception {
        nodeMissing = missing("node") != null ? missing("node") : missing("npm");
        if (nodeMissing != null) {
            return;
        }
        Run npm = run(NODE_DIR, NPM_CI);
        if (npm.exit != 0 && fetchFailure(npm.output) != null) {
            nodeMissing = fetchFailure(npm.output);
            return;
        }
        assertEquals(0, npm.exit, "npm ci in " + NODE_DIR + " failed:\n" + npm.output);
        nodeReady = true;
    }

    /**
     * Why {@code npm ci} failed, if it failed to fetch from the registry for lack of network (a
     * reason to skip, not to fail); null for any other failure (a missing package, a bad lock file,
     * an integrity error), which must fail the test.
     *
     * @param npmOutput what {@code npm ci} printed, stdout and stderr
     */
    static String fetchFailure(String npmOutput) {
        Matcher code = NPM_CODE.matcher(npmOutput);
        String c = code.find() ? code.group(1) : null;
        Matcher network = NPM_NETWORK.matcher(npmOutput);
        boolean networkLine = network.find();
        if (!(c != null && FETCH_FAILURE_CODES.contains(c)) && !networkLine) {
            return null;
        }
        Matcher request = FAILED_REQUEST.matcher(npmOutput);
        String detail = request.find() ? request.group() : networkLine ? network.group(1) : "no detail";
        return "npm ci could not fetch its package from the registry (no network?): "
                + (c != null ? "code " + c + ", " : "") + detail;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"msgpack", "json"})
    void nodeDecodesACapturedSessionIntoTheOpsThatWereWritten(String format, @TempDir Path dir) throws Exception {
        Path down = dir.resolve("parent-to-child.bin");
        Path up = dir.resolve("child-to-parent.bin");
        capture(format, down, up);
        assertTrue(Files.size(down) > 100 && Files.size(up) > 30, "both directions were captured");
        assumeTrue(nodeReady, () -> "skipped decoding the capture with node: " + nodeMissing);

        List<String> parentToChild = decode(down, null);
        assertInOrder(parentToChild,
                "MAGIC",
                "WELCOME version=3 child=1 maxFrameBytes=67108864 format=" + format + " access=read-write name=\"child-1\" peers=[0:parent]",
                "OP MAP_PUT root \"jobs\": list 0:2 [\"a\"]",
                "OP LIST_INSERT 0:2 at end: \"b\"",
                "OP LIST_SET 0:2 [0] = \"A\"",
                "OP LIST_REMOVE 0:2 [1, 2)",
                "OP MAP_PUT 0:1 \"timeout\": Duration(5s)",
                "OP MAP_PUT 0:1 \"id\": UUID(123e4567-e89b-12d3-a456-426614174000)",
                "OP MAP_PUT 0:1 \"price\": BigDecimal(1.50)",
                "OP MAP_PUT 0:1 \"big\": Long(5)",
                "OP MAP_PUT 0:1 \"huge\": 9223372036854775807",
                "OP MAP_PUT 0:1 \"at\": Instant(2023-11-14T22:13:20.000000005Z)",
                "OP MAP_PUT 0:1 \"bytes\": bin(0102ff)",
                "OP MAP_PUT 0:1 \"ratio\": 0.25",
                "OP MAP_PUT 0:1 \"letter\": Character(\"x\")",
                "OP MAP_REMOVE 0:1 \"retries\"",
                "OP MAP_PUT root \"tags\": set 0:3 {\"x\"}",
                "OP SET_ADD 0:3 Map{\"k\": List[1, null]}",
                "OP MAP_PUT_IF_ABSENT 0:1 \"once\": \"first\"",
                "OP MAP_REMOVE root \"greeting\"",
                "OP MAP_PUT root \"go\": true",
                "ACK");
        String snapshot = parentToChild.stream().filter(l -> l.startsWith("SNAPSHOT ")).findFirst().orElseThrow();
        assertTrue(snapshot.startsWith("SNAPSHOT counters {0:1} fields {"), snapshot);
        assertTrue(snapshot.contains("\"greeting\": \"hello\""), snapshot);
        assertTrue(snapshot.contains("\"config\": map 0:1 {\"retries\": 3}"), snapshot);

        List<String> childToParent = decode(up, format);
        assertInOrder(childToParent,
                "MAGIC",
                "HELLO version=3 pid=",
                "READY",
                "OP MAP_PUT 0:1 \"fromChild\": 42",
                "OP MAP_PUT root \"childList\": list 1:1 [1, \"one\"]");
    }

    /** Runs the session: a parent on {@code format}, one child, the link's two directions teed to files. */
    static void capture(String format, Path down, Path up) throws Exception {
        Process real = IPOS.javaProcess(CaptureChild.class).redirectOutput(Redirect.PIPE).start();
        TeeProcess child = new TeeProcess(real, down, up);
        try (IPOS ipos = IPOS.options().format(format).start()) {
            ipos.create("greeting", "hello");
            SharedMap<String, Object> config = ipos.create("config", Map.of("retries", 3));
            ipos.addProcess(child).get(30, TimeUnit.SECONDS);
            SharedList<Object> jobs = ipos.create("jobs", List.of("a"));
            jobs.add("b");
            jobs.set(0, "A");
            jobs.remove(1);
            config.put("timeout", Duration.ofSeconds(5));
            config.put("id", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
            config.put("price", new BigDecimal("1.50"));
            config.put("big", 5L);
            config.put("huge", Long.MAX_VALUE);
            config.put("at", Instant.ofEpochSecond(1_700_000_000L, 5));
            config.put("bytes", new byte[] {1, 2, -1});
            config.put("ratio", 0.25);
            config.put("letter", 'x');
            config.remove("retries");
            SharedSet<Object> tags = ipos.create("tags", Set.of("x"));
            tags.add(Map.of("k", Arrays.asList(1, null))); // an element is a value: a tagged map, not a container
            config.putIfAbsent("once", "first");
            ipos.delete("greeting");
            ipos.create("go", true);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (ipos.get("childList") == null || !config.containsKey("fromChild")) {
                assertTrue(System.nanoTime() < deadline, "the child's writes within 20 s");
                Thread.sleep(1);
            }
            assertTrue(real.waitFor(20, TimeUnit.SECONDS), "the child leaves");
        } finally {
            real.destroyForcibly();
        }
        assertTrue(child.closed.await(10, TimeUnit.SECONDS), "the parent closed both streams: the captures are whole");
    }

    // ---------------------------------------------------------------- running node

    record Run(int exit, String output) {
    }

    /** Why {@code command} can't run here, or null if it can. */
    static String missing(String command) {
        try {
            Run r = run(NODE_DIR, List.of(command, "--version"));
            return r.exit == 0 ? null : command + " --version exited with " + r.exit;
        } catch (IOException e) {
            return command + " is not on the PATH (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static Run run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e + ")";
            }
        });
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 90 s");
        }
        return new Run(p.exitValue(), out.join());
    }

    /** The decoder's lines for {@code capture}, without their {@code @offset} prefixes. */
    static List<String> decode(Path capture, String format) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "decode-session.mjs"));
        if (format != null) {
            command.addAll(List.of("--format", format));
        }
        command.add(capture.toString());
        Run r = run(NODE_DIR, command);
        assertEquals(0, r.exit, "node decode-session.mjs failed:\n" + r.output);
        List<String> lines = new ArrayList<>();
        for (String line : r.output.split("\n")) {
            if (line.startsWith("@")) {
                lines.add(line.substring(line.indexOf(' ') + 1));
            }
        }
        System.out.println("[decode-session] " + capture.getFileName() + " (" + (format == null ? "format from WELCOME" : format)
                + "):\n  " + String.join("\n  ", lines));
        return lines;
    }

    /** Each expected line starts some line of {@code lines}, in this order. */
    static void assertInOrder(List<String> lines, String... expected) {
        int at = 0;
        for (String e : expected) {
            while (at < lines.size() && !lines.get(at).startsWith(e)) {
                at++;
            }
            assertTrue(at < lines.size(), "no line starting with <" + e + "> in order in:\n" + String.join("\n", lines));
            at++;
        }
    }

    // ---------------------------------------------------------------- the tee

    /**
     * A child process whose stdin and stdout are copied to files as the parent writes and reads
     * them: one capture per direction, byte for byte.
     */
    static final class TeeProcess extends Process {
        private final Process real;
        private final OutputStream toChild;
        private final InputStream fromChild;
        final CountDownLatch closed = new CountDownLatch(2);

        TeeProcess(Process real, Path down, Path up) throws IOException {
            this.real = real;
            OutputStream downCopy = Files.newOutputStream(down);
            OutputStream upCopy = Files.newOutputStream(up);
            this.toChild = new FilterOutputStream(real.getOutputStream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    downCopy.write(b, off, len);
                }

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        downCopy.close();
                        closed.countDown();
                    }
                }
            };
            this.fromChild = new FilterInputStream(real.getInputStream()) {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        upCopy.write(b, off, n);
                    }
                    return n;
                }

                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        upCopy.close();
                        closed.countDown();
                    }
                }
            };
        }

        @Override
        public OutputStream getOutputStream() {
            return toChild;
        }

        @Override
        public InputStream getInputStream() {
            return fromChild;
        }

        @Override
        public InputStream getErrorStream() {
            return real.getErrorStream();
        }

        @Override
        public int waitFor() throws InterruptedException {
            return real.waitFor();
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            return real.waitFor(timeout, unit);
        }

        @Override
        public int exitValue() {
            return real.exitValue();
        }

        @Override
        public void destroy() {
            real.destroy();
        }

        @Override
        public Process destroyForcibly() {
            return real.destroyForcibly();
        }

        @Override
        public boolean isAlive() {
            return real.isAlive();
        }

        @Override
        public long pid() {
            return real.pid();
        }

        @Override
        public ProcessHandle toHandle() {
            return real.toHandle();
        }
    }
}
