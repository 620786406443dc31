package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.read;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages between real processes: ordered with the state (a message sent after a write is handled,
 * in every receiving process, after that write is applied there, also when the sender's writes are
 * sent again after a lost merge and while other processes write), to one peer, to all, and to a
 * peer that left.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MessagesProcessTest {
    /** Messages each sender sends. */
    static final int N = 4_000;

    @Test
    void aMessageSentAfterAWriteIsHandledEverywhereAfterThatWrite(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS parent = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Integer> m = parent.create("m", Map.of("ctr", 0));
            AtomicInteger seen = new AtomicInteger();
            List<String> violations = new CopyOnWriteArrayList<>();
            parent.on("after", Integer.class, (from, i) -> {
                Integer v = m.get("seq-" + from.name());
                if (v == null || v < i) {
                    violations.add(from.name() + " " + i + " saw " + v);
                }
                seen.incrementAndGet();
            });
            kids.spawn(parent, MessagesProcessTest.class, "orderedReceiver", dir.toString(), "r1");
            kids.spawn(parent, MessagesProcessTest.class, "orderedReceiver", dir.toString(), "r2");
            kids.spawn(parent, MessagesProcessTest.class, "orderedSender", dir.toString(), "s1");
            kids.spawn(parent, MessagesProcessTest.class, "orderedSender", dir.toString(), "s2");
            kids.spawn(parent, MessagesProcessTest.class, "merger", dir.toString(), "noise");
            for (String name : List.of("r1", "r2", "s1", "s2", "noise")) {
                awaitFile(dir.resolve("ready-" + name)); // linked, its handlers on
            }
            signal(dir.resolve("go"), "");
            for (int i = 1; i <= N; i++) { // the parent sends too, after writes of its own
                m.put("seq-parent", i);
                parent.emit("after", i);
                m.merge("ctr", 1, Integer::sum);
            }
            await("the parent handled both senders' messages", () -> seen.get() == 2 * N, java.time.Duration.ofSeconds(90));
            String r1 = awaitFile(dir.resolve("result-r1"), java.time.Duration.ofSeconds(90));
            String r2 = awaitFile(dir.resolve("result-r2"), java.time.Duration.ofSeconds(90));
            System.out.println("[MessagesProcessTest] parent: " + seen.get() + " messages handled, " + violations.size()
                    + " violations; r1: " + r1 + "; r2: " + r2 + "; merges re-run: " + awaitFile(dir.resolve("reruns-s1"))
                    + " and " + awaitFile(dir.resolve("reruns-s2")));
            assertEquals(List.of(), violations);
            assertEquals("handled " + 3 * N + ", violations 0", r1);
            assertEquals("handled " + 3 * N + ", violations 0", r2);
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    /** Checks, for each message, that the sender's write before it is applied here. */
    static void orderedReceiver(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name(args[1]).connect();
        SharedMap<String, Integer> m = ipos.get("m");
        AtomicInteger seen = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        ipos.on("after", Integer.class, (from, i) -> {
            Integer v = m.get("seq-" + from.name());
            if (v == null || v < i) {
                violations.incrementAndGet();
                System.err.println("[" + args[1] + "] " + from.name() + " " + i + " saw " + v);
            }
            seen.incrementAndGet();
        });
        signal(dir.resolve("ready-" + args[1]), "");
        awaitFile(dir.resolve("go"));
        for (int i = 0; i < N; i++) { // writes of its own meanwhile, so it re-bases
            m.put("own-" + args[1], i);
        }
        await("every message", () -> seen.get() == 3 * N, java.time.Duration.ofSeconds(90));
        signal(dir.resolve("result-" + args[1]), "handled " + seen.get() + ", violations " + violations.get());
        ipos.close();
    }

    /** A merge on a counter others merge too (it loses races, so its later writes are sent again), a write, then a message. */
    static void orderedSender(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name(args[1]).connect();
        SharedMap<String, Integer> m = ipos.get("m");
        signal(dir.resolve("ready-" + args[1]), "");
        awaitFile(dir.resolve("go"));
        for (int i = 1; i <= N; i++) {
            m.merge("ctr", 1, Integer::sum);
            m.put("seq-" + args[1], i);
            ipos.emit("after", i);
        }
        ipos.flush().join();
        signal(dir.resolve("reruns-" + args[1]), String.valueOf(ipos.writeCounts()[1]));
        ipos.close();
    }

    /** Merges the counter the senders merge, so their merges lose races. */
    static void merger(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name(args[1]).connect();
        SharedMap<String, Integer> m = ipos.get("m");
        signal(dir.resolve("ready-" + args[1]), "");
        awaitFile(dir.resolve("go"));
        for (int i = 0; i < 3 * N; i++) {
            m.merge("ctr", 1, Integer::sum);
        }
        ipos.flush().join();
        ipos.close();
    }

    @Test
    void messagesGoToOnePeerToAllAndNotToAPeerThatLeft(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            List<String> got = new CopyOnWriteArrayList<>();
            parent.on("note", String.class, (from, v) -> got.add(from.name() + ":" + v));
            kids.spawn(parent, MessagesProcessTest.class, "noteTaker", dir.toString(), "one");
            kids.spawn(parent, MessagesProcessTest.class, "noteTaker", dir.toString(), "two");
            Process three = kids.spawn(parent, MessagesProcessTest.class, "noteTaker", dir.toString(), "three");
            for (String name : List.of("one", "two", "three")) {
                awaitFile(dir.resolve("ready-" + name)); // linked, its handlers on, every other peer seen
            }
            Peer one = peer(parent, "one");
            Peer two = peer(parent, "two");
            Peer threeAsItWas = peer(parent, "three");
            assertTrue(parent.emit(one, "cmd", "to two: only you"));  // one sends to two only
            assertTrue(parent.emit(two, "cmd", "all: everyone"));     // two sends to all others
            await("the parent got two's broadcast", () -> got.contains("two:everyone"));
            assertEquals("two:everyone", awaitFile(dir.resolve("notes-three")));
            signal(dir.resolve("stop-three"), "");
            three.waitFor();
            await("three left", () -> parent.peers().size() == 2);
            assertFalse(parent.emit(threeAsItWas, "cmd", "nobody"), "a peer that left is not there to receive");
            assertTrue(parent.emit(one, "cmd", "to three: are you there?"));
            assertEquals("false", awaitFile(dir.resolve("sent-one-to-three")), "one's emit to three, who left, says false");
            signal(dir.resolve("stop-one"), "");
            signal(dir.resolve("stop-two"), "");
            assertEquals("two:everyone", awaitFile(dir.resolve("notes-one-final")), "one heard the broadcast only");
            assertEquals("one:only you", awaitFile(dir.resolve("notes-two-final")), "two heard one's message, not its own broadcast");
            assertEquals(List.of("two:everyone"), got, "the parent heard the broadcast only");
        }
    }

    private static Peer peer(IPOS ipos, String name) {
        return ipos.peers().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no peer named " + name + " among " + ipos.peers()));
    }

    /**
     * Takes commands from the parent: "to NAME: text" sends text to that peer (as last seen, if it
     * left), "all: text" to everyone; notes what it hears in notes-NAME (and notes-NAME-final when
     * stopped). Says ready-NAME once its handlers are on and it has seen all three note takers.
     */
    static void noteTaker(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String me = args[1];
        IPOS ipos = IPOS.options().name(me).connect();
        List<String> notes = new CopyOnWriteArrayList<>();
        Map<String, Peer> seen = new java.util.concurrent.ConcurrentHashMap<>();
        ipos.on("note", String.class, (from, v) -> {
            notes.add(from.name() + ":" + v);
            signal(dir.resolve("notes-" + me), String.join("\n", notes));
        });
        ipos.on("cmd", String.class, (from, v) -> {
            int colon = v.indexOf(": ");
            String target = v.substring(0, colon);
            String text = v.substring(colon + 2);
            if (target.equals("all")) {
                ipos.emit("note", text);
            } else {
                String peer = target.substring(3);
                Peer to = seen.get(peer);
                signal(dir.resolve("sent-" + me + "-to-" + peer), String.valueOf(ipos.emit(to, "note", text)));
            }
        });
        ChildMain.await("the other note takers", () -> {
            ipos.peers().forEach(p -> seen.put(p.name(), p));
            return seen.keySet().containsAll(List.of("one", "two", "three").stream().filter(n -> !n.equals(me)).toList());
        }, java.time.Duration.ofSeconds(60));
        signal(dir.resolve("ready-" + me), "");
        awaitFile(dir.resolve("stop-" + me), java.time.Duration.ofSeconds(60));
        signal(dir.resolve("notes-" + me + "-final"), String.join("\n", notes));
        ipos.close();
    }
}
