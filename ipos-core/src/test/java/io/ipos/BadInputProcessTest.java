package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input on a link: a child that writes garbage after its handshake (a real process), corrupt
 * frames of every sort from a hand-driven peer, and version mismatches in both directions. The
 * receiver reports an {@link IposException} that names the link, drops that link, applies nothing
 * of the bad frame, and carries on with its other links.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BadInputProcessTest {

    // ---------------------------------------------------------------- a real child writing garbage

    @Test
    void childWritingGarbageAfterItsHandshakeIsDroppedAndTheOthersCarryOn(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Object> m = ipos.create("m", Map.of());
            Process bad = kids.spawnOverStdio(ipos, BadInputProcessTest.class, "garbageWriter", dir.toString());
            Process good = kids.spawn(ipos, BadInputProcessTest.class, "goodSibling", dir.toString());
            signal(dir.resolve("go"), "");
            await("the garbage writer reported", () -> !errors.isEmpty());
            await("the garbage writer dropped", () -> !ipos.processes().contains(bad));
            assertEquals(1, errors.size(), errors.toString());
            String message = errors.get(0).getMessage();
            assertTrue(message.startsWith("child pid " + bad.pid() + ": "), message);
            assertTrue(message.contains("frame at stream offset"), message);
            assertEquals("disconnected, holding m = Map{String(\"bad\")=String(\"before the garbage\")}",
                    awaitFile(dir.resolve("garbage-writer-end")));
            assertEquals("before the garbage", m.get("bad"));
            assertFalse(m.containsKey("half"), "nothing of the corrupt op is applied");

            m.put("parent", "after the garbage");
            signal(dir.resolve("garbage-done"), "");
            await("the good child's write", () -> m.containsKey("good"));
            assertEquals(List.of(good), ipos.processes());
            ipos.flush().join();
            signal(dir.resolve("dump"), "");
            assertEquals(dump(ipos), awaitFile(dir.resolve("good-dump")));
            assertTrue(bad.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, bad.exitValue());
        }
    }

    static void garbageWriter(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("go"));
        SharedMap<String, Object> m = ipos.get("m");
        m.put("bad", "before the garbage");
        ipos.flush().join();
        // nothing is queued now: write an OP frame whose body starts a put and then breaks
        ValueWriter w = WireFormat.byName("msgpack").newWriter();
        w.writeArrayHeader(6);
        w.writeLong(FrameDescriptor.OP_MAP_PUT);
        w.writeLong(((Node) m).id());
        w.writeString("half");
        w.writeLong(1);
        w.writeString("other");
        byte[] body = w.toByteArray();
        FileOutputStream out = new FileOutputStream(FileDescriptor.out);
        out.write(frame(FrameDescriptor.OP, concat(body, new byte[] {(byte) 0xC1})));
        out.flush();
        await("the parent dropping this child", () -> !ipos.isConnected());
        signal(dir.resolve("garbage-writer-end"), "disconnected, holding m = " + ChildMain.canon(ipos.get("m")));
    }

    static void goodSibling(String[] args) {
        Path dir = Path.of(args[0]);
        IPOS ipos = IPOS.connect();
        awaitFile(dir.resolve("garbage-done"));
        SharedMap<String, Object> m = ipos.get("m");
        m.put("good", 1);
        ipos.flush().join();
        awaitFile(dir.resolve("dump"));
        signal(dir.resolve("good-dump"), dump(ipos));
        ipos.close();
    }

    // ---------------------------------------------------------------- a hand-driven child, in process

    /** A child driven by hand over pipes: what the parent writes is read with a {@link FrameReader}. */
    static final class RawChild implements AutoCloseable {
        final OutputStream toParent;
        final FrameReader fromParent;
        final CompletableFuture<Void> ready;
        /** Completes when the parent closes its end of this child's stream: its reader thread has finished. */
        final CompletableFuture<Void> parentDone = new CompletableFuture<>();
        /** The WELCOME body, once {@link #handshake} read it. */
        byte[] welcome;

        RawChild(IPOS parent, String name) throws IOException {
            Pipe down = Pipe.open();
            Pipe up = Pipe.open();
            toParent = Channels.newOutputStream(up.sink());
            fromParent = new FrameReader(Channels.newInputStream(down.source()), "the parent", 1 << 20);
            InputStream parentIn = new java.io.FilterInputStream(Channels.newInputStream(up.source())) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        parentDone.complete(null);
                    }
                }
            };
            ready = parent.addLink(parentIn, Channels.newOutputStream(down.sink()), name);
        }

        /** The child id the parent gave this child in WELCOME. */
        int childId() {
            return FrameDescriptor.getInt(welcome, 2);
        }

        /** Says HELLO with {@code version} and, if the parent welcomes it, READY. */
        RawChild handshake(int version) throws IOException {
            byte[] hello = FrameDescriptor.hello(4242, null, null);
            FrameDescriptor.putShort(hello, 0, version);
            toParent.write(concat(FrameDescriptor.MAGIC, frame(FrameDescriptor.HELLO, hello)));
            toParent.flush();
            fromParent.expectMagic();
            assertTrue(fromParent.next());
            if (fromParent.type() == FrameDescriptor.WELCOME) {
                welcome = java.util.Arrays.copyOfRange(fromParent.buffer(), fromParent.bodyOffset(),
                        fromParent.bodyOffset() + fromParent.bodyLength());
                assertTrue(fromParent.next());
                assertEquals(FrameDescriptor.SNAPSHOT, fromParent.type());
                send(frame(FrameDescriptor.READY, new byte[0]));
                ready.join();
            }
            return this;
        }

        void send(byte[] bytes) throws IOException {
            toParent.write(bytes);
            toParent.flush();
        }

        /** Reads frames until the parent closes this link; false if it does not within 10 s. */
        boolean awaitDropped() throws Exception {
            CompletableFuture<Boolean> ended = CompletableFuture.supplyAsync(() -> {
                try {
                    while (fromParent.next()) {
                        // skip what the parent sends until it closes the link
                    }
                    return true;
                } catch (IOException | IposException e) {
                    return true;
                }
            });
            return ended.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws IOException {
            toParent.close();
        }
    }

    static byte[] frame(int type, byte[] body) {
        byte[] f = new byte[FrameDescriptor.HEADER_LENGTH + body.length];
        FrameDescriptor.putInt(f, 0, body.length + 1);
        f[4] = (byte) type;
        System.arraycopy(body, 0, f, FrameDescriptor.HEADER_LENGTH, body.length);
        return f;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static byte[] op(Consumer<ValueWriter> fields) {
        ValueWriter w = WireFormat.byName("msgpack").newWriter();
        fields.accept(w);
        return frame(FrameDescriptor.OP, w.toByteArray());
    }

    static Stream<Arguments> corruptInput() {
        byte[] lengthZero = {0, 0, 0, 0, FrameDescriptor.OP};
        byte[] lengthHuge = {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, FrameDescriptor.OP};
        return Stream.of(
                Arguments.of("length 0", lengthZero, "has length=0 outside [1, maxFrameBytes="),
                Arguments.of("length over the maximum", lengthHuge, "has length=2147483647 outside [1, maxFrameBytes="),
                Arguments.of("unknown frame type", frame(77, new byte[3]), "unexpected or malformed type 77 frame"),
                Arguments.of("a HELLO again", frame(FrameDescriptor.HELLO, FrameDescriptor.hello(1, null, null)), "malformed HELLO frame"),
                Arguments.of("SYNC_ACK of the wrong length", frame(FrameDescriptor.SYNC_ACK, new byte[3]), "malformed SYNC_ACK frame"),
                Arguments.of("OP body not MessagePack", frame(FrameDescriptor.OP, new byte[] {(byte) 0xC1}), "frame at stream offset"),
                Arguments.of("OP that is not an array", op(w -> w.writeString("op?")), "op must be an array"),
                Arguments.of("unknown op code", op(w -> {
                    w.writeArrayHeader(2);
                    w.writeLong(99);
                    w.writeLong(0);
                }), "unknown op code 99"),
                Arguments.of("op on a node that never existed", op(w -> {
                    w.writeArrayHeader(4);
                    w.writeLong(FrameDescriptor.OP_MAP_PUT);
                    w.writeLong(Node.id(77, 5));
                    w.writeString("k");
                    w.writeLong(1);
                }), "names node " + Node.id(77, 5) + ", which never existed"),
                Arguments.of("list op on the root map", op(w -> {
                    w.writeArrayHeader(2);
                    w.writeLong(FrameDescriptor.OP_LIST_CLEAR);
                    w.writeLong(0);
                }), "does not apply to map 0; the stream can't be trusted"),
                Arguments.of("an op with fields it does not take", op(w -> {
                    w.writeArrayHeader(3);
                    w.writeLong(FrameDescriptor.OP_LIST_CLEAR);
                    w.writeLong(0);
                    w.writeLong(0);
                }), "LIST_CLEAR takes no fields"),
                Arguments.of("a field name that is not a string", op(w -> {
                    w.writeArrayHeader(4);
                    w.writeLong(FrameDescriptor.OP_MAP_PUT);
                    w.writeLong(0);
                    w.writeLong(5);
                    w.writeLong(1);
                }), "does not apply to map 0"),
                Arguments.of("a put whose second entry breaks", op(w -> {
                    w.writeArrayHeader(6);
                    w.writeLong(FrameDescriptor.OP_MAP_PUT);
                    w.writeLong(0);
                    w.writeString("half");
                    w.writeLong(1);
                    w.writeString("broken");
                    w.writeArrayHeader(3);
                    w.writeLong(FrameDescriptor.LITERAL_MAP);
                    w.writeLong(0);
                }), "frame at stream offset"),
                Arguments.of("a frame cut off by the end of the stream", Arrays2.prefix(op(w -> {
                    w.writeArrayHeader(4);
                    w.writeLong(FrameDescriptor.OP_MAP_PUT);
                    w.writeLong(0);
                    w.writeString("half");
                    w.writeString("a longer value, cut off");
                }), 12), "stream ended inside a frame"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptInput")
    @Timeout(value = 15, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void corruptFrameFromAChildIsReportedWithTheLinkNameAndDropsOnlyThatLink(String what, byte[] bytes, String expected)
            throws Exception {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Object> m = p.parent.create("m", Map.of("k", 1));
            p.settle(); // before the raw child joins: it answers no SYNC
            RawChild raw = new RawChild(p.parent, "raw child").handshake(FrameDescriptor.VERSION);
            raw.send(bytes);
            if (what.contains("end of the stream")) {
                raw.close();
            }
            assertTrue(raw.awaitDropped(), "the parent closes the raw child's link");
            await("the error reported", () -> !p.parentErrors.isEmpty());
            assertEquals(1, p.parentErrors.size(), p.parentErrors.toString());
            String message = p.parentErrors.get(0).getMessage();
            assertTrue(message.startsWith("raw child"), message);
            assertTrue(message.contains(expected), message);
            assertNull(p.parent.get("half"), "nothing of a bad op is applied");

            // the parent and the well-behaved child carry on
            m.put("after", 2);
            SharedMap<String, Object> child = p.child(0).get("m");
            child.put("fromChild", 3);
            p.settle();
            assertEquals(Map.of("k", 1, "after", 2, "fromChild", 3), child);
            assertEquals(child, m);
            assertTrue(p.parent.isConnected());
            assertTrue(p.child(0).isConnected());
            assertEquals(List.of(), p.childErrors);
        }
    }

    @ParameterizedTest(name = "creator {0}")
    @ValueSource(ints = {0, 1})
    @Timeout(value = 15, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void childCannotMakeAContainerWithAnotherProcesssNodeId(int creator) throws Exception {
        try (InProcessPair p = new InProcessPair(1)) {
            p.parent.create("m", Map.of());
            p.child(0).create("c", List.of()); // the parent is creator 0, the real child creator 1
            p.settle();
            RawChild raw = new RawChild(p.parent, "raw child").handshake(FrameDescriptor.VERSION);
            long stolen = Node.id(creator, 2); // the next container id of the parent or of the real child
            raw.send(op(w -> {
                w.writeArrayHeader(4);
                w.writeLong(FrameDescriptor.OP_MAP_PUT);
                w.writeLong(0);
                w.writeString("stolen");
                w.writeArrayHeader(4);
                w.writeLong(FrameDescriptor.LITERAL_MAP);
                w.writeLong(stolen);
                w.writeString("k");
                w.writeLong(1);
            }));
            assertTrue(raw.awaitDropped());
            await("the error reported", () -> !p.parentErrors.isEmpty());
            String message = p.parentErrors.get(0).getMessage();
            assertTrue(message.startsWith("raw child: node id " + stolen + " belongs to creator " + creator
                    + ", not to the sender (creator 2)"), message);
            assertNull(p.parent.get("stolen"));

            // the owners of that id make their next containers, and everyone agrees on them
            SharedMap<String, Object> fromParent = p.parent.create("fromParent", Map.of("p", 1));
            SharedMap<String, Object> fromChild = p.child(0).create("fromChild", Map.of("c", 1));
            p.settle();
            SharedMap<String, Object> fromParentInChild = p.child(0).get("fromParent");
            fromParentInChild.put("c", 2);
            SharedMap<String, Object> fromChildInParent = p.parent.get("fromChild");
            fromChildInParent.put("p", 2);
            p.settle();
            assertEquals(Map.of("p", 1, "c", 2), fromParent);
            assertEquals(Map.of("c", 1, "p", 2), fromChild);
            assertEquals(dump(p.parent), dump(p.child(0)));
            assertEquals(1, p.parentErrors.size(), p.parentErrors.toString());
            assertEquals(List.of(), p.childErrors);
        }
    }

    /** A tiny helper so the argument list above reads in order. */
    static final class Arrays2 {
        static byte[] prefix(byte[] b, int n) {
            return java.util.Arrays.copyOf(b, n);
        }
    }

    @Test
    void childThatExitsWhileTheParentWritesStillHasItsLastWritesApplied() throws Exception {
        try (IPOS parent = IPOS.start()) {
            List<IposException> errors = new CopyOnWriteArrayList<>();
            parent.onError(errors::add);
            Pipe down = Pipe.open();
            Pipe up = Pipe.open();
            Breakable toChild = new Breakable(Channels.newOutputStream(down.sink()));
            Valve fromChild = new Valve(Channels.newOutputStream(up.sink()));
            OutputStream childOut = new OutputStream() { // the child's own close must not open the valve
                @Override
                public void write(int b) throws IOException {
                    fromChild.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    fromChild.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    fromChild.flush();
                }
            };
            CompletableFuture<Void> ready = parent.addLink(Channels.newInputStream(up.source()), toChild, "exiting child");
            IPOS child = IPOS.connect(Channels.newInputStream(down.source()), childOut, Duration.ofSeconds(10));
            child.onError(e -> { });
            ready.join();
            SharedMap<String, Integer> m = parent.create("m", Map.of());
            parent.flush().join();
            SharedMap<String, Integer> cm = child.get("m");

            fromChild.shut();
            for (int i = 0; i < 100; i++) {
                cm.put("k" + i, i);
            }
            // the child's writer has handed them all to the (shut) valve, so closing the valve loses none
            await("the child's writes in the valve", () -> child.queuedToParent() == 0);
            // the child's stdin goes away (as when it exits) while the parent writes to it
            toChild.broken = true;
            m.put("parent", -1);
            await("the parent to stop sending to the child", () -> parent.toString().contains("0 children"));
            // what the child wrote before it went still arrives
            fromChild.open();
            fromChild.close();
            await("the child's last writes", () -> m.size() == 101);
            assertEquals(List.of(), errors, "a child that exits is no error");
        }
    }

    /** An output stream that fails every write once broken. */
    static final class Breakable extends OutputStream {
        private final OutputStream out;
        volatile boolean broken;

        Breakable(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (broken) {
                throw new IOException("Broken pipe");
            }
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (broken) {
                throw new IOException("Broken pipe");
            }
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    // ---------------------------------------------------------------- version mismatch

    @Test
    void childOfAnotherProtocolVersionIsRefusedWithAClearErrorOnBothSides() throws Exception {
        try (InProcessPair p = new InProcessPair(1); RawChild raw = new RawChild(p.parent, "old child")) {
            raw.handshake(99);
            assertEquals(FrameDescriptor.ERROR, raw.fromParent.type(), "the parent answers with ERROR");
            String told = new String(raw.fromParent.buffer(), raw.fromParent.bodyOffset(), raw.fromParent.bodyLength(),
                    StandardCharsets.UTF_8);
            String expected = "protocol version mismatch: the parent speaks ipos protocol " + FrameDescriptor.VERSION
                    + ", old child speaks 99; use the same ipos version in both";
            assertEquals(expected, told);
            ExecutionException e = assertThrows(ExecutionException.class, () -> raw.ready.get(10, TimeUnit.SECONDS));
            assertEquals(expected, e.getCause().getMessage());
            assertTrue(raw.awaitDropped());
            assertEquals(List.of(expected), p.parentErrors.stream().map(Throwable::getMessage).toList());
            // the other child is unharmed
            p.parent.create("x", 1);
            p.settle();
            assertEquals(1, (int) p.child(0).get("x"));
        }
    }

    /** A parent driven by hand: the child's side of the handshake runs in a thread. */
    static final class RawParent {
        final OutputStream toChild;
        final FrameReader fromChild;
        final CompletableFuture<IPOS> connected;

        RawParent(Duration timeout) throws IOException {
            Pipe down = Pipe.open();
            Pipe up = Pipe.open();
            toChild = Channels.newOutputStream(down.sink());
            fromChild = new FrameReader(Channels.newInputStream(up.source()), "the child", 1 << 20);
            InputStream childIn = Channels.newInputStream(down.source());
            OutputStream childOut = Channels.newOutputStream(up.sink());
            connected = CompletableFuture.supplyAsync(() -> IPOS.connect(childIn, childOut, timeout));
        }

        IposException failure() throws Exception {
            ExecutionException e = assertThrows(ExecutionException.class, () -> connected.get(15, TimeUnit.SECONDS));
            return (IposException) e.getCause();
        }
    }

    @Test
    void parentOfAnotherProtocolVersionIsRefusedWithAClearErrorOnBothSides() throws Exception {
        RawParent raw = new RawParent(Duration.ofSeconds(10));
        raw.fromChild.expectMagic();
        assertTrue(raw.fromChild.next());
        assertEquals(FrameDescriptor.HELLO, raw.fromChild.type());
        assertEquals(FrameDescriptor.VERSION, FrameDescriptor.getShort(raw.fromChild.buffer(), raw.fromChild.bodyOffset()));
        byte[] welcome = FrameDescriptor.welcome(1, 1 << 20, "msgpack", false, "child-1", java.util.List.of());
        FrameDescriptor.putShort(welcome, 0, 99);
        raw.toChild.write(concat(FrameDescriptor.MAGIC, frame(FrameDescriptor.WELCOME, welcome)));
        raw.toChild.flush();

        String expected = "protocol version mismatch: the parent speaks ipos protocol 99, this child speaks "
                + FrameDescriptor.VERSION + "; use the same ipos version in both";
        assertEquals(expected, raw.failure().getMessage());
        assertTrue(raw.fromChild.next(), "the child tells the parent why");
        assertEquals(FrameDescriptor.ERROR, raw.fromChild.type());
        assertEquals(expected, new String(raw.fromChild.buffer(), raw.fromChild.bodyOffset(), raw.fromChild.bodyLength(),
                StandardCharsets.UTF_8));
        assertFalse(raw.fromChild.next(), "and closes its side");
    }

    @Test
    void childRefusesAPeerThatIsNotAnIposParent() throws Exception {
        RawParent raw = new RawParent(Duration.ofSeconds(10));
        raw.toChild.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
        raw.toChild.flush();
        String message = raw.failure().getMessage();
        assertTrue(message.startsWith("the parent does not speak the ipos protocol: expected the magic 8949504f530d0a1a "
                + "but read 485454502f312e31"), message);
    }

    @Test
    void childWithoutAParentFailsToConnectClearly() throws Exception {
        RawParent raw = new RawParent(Duration.ofSeconds(10));
        raw.toChild.close();
        assertTrue(raw.failure().getMessage().startsWith("no ipos parent: stdin ended before the handshake"));
    }

    @Test
    void childWhoseParentNeverAnswersTimesOut() throws Exception {
        RawParent raw = new RawParent(Duration.ofMillis(300));
        assertTrue(raw.failure().getMessage().startsWith("no handshake from the parent within 300 ms"));
        raw.toChild.close();
    }

    // ---------------------------------------------------------------- the frame reader, a byte at a time

    @Test
    void frameReaderReassemblesFramesDeliveredOneByteAtATime() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write("noise before\nthe magic".getBytes(StandardCharsets.UTF_8));
        stream.write(FrameDescriptor.MAGIC);
        List<byte[]> bodies = new ArrayList<>();
        for (int n : new int[] {0, 1, 7, 300, 70_000}) {
            byte[] body = new byte[n];
            for (int i = 0; i < n; i++) {
                body[i] = (byte) (i * 31 + n);
            }
            bodies.add(body);
            stream.write(frame(FrameDescriptor.OP, body));
        }
        InputStream oneByteAtATime = new ByteArrayInputStream(stream.toByteArray()) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }

            @Override
            public synchronized int available() {
                return Math.min(1, super.available());
            }
        };
        FrameReader reader = new FrameReader(oneByteAtATime, "peer", 1 << 20);
        ByteArrayOutputStream echo = new ByteArrayOutputStream();
        assertTrue(reader.skipToMagic(new java.io.PrintStream(echo, true, StandardCharsets.UTF_8), "> "));
        assertEquals("> noise before\n> the magic\n", echo.toString(StandardCharsets.UTF_8), "whole lines, however they arrive");
        for (byte[] body : bodies) {
            assertTrue(reader.next());
            assertEquals(FrameDescriptor.OP, reader.type());
            assertArrayEquals(body, java.util.Arrays.copyOfRange(reader.buffer(), reader.bodyOffset(),
                    reader.bodyOffset() + reader.bodyLength()));
        }
        assertFalse(reader.next());
    }
}
