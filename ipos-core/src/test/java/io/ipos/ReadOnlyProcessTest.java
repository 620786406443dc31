package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Read-only peers of every kind: a child spawned with {@code spawn(builder, READ_ONLY)}, one linked
 * by its pipes with {@code addProcess(p, READ_ONLY)}, and a joiner with
 * {@code address(Access.READ_ONLY)}. Each receives everything and its listeners fire; every write
 * through its collections, {@code create}, {@code delete} and {@code atomic} throws
 * {@link UnsupportedOperationException} saying read-only. One that forges an OP frame anyway (raw
 * bytes on its socket or its stdout) is dropped, and nothing of the write is applied anywhere.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadOnlyProcessTest {
    static final List<String> KINDS = List.of("spawned", "stdio", "joiner");

    /** Starts a read-only peer of {@code kind} running {@code method(dir, kind, address or "", extra...)}. */
    private static Process startReadOnly(IPOS ipos, ChildMain.Kids kids, String kind, Path dir, String method, String... extra)
            throws Exception {
        List<String> args = new ArrayList<>(List.of(dir.toString(), kind, kind.equals("joiner") ? ipos.address(Access.READ_ONLY) : ""));
        args.addAll(List.of(extra));
        String[] a = args.toArray(new String[0]);
        return switch (kind) {
            case "spawned" -> kids.spawn(ipos, ChildMain.childProcess(ReadOnlyProcessTest.class, method, a), Access.READ_ONLY);
            case "stdio" -> kids.addOverStdio(ipos, ChildMain.childProcess(ReadOnlyProcessTest.class, method, a), Access.READ_ONLY);
            default -> kids.start(ChildMain.joinerProcess(ReadOnlyProcessTest.class, method, a));
        };
    }

    /** A child joins its parent, a joiner the address it was given. */
    private static IPOS link(String[] args) {
        return args[2].isEmpty() ? IPOS.connect() : IPOS.join(args[2]);
    }

    @Test
    void readOnlyPeersOfEveryKindReceiveAndObserveEverythingAndEveryWriteThrows(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of("a", 1, "nested", Map.of("k", 0)));
            SharedList<Object> l = ipos.create("l", List.of(1, 2));
            SharedSet<Object> s = ipos.create("s", Set.of("x"));
            String before = dump(ipos);
            for (String kind : KINDS) {
                startReadOnly(ipos, kids, kind, dir, "reader");
            }
            for (String kind : KINDS) {
                String[] tried = awaitFile(dir.resolve("tried-" + kind)).split("\n---\n");
                assertEquals("every write threw UnsupportedOperationException saying read-only", tried[0], kind);
                assertEquals(before, tried[1], kind + ": nothing changed, not even locally");
            }
            await("three peers", () -> ipos.peers().size() == 3);
            for (ChildLink link : ipos.links()) {
                assertTrue(link.readOnly(), link.name);
            }
            assertEquals(before, dump(ipos), "nothing of the attempts reached the parent");

            m.put("b", 2);
            l.add(3);
            s.add("y");
            ipos.create("f", 9);
            ipos.flush().get(10, TimeUnit.SECONDS);
            signal(dir.resolve("go"), "");
            for (String kind : KINDS) {
                String[] seen = awaitFile(dir.resolve("seen-" + kind)).split("\n", 2);
                assertEquals("map 1, list 1, set 1, instance 4, all from the parent", seen[0], kind + ": its listeners fired");
                assertEquals(dump(ipos), seen[1], kind + " received everything");
            }
            signal(dir.resolve("stop"), "");
            assertEquals(List.of(), errors);
        }
    }

    static void reader(String[] args) {
        Path dir = Path.of(args[0]);
        String kind = args[1];
        IPOS ipos = link(args);
        SharedMap<String, Object> m = ipos.get("m");
        SharedList<Object> l = ipos.get("l");
        SharedSet<Object> s = ipos.get("s");
        AtomicInteger mapEvents = new AtomicInteger();
        AtomicInteger listEvents = new AtomicInteger();
        AtomicInteger setEvents = new AtomicInteger();
        AtomicInteger all = new AtomicInteger();
        List<String> foreign = new CopyOnWriteArrayList<>();
        m.onChange(c -> mapEvents.incrementAndGet());
        l.onChange(c -> listEvents.incrementAndGet());
        s.onChange(c -> setEvents.incrementAndGet());
        ipos.onChange(c -> {
            all.incrementAndGet();
            if (c.isLocal() || !c.origin().name().equals("parent")) {
                foreign.add(c.origin().toString());
            }
        });

        List<String> problems = new ArrayList<>();
        writes(ipos, m, l, s).forEach((what, write) -> {
            try {
                write.run();
                problems.add(what + ": did not throw");
            } catch (UnsupportedOperationException e) {
                if (e.getMessage() == null || !e.getMessage().contains("read-only")) {
                    problems.add(what + ": " + e.getMessage());
                }
            } catch (RuntimeException e) {
                problems.add(what + ": threw " + e);
            }
        });
        signal(dir.resolve("tried-" + kind), (problems.isEmpty() ? "every write threw UnsupportedOperationException saying read-only"
                : String.join("; ", problems)) + "\n---\n" + dump(ipos));

        awaitFile(dir.resolve("go"));
        await("the parent's writes", () -> ipos.keys().contains("f") && mapEvents.get() == 1 && listEvents.get() == 1
                && setEvents.get() == 1 && all.get() == 4);
        ipos.flush().join();
        signal(dir.resolve("seen-" + kind), "map " + mapEvents + ", list " + listEvents + ", set " + setEvents + ", instance " + all
                + (foreign.isEmpty() ? ", all from the parent" : ", but from " + foreign) + "\n" + dump(ipos));
        awaitFile(dir.resolve("stop"));
        ipos.close();
    }

    /** Every kind of write a reader might try, by name. */
    private static Map<String, Runnable> writes(IPOS ipos, SharedMap<String, Object> m, SharedList<Object> l, SharedSet<Object> s) {
        Map<String, Runnable> w = new LinkedHashMap<>();
        w.put("map put", () -> m.put("x", 1));
        w.put("map remove", () -> m.remove("a"));
        w.put("map remove of an absent key", () -> m.remove("absent"));
        w.put("map clear", m::clear);
        w.put("map putAll", () -> m.putAll(Map.of("y", 2)));
        w.put("map putIfAbsent", () -> m.putIfAbsent("z", 3));
        w.put("map merge", () -> m.merge("a", 1, (x, y) -> 9));
        w.put("map compute", () -> m.compute("a", (k, v) -> 5));
        w.put("map computeIfAbsent", () -> m.computeIfAbsent("w", k -> 5));
        w.put("map replaceAll", () -> m.replaceAll((k, v) -> 0));
        w.put("map keySet remove", () -> m.keySet().remove("a"));
        w.put("map values clear", () -> m.values().clear());
        w.put("map entry iterator remove", () -> {
            Iterator<Map.Entry<String, Object>> it = m.entrySet().iterator();
            it.next();
            it.remove();
        });
        w.put("map entry setValue", () -> m.entrySet().iterator().next().setValue(7));
        w.put("nested map put", () -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> nested = (Map<String, Object>) m.get("nested");
            nested.put("k", 1);
        });
        w.put("list add", () -> l.add(3));
        w.put("list add at 0", () -> l.add(0, 0));
        w.put("list set", () -> l.set(0, 9));
        w.put("list remove", () -> l.remove(0));
        w.put("list subList clear", () -> l.subList(0, 1).clear());
        w.put("list sort", () -> l.sort(null));
        w.put("list removeIf", () -> l.removeIf(x -> true));
        w.put("list iterator remove", () -> {
            Iterator<Object> it = l.iterator();
            it.next();
            it.remove();
        });
        w.put("set add", () -> s.add("y"));
        w.put("set remove", () -> s.remove("x"));
        w.put("set retainAll", () -> s.retainAll(Set.of()));
        w.put("set iterator remove", () -> {
            Iterator<Object> it = s.iterator();
            it.next();
            it.remove();
        });
        w.put("create", () -> ipos.create("f", 1));
        w.put("delete", () -> ipos.delete("m"));
        w.put("atomic", () -> ipos.atomic(() -> { }));
        return w;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"spawned", "stdio", "joiner"})
    void aReadOnlyPeerThatForgesAWriteIsDroppedAndNothingOfItIsAppliedAnywhere(String kind, @TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().listen("unix:" + dir.resolve("p.sock")).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of("a", 1));
            List<String> parentForged = forgedEvents(ipos);
            kids.spawn(ipos, ChildMain.childProcess(ReadOnlyProcessTest.class, "witness", dir.toString()));
            awaitFile(dir.resolve("witnessing"));
            startReadOnly(ipos, kids, kind, dir, kind.equals("stdio") ? "stdioForger" : "rawForger", Long.toString(((Node) m).id()));
            assertEquals("access 1", awaitFile(dir.resolve("welcomed-" + kind)), "admitted read-only");
            await("two peers", () -> ipos.peers().size() == 2);
            Peer witness = ipos.peers().get(0);

            signal(dir.resolve("forge"), "");
            await("the forger reported", () -> !errors.isEmpty());
            String message = errors.get(0).getMessage();
            assertTrue(message.matches("(child pid [0-9]+|joiner 1 \\(Unix socket\\)) is read-only \\(Access.READ_ONLY\\) and sent a "
                    + "write \\(OP frame at stream offset [0-9]+\\); dropped its link, nothing of it was applied"), message);
            await("the forger dropped", () -> ipos.peers().size() == 1);
            assertEquals(List.of(witness), ipos.peers());
            String dropped = awaitFile(dir.resolve("dropped-" + kind));
            assertTrue(dropped.startsWith("ended: "), dropped);
            assertTrue(dropped.contains("is read-only (Access.READ_ONLY) and sent a write"), "the forger was told why: " + dropped);

            m.put("after", "the forger left");
            ipos.flush().get(10, TimeUnit.SECONDS);
            assertEquals(Map.of("a", 1, "after", "the forger left"), m);
            assertFalse(ipos.keys().contains("forged"));
            signal(dir.resolve("dump"), "");
            String[] witnessed = awaitFile(dir.resolve("witnessed")).split("\n", 2);
            assertEquals("0 forged events", witnessed[0], "the sibling never saw any of it");
            assertEquals(dump(ipos), witnessed[1]);
            assertEquals(List.of(), parentForged, "the parent never applied any of it, not even for a moment");
            assertEquals(1, errors.size(), errors.toString());
        }
    }

    /** Every change this process sees that mentions "forged", as it happens. */
    static List<String> forgedEvents(IPOS ipos) {
        List<String> forged = new CopyOnWriteArrayList<>();
        ipos.onChange(c -> {
            String what = c.path() + " " + (c instanceof MapChange<?, ?> mc ? mc.added().keySet()
                    : c instanceof FieldChange fc ? fc.added().keySet() : "");
            if (what.contains("forged")) {
                forged.add(what);
            }
        });
        return forged;
    }

    static void witness(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        List<String> forged = forgedEvents(ipos);
        signal(dir.resolve("witnessing"), "");
        awaitFile(dir.resolve("dump"));
        ipos.flush().join();
        signal(dir.resolve("witnessed"), forged.size() + " forged events\n" + dump(ipos));
        ipos.close();
    }

    /** Two forged writes, one frame each: a new field, and a key in the map {@code mapId}. */
    private static byte[] forgedOps(long mapId) {
        return BadInputProcessTest.concat(BadInputProcessTest.op(w -> {
            w.writeArrayHeader(4);
            w.writeLong(FrameDescriptor.OP_MAP_PUT);
            w.writeLong(0); // the root: a field
            w.writeString("forged");
            w.writeLong(1);
        }), BadInputProcessTest.op(w -> {
            w.writeArrayHeader(4);
            w.writeLong(FrameDescriptor.OP_MAP_PUT);
            w.writeLong(mapId);
            w.writeString("forged");
            w.writeLong(1);
        }));
    }

    /**
     * Speaks the protocol by hand on the socket in {@code IPOS_ADDRESS} (a spawned child) or the
     * address given (a joiner): HELLO with the secret, READY after the snapshot, then OP frames.
     */
    static void rawForger(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String kind = args[1];
        String address = args[2].isEmpty() ? System.getenv(ChildSockets.ENV) : args[2];
        try (RawSocketPeer raw = RawSocketPeer.connect(address)) {
            raw.send(RawSocketPeer.hello(null, RawSocketPeer.secretOf(address)));
            List<RawSocketPeer.Frame> frames = raw.awaitFrames(2, ChildMain.PATIENCE);
            if (frames.size() < 2 || frames.get(0).type() != FrameDescriptor.WELCOME || frames.get(1).type() != FrameDescriptor.SNAPSHOT) {
                throw new AssertionError("no welcome: " + frames);
            }
            byte[] welcome = frames.get(0).body();
            int access = welcome[11 + welcome[10]];
            raw.send(BadInputProcessTest.frame(FrameDescriptor.READY, new byte[0]));
            signal(dir.resolve("welcomed-" + kind), "access " + access);
            awaitFile(dir.resolve("forge"));
            raw.send(forgedOps(Long.parseLong(args[3])));
            boolean ended = raw.awaitEnd(ChildMain.PATIENCE);
            String told = raw.frames().stream().filter(f -> f.type() == FrameDescriptor.ERROR).map(RawSocketPeer.Frame::text)
                    .findFirst().orElse("no ERROR frame");
            signal(dir.resolve("dropped-" + kind), (ended ? "ended: " : "still open: ") + told);
        }
    }

    /** Links over its stdin/stdout as any addProcess child, then writes the forged frames to the real stdout. */
    static void stdioForger(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String kind = args[1];
        IPOS ipos = IPOS.connect();
        List<String> errors = new CopyOnWriteArrayList<>();
        ipos.onError(e -> errors.add(e.getMessage()));
        int access;
        try {
            ipos.create("probe", 1);
            access = 0;
        } catch (UnsupportedOperationException readOnly) {
            access = 1;
        }
        signal(dir.resolve("welcomed-" + kind), "access " + access);
        awaitFile(dir.resolve("forge"));
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        out.write(forgedOps(Long.parseLong(args[3])));
        out.flush();
        await("the parent dropping this process", () -> !ipos.isConnected() && !errors.isEmpty());
        signal(dir.resolve("dropped-" + kind), "ended: " + errors.get(0));
    }
}
