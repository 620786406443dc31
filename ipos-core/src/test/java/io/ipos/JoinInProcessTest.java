package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Joining by address, peers and read-only access, with the joiners in this JVM (each its own
 * instance over a real socket): the fast twin of the multi-process tests.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JoinInProcessTest {

    private static String listenAt(String transport, Path dir) {
        return transport.equals("unix") ? "unix:" + dir.resolve("p.sock") : "tcp://127.0.0.1:0";
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aJoinerWithTheAddressSharesTheStateBothWays(String transport, @TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.options().listen(listenAt(transport, dir)).start()) {
            SharedMap<String, Object> m = parent.create("m", Map.of("a", 1));
            IPOS joiner = IPOS.options().name("dashboard").join(parent.address());
            try {
                assertEquals(Map.of("a", 1), joiner.get("m"));
                SharedMap<String, Object> jm = joiner.get("m");
                jm.put("b", 2);
                joiner.flush().get(10, TimeUnit.SECONDS);
                assertEquals(2, m.get("b"));
                m.put("c", 3);
                parent.flush().get(10, TimeUnit.SECONDS);
                assertEquals(3, jm.get("c"));
                assertEquals("dashboard", joiner.self().name());
                assertEquals(List.of(joiner.self()), parent.peers());
                assertEquals(List.of(parent.self()), joiner.peers());
                assertTrue(parent.address().startsWith(transport.equals("unix") ? "unix:/" : "tcp://127.0.0.1:"), parent.address());
            } finally {
                joiner.close();
            }
        }
    }

    @Test
    void aUnixSocketIsTheOwnersOnly(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("sub").resolve("p.sock");
        try (IPOS parent = IPOS.options().listen("unix:" + sock).start()) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(sock));
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE),
                    Files.getPosixFilePermissions(sock.getParent()));
            assertTrue(parent.address().length() > ("unix:" + sock + "#").length() + 40, "a 256-bit secret: " + parent.address().length());
        }
        assertFalse(Files.exists(sock), "the socket file is removed at close");
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aWrongOrMissingSecretIsRefusedBeforeAnyState(String transport, @TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS parent = IPOS.options().listen(listenAt(transport, dir)).start().onError(errors::add)) {
            parent.create("secret-data", 42);
            String good = parent.address();
            String base = good.substring(0, good.indexOf('#'));
            String wrong = base + "#" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
            IposException e = assertThrows(IposException.class, () -> IPOS.join(wrong, Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("secret is wrong"), e.getMessage());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> IPOS.join(base));
            assertTrue(missing.getMessage().contains("no secret"), missing.getMessage());
            assertFalse(missing.getMessage().contains(good.substring(good.indexOf('#') + 1)), "messages never show a secret");
            assertEquals(List.of(), parent.peers());
            ChildMain.await("the refusal reported", () -> !errors.isEmpty());
        }
    }

    @Test
    void namesAreUniqueAndARejoinGetsItsIdBackWithoutReusingNodeIds(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start()) {
            parent.create("m", Map.of());
            IPOS first = IPOS.options().name("worker").join(parent.address());
            int id = first.self().id();
            IposException taken = assertThrows(IposException.class, () -> IPOS.options().name("worker").join(parent.address()));
            assertTrue(taken.getMessage().contains("'worker' is taken"), taken.getMessage());
            SharedMap<String, Object> m = first.get("m");
            m.put("made-by-first", List.of(1)); // a container with the first's node id
            first.flush().get(10, TimeUnit.SECONDS);
            first.close();
            ChildMain.await("the first left", () -> parent.peers().isEmpty());

            IPOS again = IPOS.options().name("worker").join(parent.address());
            try {
                assertEquals(id, again.self().id(), "the same id under the same name");
                SharedMap<String, Object> m2 = again.get("m");
                m2.put("made-by-again", List.of(2));
                again.flush().get(10, TimeUnit.SECONDS);
                assertEquals(List.of(1), parent.<Map<String, Object>>get("m").get("made-by-first"));
                assertEquals(List.of(2), parent.<Map<String, Object>>get("m").get("made-by-again"));
                long firstId = ((Node) parent.<Map<String, Object>>get("m").get("made-by-first")).id();
                long againId = ((Node) parent.<Map<String, Object>>get("m").get("made-by-again")).id();
                assertTrue(againId != firstId, "node ids never collide: " + firstId + " " + againId);
            } finally {
                again.close();
            }
        }
    }

    @Test
    void everyProcessHearsPeersJoinAndLeaveInOrder(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start()) {
            List<String> parentHeard = new CopyOnWriteArrayList<>();
            parent.onPeer(e -> parentHeard.add(e.peer().name() + (e.joined() ? "+" : "-")));
            IPOS a = IPOS.options().name("a").join(parent.address());
            List<String> aHeard = new CopyOnWriteArrayList<>();
            a.onPeer(e -> aHeard.add(e.peer().name() + (e.joined() ? "+" : "-")));
            IPOS b = IPOS.options().name("b").join(parent.address());
            a.flush().get(10, TimeUnit.SECONDS);
            ChildMain.await("a heard b", () -> aHeard.contains("b+"));
            assertEquals(List.of(parent.self(), b.self()), a.peers());
            assertEquals(List.of(parent.self(), a.self()), b.peers());
            b.close();
            ChildMain.await("a heard b leave", () -> aHeard.contains("b-"));
            a.close();
            ChildMain.await("the parent heard both", () -> parentHeard.size() == 4);
            assertEquals(List.of("a+", "b+", "b-", "a-"), parentHeard);
            assertEquals(List.of("b+", "b-"), aHeard);
        }
    }

    @Test
    void aReadOnlyJoinerReadsAndObservesButEveryWriteThrows(@TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start()) {
            SharedMap<String, Object> m = parent.create("m", Map.of("a", 1));
            parent.create("l", List.of(1, 2));
            IPOS reader = IPOS.join(parent.address(Access.READ_ONLY));
            try {
                List<MapChange<String, Object>> seen = new CopyOnWriteArrayList<>();
                SharedMap<String, Object> rm = reader.get("m");
                rm.onChange(seen::add);
                m.put("b", 2);
                parent.flush().get(10, TimeUnit.SECONDS);
                reader.flush().get(10, TimeUnit.SECONDS);
                assertEquals(2, rm.get("b"));
                assertEquals(1, seen.size());
                SharedList<Object> rl = reader.get("l");
                for (Runnable write : List.<Runnable>of(() -> rm.put("x", 1), () -> rm.remove("absent"), rm::clear,
                        () -> rl.add(3), () -> rl.set(0, 9), () -> rm.keySet().remove("a"),
                        () -> reader.create("f", 1), () -> reader.delete("m"), () -> reader.atomic(() -> { }))) {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, write::run);
                    assertTrue(e.getMessage().contains("read-only"), e.getMessage());
                }
                assertEquals(Map.of("a", 1, "b", 2), rm);
                assertEquals(Map.of("a", 1, "b", 2), m);
            } finally {
                reader.close();
            }
        }
    }
}
