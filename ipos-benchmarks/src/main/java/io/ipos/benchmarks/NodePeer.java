package io.ipos.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Node {@code ipos} 0.2.6 peer ({@code peers} section): the npm package this project is the
 * Java answer to, measured with the workloads of the {@code put}, {@code rtt} and {@code sync}
 * sections, by {@code ipos-benchmarks/node/peer-ipos/bench.mjs} (packaged in the jar under
 * {@code peer-ipos/}). This class copies that folder into {@code peer-ipos/} under the results
 * directory, installs it there with {@code npm ci} (the lock file pins ipos 0.2.6), runs
 * {@code node bench.mjs} and adds the figures it prints:
 *
 * <ul>
 *   <li>{@code peer.ipos.put ops/s}: the parent makes {@value #PUTS} {@code map.set(i, i)} on a
 *       field created empty, timed until the child says it holds them all; median of
 *       {@value #PUT_RUNS} runs after a warm-up of {@value #PUT_WARMUP} (fewer puts than
 *       {@code p2c.put}'s {@value Replication#WRITES}: at Node's rate a run would take ten seconds);</li>
 *   <li>{@code peer.ipos.rtt.p50}/{@code .p99 us}: parent sets {@code ping} to {@code i}, child
 *       sets {@code pong} to {@code i}, parent sees it, each side looking from a {@code 'message'}
 *       listener (Node delivers changes only through its event loop); {@value #RTT_RUNS} runs of
 *       {@value #ROUNDS} rounds after {@value #RTT_WARMUP}, median of the runs' percentiles;</li>
 *   <li>{@code peer.ipos.sync.map100k ms}: a child's own {@code await IPOS.new()} while the parent
 *       holds a map of {@value #SYNC_KEYS} {@code "k<i>" -> i} entries (as {@code sync.map100k}),
 *       median of {@value #SYNC_RUNS} children; {@code .spawn}: the parent's spawn and
 *       {@code addProcess}, start-up included.</li>
 * </ul>
 *
 * <p>The peer is optional: when {@code node} or {@code npm} is absent, node is older than the
 * script needs, or {@code npm ci} can't reach the registry (offline, with the package not in npm's
 * cache), every {@code peer.ipos.*} figure is skipped, saying why, and the run does not fail for
 * that. Any other failure (a bad lock file, the script failing or printing something unexpected)
 * fails the figures as any section's failure does.
 */
final class NodePeer {
    static final int PUTS = 100_000;
    static final int PUT_RUNS = Replication.PUT_RUNS;
    static final int PUT_WARMUP = PUTS;
    static final int ROUNDS = 10_000;
    static final int RTT_RUNS = Replication.RTT_RUNS;
    static final int RTT_WARMUP = 5_000;
    static final int SYNC_KEYS = 100_000;
    static final int SYNC_RUNS = Lifecycle.SYNC_RUNS_100K;
    /** The node major version the script needs (its package.json's engines). */
    static final int NODE_MAJOR = 18;

    /** What the section reports, {@code name unit}, for {@code EndToEnd}'s failure and skip lines. */
    static final String[] FIGURES = {"peer.ipos.put ops/s", "peer.ipos.rtt.p50 us", "peer.ipos.rtt.p99 us",
            "peer.ipos.sync.map100k ms", "peer.ipos.sync.map100k.spawn ms"};

    private static final String RESOURCE = "/peer-ipos/";
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "bench.mjs", "child.mjs");
    /**
     * Cached packages are used without asking the registry again, so a machine that installed
     * ipos once measures it offline; one retry and a 30 s request timeout, so that a network that
     * drops packets fails as a fetch failure within {@link #NPM_TIMEOUT}.
     */
    private static final List<String> NPM_CI = List.of("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline",
            "--fetch-retries=1", "--fetch-timeout=30000");
    private static final Duration NPM_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration BENCH_TIMEOUT = Duration.ofMinutes(5);
    /**
     * npm's error codes when the registry gave no answer (name not resolved, refused, reset, timed
     * out, unreachable), and {@code ENOTCACHED}: offline, and the package is not in the cache.
     */
    private static final Set<String> UNREACHABLE = Set.of("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET",
            "ETIMEDOUT", "ESOCKETTIMEDOUT", "ERR_SOCKET_TIMEOUT", "ENETUNREACH", "EHOSTUNREACH", "ENETDOWN",
            "ECONNABORTED", "ENOTCACHED");
    /** npm's error lines, {@code npm ERR! ...} up to npm 9, {@code npm error ...} from 10: the code and the network ones. */
    private static final Pattern NPM_ERROR = Pattern.compile("(?m)^npm (?:ERR!|error) (code|network) (\\S.*?)\\s*$");
    private static final Pattern REQUEST = Pattern.compile("request to \\S+ failed[^\\r\\n]*");
    private static final Pattern FIGURE = Pattern.compile("(peer\\.ipos\\.[a-z0-9.]+) (\\S+) (\\S+)");

    private NodePeer() {
    }

    /** A finished command: its exit code and what it printed on each stream. */
    record Run(int exit, String out, String err) {
        String output() {
            return out + err;
        }
    }

    /**
     * Measures the peer, or skips its figures saying why.
     *
     * @param results the results directory; the peer is installed and run in its {@code peer-ipos/}
     */
    static void run(Figures figures, Path results) throws Exception {
        String absent = absent();
        if (absent != null) {
            skipAll(figures, absent);
            return;
        }
        Path dir = results.toAbsolutePath().resolve("peer-ipos");
        unpack(dir);
        Run npm = run(dir, NPM_CI, NPM_TIMEOUT);
        if (npm.exit() != 0) {
            String offline = unreachable(npm.output());
            if (offline != null) {
                skipAll(figures, offline);
                return;
            }
            throw new IOException("npm ci in " + dir + " exited with " + npm.exit() + ": " + tail(npm.output()));
        }
        List<String> command = new ArrayList<>(List.of("node", "bench.mjs", "puts=" + PUTS, "putRuns=" + PUT_RUNS,
                "putWarmup=" + PUT_WARMUP, "rounds=" + ROUNDS, "rttRuns=" + RTT_RUNS, "rttWarmup=" + RTT_WARMUP,
                "syncKeys=" + SYNC_KEYS, "syncRuns=" + SYNC_RUNS));
        Run bench = run(dir, command, BENCH_TIMEOUT);
        if (bench.exit() != 0) {
            throw new IOException("node bench.mjs in " + dir + " exited with " + bench.exit() + ": " + tail(bench.err()));
        }
        List<String> expected = new ArrayList<>();
        for (String f : FIGURES) {
            expected.add(f.split(" ")[0]);
        }
        for (String line : bench.out().split("\n")) {
            Matcher m = FIGURE.matcher(line);
            if (line.startsWith("# ")) {
                figures.note(line.substring(2));
            } else if (m.matches() && expected.remove(m.group(1))) {
                figures.add(m.group(1), Double.parseDouble(m.group(2)), m.group(3));
            } else if (!line.isBlank()) {
                throw new IOException("node bench.mjs printed an unexpected line: " + line);
            }
        }
        if (!expected.isEmpty()) {
            throw new IOException("node bench.mjs did not print " + expected + "; it printed: " + tail(bench.out()));
        }
    }

    private static void skipAll(Figures figures, String why) {
        for (String f : FIGURES) {
            String[] nameUnit = f.split(" ");
            figures.skip(nameUnit[0], nameUnit[1], why);
        }
    }

    /** Why the peer can't run here (no node, no npm, node too old), or null if it can. */
    private static String absent() throws InterruptedException {
        String node = version("node");
        if (node == null) {
            return "node is not on the PATH";
        }
        if (version("npm") == null) {
            return "npm is not on the PATH (node " + node + " is)";
        }
        Matcher major = Pattern.compile("v?(\\d+)\\.").matcher(node);
        if (major.lookingAt() && Integer.parseInt(major.group(1)) < NODE_MAJOR) {
            return "node " + node + " is older than the " + NODE_MAJOR + " that bench.mjs needs";
        }
        return null;
    }

    /** What {@code command --version} prints, or null if it can't be run. */
    private static String version(String command) throws InterruptedException {
        try {
            Run r = run(Path.of("."), List.of(command, "--version"), Duration.ofSeconds(30));
            return r.exit() == 0 ? r.out().trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The packaged script and its lock file, copied to {@code dir} (node_modules is npm ci's). */
    private static void unpack(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : FILES) {
            try (InputStream in = NodePeer.class.getResourceAsStream(RESOURCE + f)) {
                if (in == null) {
                    throw new IOException("the jar holds no " + RESOURCE + f + " (ipos-benchmarks/node/peer-ipos/)");
                }
                Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * Why {@code npm ci} failed if the registry could not be reached (a reason to skip), or null
     * for any other failure: a package or version that does not exist, an integrity error, a lock
     * file out of step with package.json, a full disk.
     *
     * @param npmOutput what {@code npm ci} printed, stdout and stderr
     */
    static String unreachable(String npmOutput) {
        String code = null;
        String network = null;
        Matcher m = NPM_ERROR.matcher(npmOutput);
        while (m.find()) {
            if (m.group(1).equals("code") && code == null) {
                code = m.group(2);
            } else if (m.group(1).equals("network") && network == null) {
                network = m.group(2);
            }
        }
        if (network == null && (code == null || !UNREACHABLE.contains(code))) {
            return null;
        }
        Matcher request = REQUEST.matcher(npmOutput);
        return "npm ci could not fetch ipos from the registry (offline?): " + (code == null ? "" : code + ", ")
                + (request.find() ? request.group() : network != null ? network : "no detail");
    }

    /** The last lines of {@code output} on one line, for a reason ({@code results.txt} gives each one line). */
    private static String tail(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }

    /** Runs {@code command} in {@code dir}, killing it (and what it started) after {@code timeout}. */
    private static Run run(Path dir, List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = Children.start(new ProcessBuilder(command).directory(dir.toFile()).redirectInput(Redirect.PIPE));
        p.getOutputStream().close();
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            Children.end(p, 0);
            throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
        }
        Children.end(p, 0);
        return new Run(p.exitValue(), out.join(), err.join());
    }

    /** All of {@code stream}, read on a thread of its own (both streams at once: neither pipe fills up). */
    private static CompletableFuture<String> read(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = stream) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> {
            Thread t = new Thread(task, "peer-ipos-output");
            t.setDaemon(true);
            t.start();
        });
    }
}
