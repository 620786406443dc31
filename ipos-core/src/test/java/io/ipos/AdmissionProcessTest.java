package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who gets in at a parent's listen address. A process without the secret, or with a wrong one, is
 * refused before it sees any state, and its {@code join} says why. A stranger that never says
 * HELLO (silent, the magic and then nothing, a HELLO dripped a byte at a time) is dropped once the
 * handshake timeout passes, one that sends garbage or a HELLO of impossible length at once; at most
 * 64 are in their handshake together, and none of them holds memory once dropped. Strangers are
 * plain {@link java.nio.channels.SocketChannel}s from this JVM ({@link RawSocketPeer}); joiners
 * are processes of their own.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AdmissionProcessTest {
    /** The default handshake timeout: the parent in this JVM runs with it (no -Dipos.handshakeMillis here). */
    static final long DEFAULT_HANDSHAKE_MILLIS = 10_000;

    private static String withoutSecret(String address) {
        return address.substring(0, address.indexOf('#'));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aJoinerWithAWrongOrMissingSecretIsRefusedBeforeItSeesAnyState(String transport, @TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().listen(JoinersProcessTest.listenAt(transport, dir)).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("secret-data", Map.of("password", "hunter2"));
            List<String> heard = JoinersProcessTest.heard(ipos);
            String good = ipos.address();
            String secret = good.substring(good.indexOf('#') + 1);
            String base = withoutSecret(good);
            String wrong = base + "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
            String shortSecret = base + "#AAAA";
            Process p = kids.start(ChildMain.joinerProcess(AdmissionProcessTest.class, "tryToJoin", dir.toString(),
                    wrong, shortSecret, base));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());

            String[] results = awaitFile(dir.resolve("results")).split("\n");
            assertEquals(3, results.length, String.join("\n", results));
            for (String r : results) {
                assertFalse(r.contains(secret), "no message shows the secret: " + r);
                assertFalse(r.contains("hunter2"), "nothing of the state reached the refused process: " + r);
            }
            String refusal = "io.ipos.IposException: the parent refused this child: the parent refused joiner ";
            assertTrue(results[0].startsWith(refusal), results[0]);
            assertTrue(results[0].contains("its secret is wrong"), results[0]);
            assertTrue(results[1].startsWith(refusal), results[1]);
            assertTrue(results[1].contains("its secret is wrong"), results[1]);
            assertTrue(results[2].startsWith("java.lang.IllegalArgumentException: not an ipos address: '" + base
                    + "': it has no secret"), "a missing secret is refused before connecting: " + results[2]);

            // on the wire: a wrong secret and no secret each get the magic and one ERROR saying why, then the end
            for (byte[] presented : new byte[][] {new byte[32], null}) {
                try (RawSocketPeer raw = RawSocketPeer.connect(good)) {
                    raw.send(RawSocketPeer.hello(null, presented));
                    assertTrue(raw.awaitEnd(Duration.ofSeconds(5)), "the parent closes a refused socket");
                    List<RawSocketPeer.Frame> frames = raw.frames();
                    assertEquals(1, frames.size(), frames.toString());
                    assertEquals(FrameDescriptor.ERROR, frames.get(0).type());
                    assertEquals(FrameDescriptor.MAGIC.length + FrameDescriptor.HEADER_LENGTH + frames.get(0).body().length,
                            raw.receivedBytes(), "nothing but the magic and the ERROR");
                    assertTrue(frames.get(0).text().contains(presented == null ? "it presented no secret" : "its secret is wrong"),
                            frames.get(0).text());
                }
            }
            assertEquals(List.of(), ipos.peers());
            assertEquals(List.of(), heard, "no peer ever joined");
            await("four refusals reported", () -> errors.size() == 4);
            for (IposException e : errors) {
                assertTrue(e.getMessage().startsWith("the parent refused joiner "), e.getMessage());
                assertFalse(e.getMessage().contains(secret), e.getMessage());
            }
        }
    }

    static void tryToJoin(String[] args) {
        List<String> results = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            try {
                IPOS ipos = IPOS.join(args[i], Duration.ofSeconds(10));
                results.add("joined, holding " + dump(ipos).replace('\n', ' '));
            } catch (RuntimeException e) {
                results.add(e.getClass().getName() + ": " + e.getMessage());
            }
        }
        signal(Path.of(args[0]).resolve("results"), String.join("\n", results));
    }

    @Test
    void strangersAreDroppedByTheHandshakeTimeoutAtMost64AtOnceAndHoldNothingAfter(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        List<RawSocketPeer> idle = new ArrayList<>();
        try (IPOS ipos = IPOS.options().listen("tcp://127.0.0.1:0").start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of("state", List.of(1, 2, 3)));
            String address = ipos.address();
            String stateBefore = dump(ipos);
            // a joiner process, in before the strangers come (its JVM's start takes no time out of their 10 s)
            kids.start(ChildMain.joinerProcess(JoinersProcessTest.class, "joiner", address, dir.toString()));
            assertEquals(stateBefore, awaitFile(dir.resolve("joined")));
            await("the joiner's write", () -> m.containsKey("joiner"));
            strangerAndBack(address); // the first connection's classes and threads are loaded before the baseline
            long heapBefore = Memory.usedAfterGc();
            int threadsBefore = Thread.activeCount();

            // garbage, a HELLO of impossible length, a HELLO past the 524-byte cap, an OP instead of HELLO: dropped at once
            byte[] hugeHello = BadInputProcessTest.concat(FrameDescriptor.MAGIC, new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1});
            byte[] longHello = BadInputProcessTest.concat(FrameDescriptor.MAGIC,
                    BadInputProcessTest.frame(FrameDescriptor.HELLO, new byte[FrameDescriptor.MAX_HELLO_BYTES + 1]));
            byte[] opFirst = BadInputProcessTest.concat(FrameDescriptor.MAGIC,
                    BadInputProcessTest.frame(FrameDescriptor.OP, new byte[] {(byte) 0x90}));
            byte[] http = "GET / HTTP/1.1\r\nHost: ipos\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (byte[] bad : List.of(http, hugeHello, longHello, opFirst)) {
                try (RawSocketPeer raw = RawSocketPeer.connect(address)) {
                    raw.send(bad);
                    assertTrue(raw.awaitEnd(Duration.ofSeconds(3)), "dropped at once");
                    assertEquals(0, raw.receivedBytes(), "a stranger that is not an ipos peer gets nothing");
                }
            }
            await("the four reported", () -> errors.size() == 4);
            errors.clear();

            // 50 that never finish a HELLO: silent, the magic and nothing, a HELLO dripped a byte every 300 ms
            RawSocketPeer magicOnly = RawSocketPeer.connect(address);
            magicOnly.send(FrameDescriptor.MAGIC);
            RawSocketPeer drip = RawSocketPeer.connect(address);
            idle.add(magicOnly);
            idle.add(drip);
            while (idle.size() < 50) {
                idle.add(RawSocketPeer.connect(address));
            }
            byte[] dripped = RawSocketPeer.hello(null, RawSocketPeer.secretOf(address));
            Thread dripper = new Thread(() -> {
                for (int i = 0; i < dripped.length - 1 && drip.send(new byte[] {dripped[i]}); i++) {
                    ChildMain.sleep(300);
                }
            }, "dripper");
            dripper.setDaemon(true);
            dripper.start();

            // meanwhile another joiner gets in (in this JVM, so it takes no time out of the strangers' 10 s),
            // and writes of all three reach all three
            try (IPOS during = IPOS.options().name("during-the-flood").join(address)) {
                during.<SharedMap<String, Object>>get("m").put("during", "the flood");
                during.flush().get(10, TimeUnit.SECONDS);
                m.put("parent", "while 50 strangers wait");
                ipos.flush().get(10, TimeUnit.SECONDS);
                assertEquals(dump(ipos), dump(during));
            }
            signal(dir.resolve("check"), "");
            assertEquals(dump(ipos), awaitFile(dir.resolve("seen")), "the joiner process holds it all too");

            // up to 64 in their handshake at once: the 65th is closed at accept, even one with the secret
            ChildMain.sleep(200); // the watchdog forgets the finished handshake of the joiner in this JVM
            while (idle.size() < 64) {
                idle.add(RawSocketPeer.connect(address));
            }
            long heapWith64 = Memory.usedAfterGc();
            int threadsWith64 = Thread.activeCount();
            try (RawSocketPeer extra = RawSocketPeer.connect(address)) {
                extra.send(RawSocketPeer.hello("extra", RawSocketPeer.secretOf(address)));
                assertTrue(extra.awaitEnd(Duration.ofSeconds(3)), "closed at accept");
                assertEquals(0, extra.receivedBytes());
            }
            for (RawSocketPeer r : idle) {
                assertFalse(r.poll(), "the 64 are still in their handshake");
            }

            for (RawSocketPeer r : idle) {
                assertTrue(r.awaitEnd(Duration.ofMillis(DEFAULT_HANDSHAKE_MILLIS + 10_000)), "dropped by the timeout");
            }
            for (RawSocketPeer r : idle) {
                long after = r.endedAfterMillis();
                assertTrue(after >= DEFAULT_HANDSHAKE_MILLIS - 100 && after < DEFAULT_HANDSHAKE_MILLIS + 5_000,
                        "dropped when the handshake timeout passed: after " + after + " ms");
                assertEquals(0, r.receivedBytes());
            }
            await("each of the 64 reported once", () -> errors.size() >= 64);
            ChildMain.sleep(100);
            assertEquals(64, errors.size(), errors.toString());
            for (IposException e : errors) {
                assertTrue(e.getMessage().matches("joiner [0-9]+ \\(TCP\\) sent no ipos handshake within 10000 ms "
                        + "\\(-Dipos.handshakeMillis\\); dropped the connection"), e.getMessage());
            }
            for (RawSocketPeer r : idle) {
                r.close();
            }
            idle.clear();

            // nothing of them is held: the heap and the threads are back where they were, the parent works on
            await("the strangers' threads ended", () -> Thread.activeCount() <= threadsBefore + 2);
            long heapAfter = Memory.usedAfterGc();
            System.out.println("[admission] heap " + Memory.mib(heapBefore) + " before, " + Memory.mib(heapWith64)
                    + " with 64 strangers in their handshake (" + (heapWith64 - heapBefore) / 64 / 1024 + " KiB each), "
                    + Memory.mib(heapAfter) + " once they were dropped; threads " + threadsBefore + ", " + threadsWith64
                    + ", " + Thread.activeCount());
            assertTrue(heapAfter - heapBefore < 4 << 20, "the heap went back: " + Memory.mib(heapBefore) + " -> " + Memory.mib(heapAfter));
            assertTrue(heapWith64 - heapBefore < 64 << 20, "64 strangers hold " + Memory.mib(heapWith64 - heapBefore));
            assertEquals(1, ipos.peers().size(), "the joiner is still in: " + ipos.peers());
            strangerAndBack(address);
            m.put("last", 1);
            assertEquals(Map.of("state", List.of(1, 2, 3), "joiner", m.get("joiner"), "during", "the flood",
                    "parent", "while 50 strangers wait", "last", 1), m);
        } finally {
            for (RawSocketPeer r : idle) {
                r.close();
            }
        }
    }

    /** A raw peer with the secret is welcomed (WELCOME, SNAPSHOT), then says READY and leaves. */
    private static void strangerAndBack(String address) throws Exception {
        try (RawSocketPeer raw = RawSocketPeer.connect(address)) {
            raw.send(RawSocketPeer.hello(null, RawSocketPeer.secretOf(address)));
            List<RawSocketPeer.Frame> frames = raw.awaitFrames(2, Duration.ofSeconds(10));
            assertEquals(FrameDescriptor.WELCOME, frames.get(0).type(), frames.toString());
            assertEquals(FrameDescriptor.SNAPSHOT, frames.get(1).type(), frames.toString());
            raw.send(BadInputProcessTest.frame(FrameDescriptor.READY, new byte[0]));
        }
    }

    @Test
    void theHandshakeTimeoutIsTheParentsIposHandshakeMillis(@TempDir Path dir) throws Exception {
        try (ChildMain.Kids kids = new ChildMain.Kids()) {
            ProcessBuilder b = ChildMain.withProperty(ChildMain.joinerProcess(AdmissionProcessTest.class, "listeningParent",
                    dir.toString()), "ipos.handshakeMillis", "700");
            Process parent = kids.start(b);
            String address = awaitFile(dir.resolve("address"));
            try (RawSocketPeer silent = RawSocketPeer.connect(address); RawSocketPeer magicOnly = RawSocketPeer.connect(address)) {
                magicOnly.send(FrameDescriptor.MAGIC);
                assertTrue(silent.awaitEnd(Duration.ofSeconds(10)));
                assertTrue(magicOnly.awaitEnd(Duration.ofSeconds(10)));
                for (RawSocketPeer r : List.of(silent, magicOnly)) {
                    assertTrue(r.endedAfterMillis() >= 600 && r.endedAfterMillis() < 5_000, "after " + r.endedAfterMillis() + " ms");
                }
            }
            signal(dir.resolve("stop"), "2"); // the errors it waits for: a report follows the close the peers saw
            assertTrue(parent.waitFor(20, TimeUnit.SECONDS));
            String[] reported = awaitFile(dir.resolve("errors")).split("\n");
            assertEquals(2, reported.length, String.join("\n", reported));
            for (String e : reported) {
                assertTrue(e.endsWith(" sent no ipos handshake within 700 ms (-Dipos.handshakeMillis); dropped the connection"), e);
            }
        }
    }

    static void listeningParent(String[] args) {
        Path dir = Path.of(args[0]);
        List<String> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start()) {
            ipos.onError(e -> errors.add(e.getMessage()));
            signal(dir.resolve("address"), ipos.address());
            int expected = Integer.parseInt(awaitFile(dir.resolve("stop"), Duration.ofSeconds(60)).trim());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (errors.size() < expected && System.nanoTime() < deadline) {
                ChildMain.sleep(10);
            }
        }
        signal(dir.resolve("errors"), String.join("\n", errors));
    }
}
