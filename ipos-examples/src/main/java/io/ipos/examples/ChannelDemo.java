package io.ipos.examples;

import io.ipos.IPOS;
import io.ipos.Peer;
import io.ipos.SharedList;
import io.ipos.SharedMap;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * IPChannel's example in ipos: four peers, where peer 2 sends a message to peer 1, peer 3 emits a
 * custom event to peer 1, and peer 4 broadcasts to everyone.
 *
 * <pre>{@code
 * Peer one = ipos.peers().stream().filter(p -> p.name().equals("peer-1")).findFirst().orElseThrow();
 * ipos.emit(one, "message", "hello from peer 2");                      // peer 2: to peer 1 only
 * ipos.emit(one, "custom", Map.of("from", 3, "note", "a custom event")); // peer 3: a custom event
 * ipos.emit("message", "hello everyone from peer 4");                  // peer 4: to all others
 *
 * ipos.on("message", String.class, (from, text) -> ...);               // peer 1 (and everyone)
 * ipos.on("custom", Map.class, (from, event) -> ...);
 * }</pre>
 *
 * <p>The parent starts the four peers, creates {@code go}, and waits until each has written down
 * what it heard in {@code heard} (handlers run on the event thread, and may write); it prints that
 * and creates {@code stop}. Run it with
 * {@code mvn -q -DskipTests package exec:exec -Ddemo.main=io.ipos.examples.ChannelDemo}.
 */
public final class ChannelDemo {
    private ChannelDemo() {
    }

    /**
     * Runs the demo and exits 0 when every peer heard what it should.
     *
     * @param args none
     * @throws Exception if a child can't be started
     */
    public static void main(String[] args) throws Exception {
        System.exit(run(System.out).equals(expected()) ? 0 : 1);
    }

    /** @return what each peer should hear, by name, sorted */
    public static Map<String, List<String>> expected() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("peer-1", List.of("custom from peer-3: {from=3, note=a custom event}", "message from peer-2: hello from peer 2",
                "message from peer-4: hello everyone from peer 4"));
        m.put("peer-2", List.of("message from peer-4: hello everyone from peer 4"));
        m.put("peer-3", List.of("message from peer-4: hello everyone from peer 4"));
        m.put("peer-4", List.of());
        m.put("parent", List.of("message from peer-4: hello everyone from peer 4"));
        return m;
    }

    /**
     * The parent: starts the peers, lets them talk, and returns what each heard.
     *
     * @param out where it is printed
     * @return per peer name, what it heard, sorted
     * @throws IOException if a child can't be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static Map<String, List<String>> run(PrintStream out) throws IOException, InterruptedException {
        try (IPOS ipos = IPOS.start()) {
            Map<String, List<String>> empty = new LinkedHashMap<>();
            for (String name : expected().keySet()) {
                empty.put(name, List.of());
            }
            SharedMap<String, List<String>> heard = ipos.create("heard", empty);
            ipos.on("message", String.class, (from, text) -> heard.get("parent").add("message from " + from.name() + ": " + text));
            List<Process> peers = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                peers.add(ipos.spawn(IPOS.javaProcess(PeerProgram.class, "peer-" + i)));
            }
            ipos.create("go", true);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!sorted(heard).equals(expected()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Map<String, List<String>> got = sorted(heard);
            got.forEach((name, what) -> out.println(name + " heard " + what));
            ipos.create("stop", true);
            for (Process p : peers) {
                p.waitFor();
            }
            return got;
        }
    }

    private static Map<String, List<String>> sorted(Map<String, List<String>> heard) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String name : expected().keySet()) {
            List<String> l = new ArrayList<>(heard.get(name));
            l.sort(null);
            m.put(name, List.copyOf(l));
        }
        return m;
    }

    /** One peer: {@code peer-1} listens, {@code peer-2} sends to it, {@code peer-3} emits a custom event to it, {@code peer-4} broadcasts. */
    public static final class PeerProgram {
        private PeerProgram() {
        }

        /**
         * @param args the peer's name
         * @throws InterruptedException if interrupted while waiting for the parent
         */
        public static void main(String[] args) throws InterruptedException {
            String me = args[0];
            IPOS ipos = IPOS.options().name(me).connect();
            SharedMap<String, List<String>> heard = ipos.get("heard");
            SharedList<String> mine = (SharedList<String>) heard.get(me);
            ipos.on("message", String.class, (from, text) -> mine.add("message from " + from.name() + ": " + text));
            ipos.on("custom", Map.class, (from, event) -> mine.add("custom from " + from.name() + ": " + event));
            Await.field(ipos, "go");
            Peer one = me.equals("peer-1") ? ipos.self()
                    : ipos.peers().stream().filter(p -> p.name().equals("peer-1")).findFirst().orElseThrow();
            switch (me) {
                case "peer-2" -> ipos.emit(one, "message", "hello from peer 2");
                case "peer-3" -> {
                    Map<String, Object> event = new LinkedHashMap<>();
                    event.put("from", 3);
                    event.put("note", "a custom event");
                    ipos.emit(one, "custom", event);
                }
                case "peer-4" -> ipos.emit("message", "hello everyone from peer 4");
                default -> { } // peer-1 listens
            }
            Await.field(ipos, "stop");
            ipos.close();
        }
    }
}
