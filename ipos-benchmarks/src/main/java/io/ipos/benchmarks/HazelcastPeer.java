package io.ipos.benchmarks;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.ipos.IPOS;
import io.ipos.IposException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The peer a Java user would pick instead, measured with our workloads in the same run (section
 * {@code hazelcast}): Hazelcast's {@code ReplicatedMap} between two embedded members, member A in
 * this JVM and member B ({@link HazelcastMember}) in a child JVM started as every child of the
 * benchmark is ({@code IPOS.javaProcess}), on loopback only: TCP-IP join on {@code 127.0.0.1} with
 * B listing A's address, no multicast or auto-detection, a cluster name of its own per run, phone-home
 * off, Hazelcast's logging through {@code java.util.logging} at {@code SEVERE}. Everything else is
 * Hazelcast's default (271 partitions, metrics on). The cluster's start-up is not in any timing.
 *
 * <ul>
 *   <li>{@code peer.hazelcast.connect}: B's {@code Hazelcast.newHazelcastInstance}, timed in B
 *       from the call until it returned as the second member of A's cluster (B's JVM start not
 *       included: compare {@code connect.overhead}); one sample.</li>
 *   <li>{@code peer.hazelcast.put}: A makes {@value #WRITES} {@code put(i, i)} on a replicated map
 *       created for the run, and the clock stops when B says its own replica holds all of them (B
 *       checks its local size every millisecond; the map is then destroyed). Each {@code put}
 *       returns once the member owning its key's partition applied it (for the keys B owns, about
 *       half, a round trip to B), and the owner replicates it to the other member in the
 *       background: that is Hazelcast's {@code ReplicatedMap}. After a warm-up run of
 *       {@value #WARMUP_WRITES}, the median of up to {@value #PUT_RUNS} runs. Fewer writes than
 *       {@code p2c.put}'s 1,000,000 (so its map stays smaller): at the rate Hazelcast reaches here,
 *       about 8,000 puts/s, a million would take two minutes a run.</li>
 *   <li>{@code peer.hazelcast.rtt.p50}/{@code .p99}: A puts {@code i} into key {@code ping}; B's
 *       entry listener on {@code ping} puts it into key {@code pong}; A's entry listener on
 *       {@code pong} takes the time and puts the next ping: our {@code listener.rtt}'s workload.
 *       After {@value #RTT_WARMUP} warm-up rounds, {@value #RTT_RUNS} runs of {@value #RTT_ROUNDS};
 *       the medians of the runs' percentiles.</li>
 *   <li>{@code vs.hazelcast.put} = {@code p2c.put} / {@code peer.hazelcast.put} and
 *       {@code vs.hazelcast.rtt} = {@code peer.hazelcast.rtt.p50} / {@code rtt.p50}: how many times
 *       ours is better (&gt; 1: ours faster), computed by {@code EndToEnd} only when section
 *       {@code put} (resp. {@code rtt}) measured ours in the same run, else skipped with the reason
 *       (not a failure). {@code vs.hazelcast.listener.rtt} divides by {@code listener.rtt.p50} instead,
 *       the same workload on both sides.</li>
 * </ul>
 */
final class HazelcastPeer {
    static final int WRITES = 20_000;
    static final int WARMUP_WRITES = 10_000;
    static final int PUT_RUNS = 3;
    /** After this long in the measured put runs, no new run starts. */
    static final long PUT_BUDGET_NANOS = 20_000_000_000L;
    static final int RTT_WARMUP = 5_000;
    static final int RTT_ROUNDS = 5_000;
    static final int RTT_RUNS = 5;
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    /** The section's figures, {@code name unit}, for {@code EndToEnd}. */
    static final String[] FIGURES = {"peer.hazelcast.connect ms", "peer.hazelcast.rtt.p50 us", "peer.hazelcast.rtt.p99 us",
        "peer.hazelcast.put ops/s"};

    /**
     * The access to JDK internals Hazelcast asks for "to get the best performance results" (its
     * start-up warning), without {@code --add-modules java.se}, which a class-path application has
     * anyway. Member B gets them as flags; member A, in this JVM, from the jar's manifest
     * ({@code Add-Exports}, {@code Add-Opens}: {@code java -jar} only).
     */
    static final List<String> JDK_ACCESS = List.of("--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    /** Held: {@code java.util.logging} keeps its loggers weakly, and the level would go with it. */
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

    private HazelcastPeer() {
    }

    /** Hazelcast's own logging through {@code java.util.logging}, and only its errors (to stderr). */
    static void quiet() {
        System.setProperty("hazelcast.logging.type", "jdk");
        HAZELCAST_LOG.setLevel(Level.SEVERE);
    }

    /**
     * A member on loopback only.
     *
     * @param cluster the cluster's name, unique per run
     * @param name this member's instance name
     * @param member the address it looks for the cluster at, {@code 127.0.0.1[:PORT]}
     */
    static Config config(String cluster, String name, String member) {
        Config c = new Config();
        c.setClusterName(cluster);
        c.setInstanceName(cluster + "-" + name);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig network = c.getNetworkConfig();
        network.setPort(5701).setPortAutoIncrement(true).setPortCount(100);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember(member);
        return c;
    }

    static void run(Figures figures) throws Exception {
        quiet();
        String cluster = "ipos-bench-" + UUID.randomUUID();
        long t0 = System.nanoTime();
        HazelcastInstance a = Hazelcast.newHazelcastInstance(config(cluster, "a", "127.0.0.1"));
        MemberB b = null;
        try {
            double startA = (System.nanoTime() - t0) / 1e6;
            int port = a.getCluster().getLocalMember().getAddress().getPort();
            long t1 = System.nanoTime();
            ProcessBuilder builder = IPOS.javaProcess(HazelcastMember.class, cluster, "127.0.0.1:" + port)
                    .redirectOutput(Redirect.PIPE);
            builder.command().addAll(1, JDK_ACCESS);
            b = new MemberB(Children.start(builder));
            double connect = Long.parseLong(b.expect("hz:ready ")) / 1e6;
            double startB = (System.nanoTime() - t1) / 1e6;
            if (a.getCluster().getMembers().size() != 2) {
                throw new IposException("member B started but A's cluster has " + a.getCluster().getMembers());
            }
            figures.note("peer.hazelcast: member A started in " + Figures.format(startA) + " ms; member B's JVM started and joined in "
                    + Figures.format(startB) + " ms, its newHazelcastInstance " + Figures.format(connect) + " ms; Hazelcast "
                    + com.hazelcast.instance.BuildInfoProvider.getBuildInfo().getVersion() + "; A has the JDK access Hazelcast asks for: "
                    + (hasJdkAccess() ? "yes" : "no (run as java -jar to give it the manifest's)") + ", B: as flags");
            figures.add("peer.hazelcast.connect", connect, "ms");

            roundTrips(figures, a, b);
            puts(figures, a, b);
        } finally {
            if (b != null) {
                b.close();
            }
            a.getLifecycleService().terminate();
        }
    }

    private static void roundTrips(Figures figures, HazelcastInstance a, MemberB b) throws Exception {
        ReplicatedMap<String, Integer> map = a.getReplicatedMap("rtt");
        b.command("answer rtt");
        b.expect("hz:listening");
        int next = roundTrips(map, 1, RTT_WARMUP, new long[RTT_WARMUP]);
        // which way each hop goes: a put to a key B owns waits for B, one A owns returns once A applied it
        figures.note("peer.hazelcast.rtt: key ping's partition is owned by member " + owner(a, "ping") + ", pong's by member "
                + owner(a, "pong"));
        double[] p50 = new double[RTT_RUNS];
        double[] p99 = new double[RTT_RUNS];
        for (int r = 0; r < RTT_RUNS; r++) {
            long[] run = new long[RTT_ROUNDS];
            next = roundTrips(map, next, RTT_ROUNDS, run);
            p50[r] = Stats.percentile(run, 0.50) / 1e3;
            p99[r] = Stats.percentile(run, 0.99) / 1e3;
        }
        figures.note("peer.hazelcast.rtt p50 per run (us): " + Lifecycle.runs(p50) + "; p99: " + Lifecycle.runs(p99));
        figures.add("peer.hazelcast.rtt.p50", Stats.median(p50), "us");
        figures.add("peer.hazelcast.rtt.p99", Stats.median(p99), "us");
    }

    /** Whether this JVM gives Hazelcast what {@link #JDK_ACCESS} gives member B. */
    private static boolean hasJdkAccess() {
        Module hazelcast = Hazelcast.class.getModule();
        Module base = Object.class.getModule();
        return base.isExported("jdk.internal.ref", hazelcast) && base.isOpen("java.lang", hazelcast)
                && base.isOpen("sun.nio.ch", hazelcast);
    }

    /** "A" or "B": whose partition {@code key} falls in. */
    private static String owner(HazelcastInstance a, Object key) {
        com.hazelcast.cluster.Member owner = a.getPartitionService().getPartition(key).getOwner();
        return owner == null ? "(none yet)" : owner.localMember() ? "A" : "B";
    }

    /**
     * Rounds {@code from .. from + rounds - 1}: A's listener on {@code pong} times each answer and
     * puts the next ping, as {@code Replication}'s listener round trip does.
     *
     * @return the next round's number
     */
    private static int roundTrips(ReplicatedMap<String, Integer> map, int from, int rounds, long[] nanos) throws Exception {
        int to = from + rounds - 1;
        CountDownLatch done = new CountDownLatch(1);
        long[] sent = new long[1];
        UUID id = map.addEntryListener(new EntryAdapter<String, Integer>() {
            @Override
            public void onEntryEvent(EntryEvent<String, Integer> event) {
                Integer v = event.getValue();
                if (v != null && v >= from && v <= to) {
                    nanos[v - from] = System.nanoTime() - sent[0];
                    if (v == to) {
                        done.countDown();
                    } else {
                        sent[0] = System.nanoTime();
                        map.put("ping", v + 1);
                    }
                }
            }
        }, "pong");
        try {
            sent[0] = System.nanoTime();
            map.put("ping", from);
            if (!done.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IposException("Hazelcast round trips " + from + ".." + to + " did not come back within "
                        + TIMEOUT.toSeconds() + " s; pong=" + map.get("pong"));
            }
        } finally {
            map.removeEntryListener(id);
        }
        return to + 1;
    }

    private static void puts(Figures figures, HazelcastInstance a, MemberB b) throws Exception {
        put(a, b, "warm", WARMUP_WRITES);
        double[] rates = new double[PUT_RUNS];
        int runs = 0;
        long start = System.nanoTime();
        while (runs < PUT_RUNS && (runs == 0 || System.nanoTime() - start < PUT_BUDGET_NANOS)) {
            rates[runs] = put(a, b, "p2c." + runs, WRITES);
            runs++;
        }
        double[] measured = Arrays.copyOf(rates, runs);
        figures.note("peer.hazelcast.put per run (ops/s): " + Lifecycle.runs(measured)
                + (runs < PUT_RUNS ? " (median of " + runs + " runs, not " + PUT_RUNS + ": time budget)" : ""));
        figures.add("peer.hazelcast.put", Stats.median(measured), "ops/s");
    }

    /** @return puts per second, from A's first put until B holds all {@code n} */
    private static double put(HazelcastInstance a, MemberB b, String name, int n) throws Exception {
        ReplicatedMap<Integer, Integer> map = a.getReplicatedMap(name);
        b.command("await " + name + " " + n);
        b.expect("hz:listening");
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            map.put(i, i);
        }
        b.expect("hz:done");
        long elapsed = System.nanoTime() - t0;
        if (map.size() != n) {
            throw new IposException("after " + n + " puts to replicated map " + name + ", member A holds " + map.size());
        }
        map.destroy();
        return n * 1e9 / elapsed;
    }

    /** Member B's process and its command channel (stdin, and stdout lines starting with {@code hz:}). */
    private static final class MemberB implements AutoCloseable {
        private final Process process;
        private final Writer in;
        private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

        MemberB(Process process) {
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(this::read, "bench-hazelcast-b-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("hz:")) {
                        replies.add(line);
                    } else {
                        System.err.println("[hazelcast B] " + line);
                    }
                }
            } catch (IOException e) {
                // the process is gone: expect() says so
            }
        }

        void command(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
        }

        /** @return what follows {@code prefix} in B's next reply, which must start with it */
        String expect(String prefix) throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            String reply;
            while ((reply = replies.poll(100, TimeUnit.MILLISECONDS)) == null) {
                if (!process.isAlive() && replies.isEmpty()) {
                    throw new IposException("Hazelcast member B (pid " + process.pid() + ") exited with code "
                            + process.exitValue() + " while A waited for " + prefix.trim());
                }
                if (System.nanoTime() > deadline) {
                    throw new IposException("Hazelcast member B did not answer " + prefix.trim() + " within " + TIMEOUT.toSeconds() + " s");
                }
            }
            if (!reply.startsWith(prefix)) {
                throw new IposException("Hazelcast member B answered " + reply + ", not " + prefix.trim());
            }
            return reply.substring(prefix.length());
        }

        @Override
        public void close() {
            try {
                command("quit");
            } catch (IOException e) {
                // already gone
            }
            Children.end(process, 10_000);
        }
    }
}
