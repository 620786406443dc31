package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Processes the parent did not start join it by its address, over a Unix socket and over TCP: a
 * separate JVM given the address as an argument holds the whole state on {@code join}, its writes
 * reach the parent and the parent's reach it, and it leaves when its process ends, killed or not.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JoinersProcessTest {

    static String listenAt(String transport, Path dir) {
        return transport.equals("unix") ? "unix:" + dir.resolve("parent.sock") : "tcp://127.0.0.1:0";
    }

    /** Records "name+" and "name-" for every peer event. */
    static List<String> heard(IPOS ipos) {
        List<String> heard = new CopyOnWriteArrayList<>();
        ipos.onPeer(e -> heard.add(e.peer().name() + (e.joined() ? "+" : "-")));
        return heard;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aJoinerProcessSharesTheStateBothWaysAndLeavesWhenKilled(String transport, @TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().listen(listenAt(transport, dir)).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of("a", 1, "nested", Map.of("deep", List.of(1, 2))));
            ipos.create("l", List.of("x", "y"));
            List<String> heard = heard(ipos);
            String before = dump(ipos);
            Process joiner = kids.start(ChildMain.joinerProcess(JoinersProcessTest.class, "joiner", ipos.address(), dir.toString()));

            assertEquals(before, awaitFile(dir.resolve("joined")), "the joiner holds the whole state when join returns");
            await("the joiner's write", () -> m.containsKey("joiner"));
            assertEquals(joiner.pid(), ((Number) m.get("joiner")).longValue());
            assertEquals(1, ipos.peers().size());
            Peer peer = ipos.peers().get(0);
            assertEquals("child-1", peer.name(), "an unnamed joiner gets child-<id>");
            assertEquals("1 child-1 [0 parent]", awaitFile(dir.resolve("self")));
            assertEquals(List.of(), ipos.processes(), "a joiner is a peer, not a process of this parent");

            m.put("parent", "to the joiner");
            ipos.<SharedList<Object>>get("l").add("z");
            ipos.flush().get(10, TimeUnit.SECONDS);
            signal(dir.resolve("check"), "");
            assertEquals(dump(ipos), awaitFile(dir.resolve("seen")), "the parent's writes reached the joiner");

            joiner.destroyForcibly();
            await("the parent dropped the killed joiner", () -> ipos.peers().isEmpty());
            await("onPeer said it left", () -> heard.size() == 2);
            assertEquals(List.of("child-1+", "child-1-"), heard);
            assertTrue(joiner.waitFor(10, TimeUnit.SECONDS));

            m.put("after", "the joiner left"); // the parent carries on alone
            assertEquals("the joiner left", m.get("after"));
            assertTrue(ipos.isConnected());
            assertEquals(List.of(), errors, "a killed joiner is no error");
        }
    }

    static void joiner(String[] args) {
        Path dir = Path.of(args[1]);
        IPOS ipos = IPOS.join(args[0]);
        signal(dir.resolve("joined"), dump(ipos));
        signal(dir.resolve("self"), ipos.self().id() + " " + ipos.self().name() + " "
                + ipos.peers().stream().map(p -> p.id() + " " + p.name()).toList());
        SharedMap<String, Object> m = ipos.get("m");
        m.put("joiner", ProcessHandle.current().pid());
        ipos.flush().join();
        awaitFile(dir.resolve("check"));
        signal(dir.resolve("seen"), dump(ipos));
        await("the end of this process", () -> false, java.time.Duration.ofMinutes(5));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aJoinerWhoseMainReturnsDeliversItsLastWritesThenLeaves(String transport, @TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().listen(listenAt(transport, dir)).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of());
            List<String> heard = heard(ipos);
            Process joiner = kids.start(ChildMain.joinerProcess(JoinersProcessTest.class, "writeAndReturn", ipos.address(), "2000",
                    "writer-" + transport));
            assertTrue(joiner.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, joiner.exitValue());
            await("the parent heard it leave", () -> heard.contains("writer-" + transport + "-"));
            assertEquals(2000, m.size(), "every write made before main returned arrived");
            for (int i = 0; i < 2000; i++) {
                assertEquals(i, m.get("k" + i));
            }
            assertEquals(List.of("writer-" + transport + "+", "writer-" + transport + "-"), heard);
            assertNull(m.get("k2000"));
            assertEquals(List.of(), errors);
        }
    }

    static void writeAndReturn(String[] args) {
        int n = Integer.parseInt(args[1]);
        IPOS ipos = IPOS.options().name(args[2]).join(args[0]);
        SharedMap<String, Object> m = ipos.get("m");
        for (int i = 0; i < n; i++) {
            m.put("k" + i, i); // no flush, no close: the exit delivers them
        }
    }
}
