package io.ipos.benchmarks;

import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Member B of {@link HazelcastPeer}: an embedded Hazelcast member in a JVM of its own that joins
 * member A's cluster on loopback, then serves commands, one a line on stdin, answering on stdout
 * with lines that start with {@code hz:} (anything else there is someone else's print):
 * <ul>
 *   <li>at start: {@code hz:ready NANOS}, how long its {@code Hazelcast.newHazelcastInstance}
 *       took, from the call until it returned as a member of A's two-member cluster;</li>
 *   <li>{@code await MAP N}: {@code hz:listening}, then {@code hz:done} once its own replica of
 *       replicated map {@code MAP} holds {@code N} entries, {@code 0..N-1} mapped to themselves (it
 *       checks its size every millisecond, locally, and the last entry once);</li>
 *   <li>{@code answer MAP}: from then on its entry listener on key {@code ping} of {@code MAP}
 *       puts each value it sees into key {@code pong}; {@code hz:listening} once registered;</li>
 *   <li>{@code quit}: terminates the member and exits.</li>
 * </ul>
 */
public final class HazelcastMember {
    private HazelcastMember() {
    }

    /**
     * Joins and serves commands until {@code quit} or the end of stdin.
     *
     * @param args the cluster's name and member A's address ({@code 127.0.0.1:PORT})
     * @throws Exception if the member can't start or a command fails
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        HazelcastPeer.quiet();
        long t0 = System.nanoTime();
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(HazelcastPeer.config(args[0], "b", args[1]));
        out.println("hz:ready " + (System.nanoTime() - t0));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] cmd = line.trim().split(" ");
                switch (cmd[0]) {
                    case "await" -> {
                        ReplicatedMap<Integer, Integer> map = hz.getReplicatedMap(cmd[1]);
                        int n = Integer.parseInt(cmd[2]);
                        out.println("hz:listening");
                        while (map.size() < n) {
                            Thread.sleep(1);
                        }
                        Integer last = map.get(n - 1);
                        out.println(map.size() == n && last != null && last == n - 1 ? "hz:done"
                                : "hz:error map " + cmd[1] + " holds " + map.size() + " entries, key " + (n - 1) + " -> " + last);
                    }
                    case "answer" -> {
                        ReplicatedMap<String, Integer> map = hz.getReplicatedMap(cmd[1]);
                        map.addEntryListener(new EntryAdapter<String, Integer>() {
                            @Override
                            public void onEntryEvent(EntryEvent<String, Integer> event) {
                                if (event.getValue() != null) {
                                    map.put("pong", event.getValue());
                                }
                            }
                        }, "ping");
                        out.println("hz:listening");
                    }
                    case "quit" -> {
                        hz.getLifecycleService().terminate();
                        return;
                    }
                    default -> out.println("hz:error unknown command " + line);
                }
            }
        } finally {
            hz.getLifecycleService().terminate();
        }
    }
}
