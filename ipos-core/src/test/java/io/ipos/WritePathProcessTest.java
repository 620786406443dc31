package io.ipos;

import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write is checked and encoded before it is applied (issue 8, items 1-3): a write that can't
 * travel throws in the writing thread and is stored nowhere; an op a receiver can't apply is
 * refused whole (by the parent: rolled back in the writer) or makes the receiver leave rather than
 * hold a different state; nesting built one level per op stops at the depth limit, and deep
 * structures are deleted, copied and synced without recursion.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WritePathProcessTest {
    static final int SMALL_FRAME = 1 << 20;

    /** A registered class whose serialize hook always throws. */
    static final class Grumpy {
    }

    /** A record with a component that can't be shared. */
    record Stamp(Date when) {
    }

    /**
     * Registered with explicit hooks; in the test JVM (the parent) its {@code from} builds an
     * instance that can't be serialized again, in the children a good one.
     */
    record Fragile(String text, boolean broken) {
    }

    /** A record whose hashCode throws for the name "bad" in a process started with -Dtouchy.fails. */
    record Touchy(String name) {
        @Override
        public int hashCode() {
            if (name.equals("bad") && System.getProperty("touchy.fails") != null) {
                throw new IllegalStateException("Touchy(bad) can't be hashed in this process");
            }
            return name.hashCode();
        }
    }

    static void registerClasses(boolean fragileBreaksHere) {
        register(() -> IPOS.registerClass(Grumpy.class, g -> {
            throw new IllegalStateException("Grumpy refuses to serialize");
        }, x -> new Grumpy()));
        register(() -> IPOS.registerClass(Stamp.class));
        register(() -> IPOS.registerClass(Touchy.class));
        register(() -> IPOS.registerClass(Fragile.class, f -> {
            if (f.broken()) {
                throw new IllegalStateException("a broken Fragile can't serialize");
            }
            return f.text();
        }, x -> new Fragile((String) x, fragileBreaksHere)));
    }

    /** Registers once per JVM (the test JVM runs every test class). */
    private static void register(Runnable registration) {
        try {
            registration.run();
        } catch (IllegalArgumentException alreadyRegistered) {
            // registered by an earlier test in this JVM
        }
    }

    static {
        registerClasses(true);
    }

    // ---------------------------------------------------------------- item 1: unsendable writes

    @Test
    void unsendableWritesThrowInTheWriterAndAreStoredNowhere(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.options().maxFrameBytes(SMALL_FRAME).start().onError(errors::add);
                ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of("before", 1));
            kids.spawn(ipos, WritePathProcessTest.class, "unsendableWriter", dir.toString());

            assertRefused(() -> m.put("grumpy", new Grumpy()), "serialize hook failed");
            assertRefused(() -> m.put("stamp", new Stamp(new Date())), "java.util.Date");
            assertRefused(() -> m.put("big", new byte[2 * SMALL_FRAME]), "maxFrameBytes=" + SMALL_FRAME);
            assertRefused(() -> ipos.create("big", new byte[2 * SMALL_FRAME]), "maxFrameBytes=" + SMALL_FRAME);
            assertRefused(() -> m.put("list", List.of(1, new Grumpy())), "serialize hook failed");
            assertEquals(Map.of("before", 1), m, "the parent stored nothing it couldn't send");
            m.put("parentAfter", 2);

            signal(dir.resolve("go"), "");
            String childDump = awaitFile(dir.resolve("child.dump"));
            assertEquals("refused 5 of 5\n", awaitFile(dir.resolve("child.refusals")));
            ipos.flush().get(20, TimeUnit.SECONDS);
            assertEquals(dump(ipos), childDump);
            assertEquals(Map.of("before", 1, "parentAfter", 2, "childAfter", 100), m);

            // a process joining later gets a snapshot that encodes
            kids.spawn(ipos, WritePathProcessTest.class, "dumper", dir.toString(), "late");
            assertEquals(dump(ipos), awaitFile(dir.resolve("late.dump")));
            assertEquals(List.of(), errors);
        }
    }

    static void unsendableWriter(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        registerClasses(false);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Object> m = ipos.get("m");
        awaitFile(dir.resolve("go"));
        int refused = 0;
        List<Runnable> writes = List.of(
                () -> m.put("grumpy", new Grumpy()),
                () -> m.put("stamp", new Stamp(new Date())),
                () -> m.put("big", new byte[2 * SMALL_FRAME]),
                () -> ipos.create("big", new byte[2 * SMALL_FRAME]),
                () -> m.putAll(Map.of("a", 1, "b", new Grumpy())));
        for (Runnable w : writes) {
            try {
                w.run();
            } catch (IllegalArgumentException expected) {
                refused++;
            }
        }
        // ops after the refused ones are confirmed in order: no stale value comes back
        for (int i = 1; i <= 100; i++) {
            m.put("childAfter", i);
        }
        ipos.flush().get(20, TimeUnit.SECONDS);
        ChildMain.await("the parent's write", () -> m.containsKey("parentAfter"));
        signal(dir.resolve("child.refusals"), "refused " + refused + " of " + writes.size() + "\n");
        signal(dir.resolve("child.dump"), dump(ipos));
        ipos.close();
    }

    static void dumper(String[] args) throws Exception {
        registerClasses(false);
        IPOS ipos = IPOS.connect();
        signal(Path.of(args[0]).resolve(args[1] + ".dump"), dump(ipos));
        ipos.close();
    }

    private static void assertRefused(Runnable write, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, write::run);
        assertTrue(e.getMessage().contains(messagePart), "message names the problem: " + e.getMessage());
    }

    // ---------------------------------------------------------------- item 1: a value the parent can't encode again

    @Test
    void aValueTheParentCannotEncodeAgainIsRefusedAndRolledBackInTheWriter(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of());
            kids.spawn(ipos, WritePathProcessTest.class, "fragileWriter", dir.toString());
            kids.spawn(ipos, WritePathProcessTest.class, "dumperAfterGo", dir.toString(), "sibling");

            String writer = awaitFile(dir.resolve("writer.dump"));
            assertTrue(awaitFile(dir.resolve("writer.errors")).contains("refused a write of this process"),
                    "the writer's handler hears the refusal");
            assertEquals(Map.of("after", 1), m);
            ipos.flush().get(20, TimeUnit.SECONDS);
            signal(dir.resolve("go"), "");
            assertEquals(dump(ipos), writer);
            assertEquals(dump(ipos), awaitFile(dir.resolve("sibling.dump")));
            kids.spawn(ipos, WritePathProcessTest.class, "dumper", dir.toString(), "late");
            assertEquals(dump(ipos), awaitFile(dir.resolve("late.dump")));
            assertEquals(1, errors.size(), "the parent reports the refusal once: " + errors);
            assertTrue(errors.get(0).getMessage().contains("from() hook can't be encoded again"), errors.get(0).getMessage());
        }
    }

    static void fragileWriter(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        registerClasses(false);
        List<IposException> errors = new CopyOnWriteArrayList<>();
        IPOS ipos = IPOS.connect().onError(errors::add);
        SharedMap<String, Object> m = ipos.get("m");
        m.put("fragile", new Fragile("x", false));
        m.put("after", 1);
        ipos.flush().get(20, TimeUnit.SECONDS);
        signal(dir.resolve("writer.errors"), errors.toString());
        signal(dir.resolve("writer.dump"), dump(ipos));
        ipos.close();
    }

    static void dumperAfterGo(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        registerClasses(false);
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("go"));
        signal(dir.resolve(args[1] + ".dump"), dump(ipos));
        ipos.close();
    }

    // ---------------------------------------------------------------- item 2: never half-applied

    @Test
    void anOpTheParentCannotHashIsRefusedWholeAndRolledBackInTheWriter(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        System.setProperty("touchy.fails", "true");
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedSet<Object> set = ipos.create("set", Set.of());
            kids.spawn(ipos, WritePathProcessTest.class, "touchyWriter", dir.toString());
            kids.spawn(ipos, WritePathProcessTest.class, "dumperAfterGo", dir.toString(), "sibling");

            String writer = awaitFile(dir.resolve("writer.dump"));
            assertTrue(awaitFile(dir.resolve("writer.errors")).contains("can't be hashed"), "the writer hears why");
            assertEquals(Set.of(7), set, "the parent applied none of the refused addAll");
            ipos.flush().get(20, TimeUnit.SECONDS);
            signal(dir.resolve("go"), "");
            assertEquals(dump(ipos), writer, "the writer rolled back to the parent's state");
            assertEquals(dump(ipos), awaitFile(dir.resolve("sibling.dump")));
            assertEquals(1, errors.size(), errors.toString());
        } finally {
            System.clearProperty("touchy.fails");
        }
    }

    static void touchyWriter(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        registerClasses(false);
        List<IposException> errors = new CopyOnWriteArrayList<>();
        IPOS ipos = IPOS.connect().onError(errors::add);
        SharedSet<Object> set = ipos.get("set");
        set.addAll(List.of(100, new Touchy("bad"), 101)); // applied here at once; the parent's REJECT rolls it back
        set.add(7);
        ipos.flush().get(20, TimeUnit.SECONDS);
        signal(dir.resolve("writer.errors"), errors.toString());
        signal(dir.resolve("writer.dump"), dump(ipos));
        ipos.close();
    }

    @Test
    void aChildThatCannotApplyTheParentsOpLeavesInsteadOfHoldingADifferentState(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedSet<Object> set = ipos.create("set", Set.of());
            ProcessBuilder touchy = ChildMain.childProcess(WritePathProcessTest.class, "touchyReader", dir.toString());
            touchy.command().add(1, "-Dtouchy.fails=true");
            Process reader = ipos.spawn(touchy);
            kids.track(reader.toHandle());

            set.addAll(List.of(100, new Touchy("bad"), 101));
            set.add(102);
            assertEquals("connected=false; set=[]; error=cannot apply the parent's SET_ADD",
                    awaitFile(dir.resolve("reader.state")).replaceAll("(error=[^:]*SET_ADD).*", "$1"));
            ChildMain.await("the parent drops the child that left", () -> ipos.processes().isEmpty());
            assertEquals(4, set.size());
            ChildMain.await("the child's report", () -> errors.stream().anyMatch(e -> e.getMessage().contains("can't be hashed")));
        }
    }

    static void touchyReader(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        registerClasses(false);
        List<IposException> errors = new CopyOnWriteArrayList<>();
        IPOS ipos = IPOS.connect().onError(errors::add);
        ChildMain.await("the link to drop", () -> !ipos.isConnected());
        SharedSet<Object> set = ipos.get("set");
        ChildMain.await("the error", () -> !errors.isEmpty());
        signal(dir.resolve("reader.state"), "connected=" + ipos.isConnected() + "; set=" + new ArrayList<>(set)
                + "; error=" + errors.get(0).getMessage());
    }

    // ---------------------------------------------------------------- item 3: depth built op by op

    @Test
    void nestingBuiltOneLevelPerOpStopsAtTheLimitAndDeepStateSyncsCopiesAndDeletes(@TempDir Path dir) throws Exception {
        buildCopySyncAndDeleteAThousandLevels(dir, null);
    }

    /**
     * The same with every thread of the parent and of its child on a 200 KiB stack, where a walk
     * that recursed once per level overflows at 700 to 900 levels: building, copying, encoding the
     * snapshot for the joining child, decoding it there and deleting never recurse per level.
     */
    @Test
    void aThousandLevelsAreBuiltCopiedSyncedAndDeletedOnA200KiBStack(@TempDir Path dir) throws Exception {
        try (ChildMain.Kids kids = new ChildMain.Kids()) {
            ProcessBuilder b = ChildMain.joinerProcess(WritePathProcessTest.class, "smallStackParent", dir.toString());
            b.command().add(1, SMALL_STACK);
            Process parent = kids.start(b);
            assertTrue(parent.waitFor(90, TimeUnit.SECONDS), "the small-stack parent ended");
            assertEquals("ok", awaitFile(dir.resolve("small-stack.result")));
        }
    }

    /** Small enough that one frame per level of a 1,000-level value overflows (measured: 700-900 levels). */
    private static final String SMALL_STACK = "-Xss200k";

    static void smallStackParent(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String result;
        try {
            buildCopySyncAndDeleteAThousandLevels(dir, SMALL_STACK);
            result = "ok";
        } catch (Throwable t) {
            java.io.StringWriter w = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(w));
            String trace = w.toString();
            result = trace.substring(0, Math.min(4_000, trace.length()));
        }
        signal(dir.resolve("small-stack.result"), result);
    }

    /** Nesting op by op up to the limit and past it, copies, a child joining, deletes; {@code childStack}: its -Xss, or null. */
    private static void buildCopySyncAndDeleteAThousandLevels(Path dir, String childStack) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> top = ipos.create("deep", Map.of());
            SharedMap<String, Object> bottom = top;
            for (int depth = 2; depth <= Replica.MAX_DEPTH; depth++) {
                bottom.put("n", new HashMap<>());
                bottom = cast(bottom.get("n"));
            }
            SharedMap<String, Object> last = bottom;
            assertRefused(() -> last.put("n", new HashMap<>()), "the limit is " + Replica.MAX_DEPTH);
            ipos.create("copy", top); // 1000 levels from the root: a copy, made without recursion
            assertEquals(Replica.MAX_DEPTH, depthOf(ipos.get("copy")));
            SharedMap<String, Object> shallow = ipos.create("shallow", Map.of());
            assertRefused(() -> shallow.put("copy", top), "the limit is " + Replica.MAX_DEPTH);
            SharedMap<String, Object> half = cast(top.get("n"));
            ipos.create("copyOfInner", half);
            assertEquals(Replica.MAX_DEPTH - 1, depthOf(ipos.get("copyOfInner")));

            ProcessBuilder child = ChildMain.childProcess(WritePathProcessTest.class, "deepChild", dir.toString());
            if (childStack != null) {
                child.command().add(1, childStack);
            }
            kids.spawn(ipos, child);
            assertEquals("depth 1000; refused a level below: true", awaitFile(dir.resolve("child.depth")));
            assertTrue(ipos.delete("deep"));
            assertTrue(ipos.delete("copyOfInner"));
            assertTrue(ipos.delete("copy"));
            ipos.flush().get(20, TimeUnit.SECONDS);
            signal(dir.resolve("go"), "");
            assertEquals("fields [shallow]", awaitFile(dir.resolve("child.after")));
            assertEquals(List.of(), errors);
            assertFalse(last.containsKey("n"));
        }
    }

    static void deepChild(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Object> bottom = ipos.get("deep");
        int depth = 1;
        while (bottom.get("n") != null) {
            bottom = cast(bottom.get("n"));
            depth++;
        }
        boolean refused;
        try {
            bottom.put("n", Map.of());
            refused = false;
        } catch (IllegalArgumentException e) {
            refused = e.getMessage().contains("the limit is");
        }
        signal(dir.resolve("child.depth"), "depth " + depth + "; refused a level below: " + refused);
        awaitFile(dir.resolve("go"));
        signal(dir.resolve("child.after"), "fields " + new ArrayList<>(ipos.keys()));
        ipos.close();
    }

    private static int depthOf(SharedMap<String, Object> map) {
        int depth = 1;
        while (map.get("n") != null) {
            map = cast(map.get("n"));
            depth++;
        }
        return depth;
    }

    @SuppressWarnings("unchecked")
    private static SharedMap<String, Object> cast(Object o) {
        return (SharedMap<String, Object>) o;
    }
}
