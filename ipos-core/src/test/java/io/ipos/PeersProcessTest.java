package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named peers across real processes: where a name comes from ({@code Options.name}, then
 * {@code -Dipos.name}, then {@code IPOS_NAME}, else {@code child-<id>}), that a connected name
 * can't be taken twice, that a process rejoining under a name that left gets its id back and makes
 * no node id its first incarnation made, and that every process (parent, child, sibling) hears
 * joins and leaves in one order, with a sibling's writes between its join and its leave.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PeersProcessTest {

    private static ProcessBuilder reporter(Path dir, String index, String optionName) {
        return ChildMain.childProcess(PeersProcessTest.class, "reportSelf", dir.toString(), index, optionName);
    }

    private static String describe(List<Peer> peers) {
        List<String> out = new ArrayList<>();
        for (Peer p : peers) {
            out.add(p.id() + " " + p.name());
        }
        return String.join(", ", out);
    }

    @Test
    void aNameComesFromOptionsThenThePropertyThenTheEnvironmentElseChildId(@TempDir Path dir) throws Exception {
        try (IPOS ipos = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("names", Map.of());
            kids.spawn(ipos, ChildMain.withProperty(reporter(dir, "1", ""), "ipos.name", "by-property"));
            ProcessBuilder env = reporter(dir, "2", "");
            env.environment().put("IPOS_NAME", "by-env");
            kids.spawn(ipos, env);
            ProcessBuilder both = ChildMain.withProperty(reporter(dir, "3", ""), "ipos.name", "property-wins");
            both.environment().put("IPOS_NAME", "env-loses");
            kids.spawn(ipos, both);
            ProcessBuilder all = ChildMain.withProperty(reporter(dir, "4", "by-option"), "ipos.name", "property-loses");
            all.environment().put("IPOS_NAME", "env-loses-too");
            kids.spawn(ipos, all);
            kids.spawn(ipos, reporter(dir, "5", ""));
            ProcessBuilder joiner = ChildMain.joinerProcess(PeersProcessTest.class, "reportSelfJoined", dir.toString(), "6",
                    ipos.address());
            joiner.environment().put("IPOS_NAME", "joiner-by-env");
            kids.start(joiner);

            String expected = "1 by-property, 2 by-env, 3 property-wins, 4 by-option, 5 child-5, 6 joiner-by-env";
            await("six peers", () -> ipos.peers().size() == 6);
            assertEquals(expected, describe(ipos.peers()));
            for (int i = 1; i <= 6; i++) {
                String[] report = awaitFile(dir.resolve("self-" + i)).split("\n");
                assertEquals(expected.split(", ")[i - 1], report[0], "self() in process " + i);
            }
            assertEquals("0 parent, 1 by-property, 2 by-env, 3 property-wins, 4 by-option",
                    awaitFile(dir.resolve("self-5")).split("\n")[1], "a child's peers(): the parent first, then its siblings in order");
            SharedMap<String, Object> names = ipos.get("names");
            await("every process's own entry", () -> names.size() == 6);
            for (int i = 1; i <= 6; i++) {
                assertEquals(expected.split(", ")[i - 1], names.get(Integer.toString(i)), "what process " + i + " wrote");
            }
            signal(dir.resolve("stop"), "");
        }
    }

    static void reportSelf(String[] args) {
        IPOS ipos = args[2].isEmpty() ? IPOS.connect() : IPOS.options().name(args[2]).connect();
        report(ipos, Path.of(args[0]), args[1]);
    }

    static void reportSelfJoined(String[] args) {
        report(IPOS.join(args[2]), Path.of(args[0]), args[1]);
    }

    private static void report(IPOS ipos, Path dir, String index) {
        String me = ipos.self().id() + " " + ipos.self().name();
        ipos.<SharedMap<String, Object>>get("names").put(index, me);
        ipos.flush().join();
        signal(dir.resolve("self-" + index), me + "\n" + describe(ipos.peers()));
        awaitFile(dir.resolve("stop"), Duration.ofSeconds(60));
        ipos.close();
    }

    @Test
    void aSecondProcessAskingForAConnectedNameIsRefusedAndTheMessageNamesIt(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().listen("tcp://127.0.0.1:0").start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("names", Map.of());
            List<String> heard = JoinersProcessTest.heard(ipos);
            kids.spawn(ipos, reporter(dir, "1", "worker"));

            IposException spawned = assertThrows(IposException.class,
                    () -> kids.spawn(ipos, ChildMain.withProperty(reporter(dir, "2", ""), "ipos.name", "worker")));
            assertTrue(spawned.getMessage().contains("the name 'worker' is taken by a connected peer (id 1)"), spawned.getMessage());
            ProcessBuilder joiner = ChildMain.joinerProcess(AdmissionProcessTest.class, "tryToJoin", dir.toString(), ipos.address());
            joiner.environment().put("IPOS_NAME", "worker");
            Process p = kids.start(joiner);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String result = awaitFile(dir.resolve("results"));
            assertTrue(result.startsWith("io.ipos.IposException: the parent refused this child: "), result);
            assertTrue(result.contains("the name 'worker' is taken by a connected peer (id 1)"), result);

            assertEquals("1 worker", describe(ipos.peers()), "the first holder keeps its name");
            await("both refusals reported", () -> errors.size() == 2);
            assertEquals(List.of("worker+"), heard, "a refused process never joined");
            ipos.<SharedMap<String, Object>>get("names").put("parent", "still works");
            ipos.flush().get(10, TimeUnit.SECONDS);
            signal(dir.resolve("stop"), "");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aProcessRejoiningUnderANameThatLeftGetsItsIdBackAndMakesNoNodeIdItMadeBefore(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of());
            String address = ipos.address();
            Process first = kids.start(ChildMain.joinerProcess(PeersProcessTest.class, "incarnation", dir.toString(), address, "first"));
            String[] firstReport = awaitFile(dir.resolve("ids-first")).split(" ");
            int id = Integer.parseInt(firstReport[0]);
            first.destroyForcibly();
            await("the first incarnation left", () -> ipos.peers().isEmpty());
            Process other = kids.start(ChildMain.joinerProcess(JoinersProcessTest.class, "joiner", address, dir.toString()));
            await("another process took the next id", () -> ipos.peers().size() == 1);
            assertEquals(id + 1, ipos.peers().get(0).id());

            kids.start(ChildMain.joinerProcess(PeersProcessTest.class, "incarnation", dir.toString(), address, "second"));
            String[] secondReport = awaitFile(dir.resolve("ids-second")).split(" ");
            assertEquals(id, Integer.parseInt(secondReport[0]), "the same name gets the same id back");
            assertEquals(List.of(id + 1, id), ipos.peers().stream().map(Peer::id).toList());

            // node ids: the first's containers (one of them deleted since) and the second's never collide
            Set<Long> ids = new HashSet<>();
            long firstMax = 0;
            for (int i = 1; i < firstReport.length; i++) {
                long n = Long.parseLong(firstReport[i]);
                assertEquals(id, Node.creatorOf(n));
                firstMax = Math.max(firstMax, Node.counterOf(n));
                assertTrue(ids.add(n));
            }
            for (int i = 1; i < secondReport.length; i++) {
                long n = Long.parseLong(secondReport[i]);
                assertEquals(id, Node.creatorOf(n));
                assertTrue(Node.counterOf(n) > firstMax, "the second goes on past every counter the first used: "
                        + String.join(" ", firstReport) + " / " + String.join(" ", secondReport));
                assertTrue(ids.add(n));
            }
            // as the parent holds them: each container is its own, writes through both land apart
            assertEquals(Long.parseLong(firstReport[1]), ((Node) m.get("first")).id());
            assertEquals(Long.parseLong(secondReport[1]), ((Node) m.get("second")).id());
            await("the second wrote into the first's container", () -> "second".equals(
                    ipos.<Map<String, Object>>get("m").get("first") instanceof Map<?, ?> f ? f.get("touched-by") : null));
            SharedMap<String, Object> byFirst = (SharedMap<String, Object>) m.get("first");
            SharedMap<String, Object> bySecond = (SharedMap<String, Object>) m.get("second");
            byFirst.put("parent", 1);
            bySecond.put("parent", 2);
            assertEquals(Map.of("by", "first", "touched-by", "second", "parent", 1), byFirst);
            assertEquals(Map.of("by", "second", "parent", 2), bySecond);
            ipos.flush().get(10, TimeUnit.SECONDS);
            signal(dir.resolve("check"), "");
            assertEquals(dump(ipos), awaitFile(dir.resolve("seen")), "the other joiner holds the same state");
            signal(dir.resolve("dump-second"), "");
            assertEquals(dump(ipos), awaitFile(dir.resolve("state-second")), "the second incarnation holds the same state");
            assertTrue(other.isAlive());
            assertEquals(List.of(), errors);
        }
    }

    /** Joins as "worker", makes containers (deleting one), and reports its id and their node ids. */
    @SuppressWarnings("unchecked")
    static void incarnation(String[] args) {
        Path dir = Path.of(args[0]);
        String which = args[2];
        IPOS ipos = IPOS.options().name("worker").join(args[1]);
        SharedMap<String, Object> m = ipos.get("m");
        List<Long> made = new ArrayList<>();
        m.put(which, Map.of("by", which));
        made.add(((Node) m.get(which)).id());
        m.put(which + "-list", List.of(which));
        made.add(((Node) m.get(which + "-list")).id());
        if (which.equals("first")) {
            SharedList<Object> scratch = ipos.create("scratch", List.of(1));
            made.add(((Node) scratch).id());
            ipos.delete("scratch"); // its id was used, though no container holds it now
        } else {
            ((SharedMap<String, Object>) m.get("first")).put("touched-by", which);
        }
        ipos.flush().join();
        StringBuilder report = new StringBuilder().append(ipos.self().id());
        made.forEach(n -> report.append(' ').append(n));
        signal(dir.resolve("ids-" + which), report.toString());
        awaitFile(dir.resolve("dump-" + which), Duration.ofSeconds(60));
        signal(dir.resolve("state-" + which), dump(ipos));
        await("the end of this process", () -> false, Duration.ofMinutes(5));
    }

    @Test
    void everyProcessHearsASiblingJoinWriteAndLeaveInThatOrder(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("m", Map.of());
            List<String> parentLog = log(ipos);
            kids.spawn(ipos, ChildMain.childProcess(PeersProcessTest.class, "watcher", dir.toString()));
            awaitFile(dir.resolve("watching"));

            // a named joiner whose main returns, an unnamed spawned child that closes, a named joiner killed
            Process sib = kids.start(ChildMain.joinerProcess(PeersProcessTest.class, "sibling", dir.toString(), ipos.address(),
                    "sib", "5", "return"));
            assertTrue(sib.waitFor(30, TimeUnit.SECONDS));
            await("the parent heard sib leave", () -> parentLog.contains("-sib"));
            kids.spawn(ipos, ChildMain.childProcess(PeersProcessTest.class, "sibling", dir.toString(), "", "", "3", "close"));
            await("the parent heard child-3 leave", () -> parentLog.contains("-child-3"));
            Process killed = kids.start(ChildMain.joinerProcess(PeersProcessTest.class, "sibling", dir.toString(), ipos.address(),
                    "killed", "2", "wait"));
            awaitFile(dir.resolve("flushed-killed"));
            killed.destroyForcibly();
            await("the parent heard killed leave", () -> parentLog.contains("-killed"));

            List<String> expected = List.of(
                    "+sib", "sib put [s0]", "sib put [s1]", "sib put [s2]", "sib put [s3]", "sib put [s4]", "-sib",
                    "+child-3", "child-3 put [s0]", "child-3 put [s1]", "child-3 put [s2]", "-child-3",
                    "+killed", "killed put [s0]", "killed put [s1]", "-killed");
            assertEquals(String.join("\n", expected), awaitFile(dir.resolve("watcher-log")), "the other child heard it all in order");
            List<String> parentExpected = new ArrayList<>(List.of("+watcher"));
            parentExpected.addAll(expected);
            parentExpected.add("-watcher"); // it closes once it wrote its log
            await("the watcher left", () -> parentLog.contains("-watcher"));
            assertEquals(parentExpected, parentLog, "the parent heard it all in order");
            assertEquals("0 parent, 1 watcher", awaitFile(dir.resolve("peers-sib")), "a joiner's peers(): the parent, then the others");
            assertEquals(List.of(), errors);
        }
    }

    /** "+name" and "-name" for peers, "name put [keys]" for each map change, in the order this process heard them. */
    static List<String> log(IPOS ipos) {
        List<String> log = new CopyOnWriteArrayList<>();
        ipos.onPeer(e -> log.add((e.joined() ? "+" : "-") + e.peer().name()));
        ipos.onChange(c -> {
            if (c instanceof MapChange<?, ?> mc) {
                log.add(c.origin().name() + " put " + new ArrayList<>(mc.added().keySet()));
            }
        });
        return log;
    }

    static void watcher(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.options().name("watcher").connect();
        List<String> log = log(ipos);
        signal(dir.resolve("watching"), "");
        await("every sibling came and went", () -> log.contains("-killed"), Duration.ofSeconds(80));
        signal(dir.resolve("watcher-log"), String.join("\n", log));
        ipos.close();
    }

    /** Joins (an address given) or connects, under a name if one is given, writes n keys one by one, then leaves as told. */
    static void sibling(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS.Options options = IPOS.options();
        if (!args[2].isEmpty()) {
            options.name(args[2]);
        }
        IPOS ipos = args[1].isEmpty() ? options.connect() : options.join(args[1]);
        signal(dir.resolve("peers-" + ipos.self().name()), describe(ipos.peers()));
        SharedMap<String, Object> m = ipos.get("m");
        for (int i = 0; i < Integer.parseInt(args[3]); i++) {
            m.put("s" + i, ipos.self().name());
        }
        switch (args[4]) {
            case "return" -> { } // the exit delivers the writes
            case "close" -> ipos.close();
            default -> {
                ipos.flush().join();
                signal(dir.resolve("flushed-" + ipos.self().name()), "");
                await("the end of this process", () -> false, Duration.ofMinutes(5));
            }
        }
    }
}
