package io.ipos;

import static io.ipos.BadInputProcessTest.concat;
import static io.ipos.BadInputProcessTest.frame;
import static io.ipos.ChildMain.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Memory and reports follow what a peer actually sends, not what it announces or repeats: a bare
 * header costs nothing until its bytes come, the read buffer shrinks back after a big frame, a
 * peer's ERROR is reported once (then its link is dropped) and cut to 1 KiB. And a child that
 * reads a corrupt frame tells its parent why.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LinkMemoryInProcessTest {
    static final int MIB = 1 << 20;

    @Test
    void bareHeaderAnnouncing64MiBAllocatesOnlyWhatArrives() throws Exception {
        try (InProcessPair p = new InProcessPair(1);
                BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(p.parent, "announcer")) {
            raw.handshake(FrameDescriptor.VERSION);
            Thread reader = Memory.thread("ipos-reader-announcer");
            assertNotNull(reader, "the parent's reader thread for the raw child");
            long before = Memory.allocatedBytes(reader);
            byte[] header = new byte[FrameDescriptor.HEADER_LENGTH];
            FrameDescriptor.putInt(header, 0, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES); // the largest frame allowed
            header[4] = FrameDescriptor.OP;
            raw.send(header);
            byte[] trickle = new byte[MIB]; // then 1 MiB of it; the pipe holds 64 KiB, so most of it has been read when send returns
            raw.send(trickle);
            ChildMain.sleep(200);
            long allocated = Memory.allocatedBytes(reader) - before;
            System.out.println("[link memory] a header announcing " + Memory.mib(FrameDescriptor.DEFAULT_MAX_FRAME_BYTES)
                    + " followed by 1 MiB: the parent's reader allocated " + Memory.mib(allocated));
            assertTrue(allocated < 4 * MIB, "allocated " + allocated + " bytes for 1 MiB received");

            raw.close(); // the frame never completes
            assertTrue(raw.awaitDropped());
            await("the truncated frame reported", () -> !p.parentErrors.isEmpty());
            assertTrue(p.parentErrors.get(0).getMessage().startsWith("announcer: stream ended inside a frame"),
                    p.parentErrors.toString());
        }
    }

    @Test
    void readBufferGoesBackToItsStartSizeAfterA32MiBFrame() throws Exception {
        byte[] big = new byte[32 * MIB];
        Arrays.fill(big, (byte) 7);
        InputStream stream = new SequenceInputStream(new java.io.ByteArrayInputStream(concat(FrameDescriptor.MAGIC,
                frame(FrameDescriptor.OP, big))), new java.io.ByteArrayInputStream(concat(
                frame(FrameDescriptor.OP, new byte[] {1, 2, 3}), frame(FrameDescriptor.SYNC, new byte[8]))));
        FrameReader reader = new FrameReader(stream, "peer", FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
        reader.expectMagic();
        long before = Memory.allocatedBytes(Thread.currentThread());
        assertTrue(reader.next());
        assertEquals(big.length, reader.bodyLength());
        assertEquals(7, reader.buffer()[reader.bodyOffset() + big.length - 1]);
        long allocated = Memory.allocatedBytes(Thread.currentThread()) - before;
        int grown = reader.buffer().length;
        assertTrue(reader.next());
        assertEquals(3, reader.bodyLength());
        int after = reader.buffer().length;
        System.out.println("[link memory] a 32 MiB frame: the read buffer grew to " + Memory.mib(grown) + " (allocating "
                + Memory.mib(allocated) + " on the way), then went back to " + after / 1024 + " KiB for the next frame");
        assertEquals(64 << 10, after, "the buffer after the big frame was consumed");
        assertTrue(allocated < 4L * big.length, "allocated " + allocated);
        assertTrue(reader.next());
        assertEquals(FrameDescriptor.SYNC, reader.type());
        assertFalse(reader.next());
    }

    // ---------------------------------------------------------------- ERROR frames from a peer

    @Test
    void fiveThousandErrorFramesFromAChildGiveOneReportAndDropItsLink() throws Exception {
        try (InProcessPair p = new InProcessPair(1);
                BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(p.parent, "chatty child")) {
            raw.handshake(FrameDescriptor.VERSION);
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            for (int i = 0; i < 5_000; i++) {
                errors.write(frame(FrameDescriptor.ERROR, ("complaint " + i).getBytes(StandardCharsets.UTF_8)));
            }
            sendQuietly(raw, errors.toByteArray()); // the parent stops reading after the first
            assertTrue(raw.awaitDropped(), "the parent drops a child that reports an error");
            await("the report", () -> !p.parentErrors.isEmpty());
            carriesOn(p);
            assertEquals(List.of("chatty child reported: complaint 0 (dropped its link, the other processes carry on)"),
                    p.parentErrors.stream().map(Throwable::getMessage).toList());
        }
    }

    @Test
    void errorTextOf32MiBFromAChildIsReportedCutTo1KiB() throws Exception {
        try (InProcessPair p = new InProcessPair(1);
                BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(p.parent, "wordy child")) {
            raw.handshake(FrameDescriptor.VERSION);
            byte[] text = new byte[32 * MIB];
            Arrays.fill(text, (byte) 'x');
            text[0] = '\u001b'; // a terminal escape: shown escaped, never sent to the terminal
            sendQuietly(raw, frame(FrameDescriptor.ERROR, text));
            assertTrue(raw.awaitDropped());
            await("the report", () -> !p.parentErrors.isEmpty());
            carriesOn(p);
            assertEquals(1, p.parentErrors.size());
            String message = p.parentErrors.get(0).getMessage();
            System.out.println("[link memory] a 32 MiB ERROR text is reported in " + message.length() + " characters");
            assertEquals("wordy child reported: \\u001b" + "x".repeat(1023) + "... (truncated, 33554432 bytes)"
                    + " (dropped its link, the other processes carry on)", message);
        }
    }

    @Test
    void fiveThousandErrorFramesFromTheParentGiveOneReportAndTheChildLeaves() throws Exception {
        BadInputProcessTest.RawParent raw = new BadInputProcessTest.RawParent(Duration.ofSeconds(10));
        IPOS child = welcome(raw);
        List<IposException> errors = new CopyOnWriteArrayList<>();
        child.onError(errors::add);
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        byte[] huge = new byte[32 * MIB];
        Arrays.fill(huge, (byte) 'y');
        frames.write(frame(FrameDescriptor.ERROR, huge));
        for (int i = 0; i < 5_000; i++) {
            frames.write(frame(FrameDescriptor.ERROR, ("you are dropped " + i).getBytes(StandardCharsets.UTF_8)));
        }
        Thread sender = new Thread(() -> {
            try {
                raw.toChild.write(frames.toByteArray()); // the child stops reading after the first
            } catch (IOException ignored) {
                // the child closed its stdin
            }
        });
        sender.setDaemon(true);
        sender.start();
        await("the child drops its link", () -> !child.isConnected());
        ChildMain.sleep(200);
        assertEquals(List.of("the parent dropped this process: " + "y".repeat(1024) + "... (truncated, 33554432 bytes); "
                + "this process keeps its last state and further writes stay local"),
                errors.stream().map(Throwable::getMessage).toList());
        child.create("local", 1); // its state stays readable and writable
        assertEquals(1, (int) child.get("local"));
    }

    @Test
    void childThatReadsACorruptFrameTellsItsParentWhyAndMentionsAProgramReadingItsStdin() throws Exception {
        BadInputProcessTest.RawParent raw = new BadInputProcessTest.RawParent(Duration.ofSeconds(10));
        IPOS child = welcome(raw);
        List<IposException> errors = new CopyOnWriteArrayList<>();
        child.onError(errors::add);
        // what the child reads when a program it started took the first bytes of a frame: the rest of it
        ValueWriter w = WireFormat.msgpack().newWriter();
        w.writeArrayHeader(4);
        w.writeLong(FrameDescriptor.OP_MAP_PUT);
        w.writeLong(0);
        w.writeString("a key long enough to be read as a frame header");
        w.writeLong(1);
        byte[] op = frame(FrameDescriptor.OP, w.toByteArray());
        raw.toChild.write(Arrays.copyOfRange(op, 7, op.length));
        raw.toChild.flush();
        await("the child drops its link", () -> !child.isConnected());
        assertEquals(1, errors.size(), errors.toString());
        String message = errors.get(0).getMessage();
        assertTrue(message.startsWith("the parent: ") && message.contains("at stream offset 52"), message);
        assertTrue(message.contains("If this process started a program that reads its stdin (one started with "
                + "ProcessBuilder.inheritIO() or redirectInput(Redirect.INHERIT)), that program takes bytes meant for ipos: "
                + "give it Redirect.PIPE or a file as stdin; the parent was told"), message);

        assertTrue(raw.fromChild.next(), "the child tells the parent");
        assertEquals(FrameDescriptor.ERROR, raw.fromChild.type());
        String told = new String(raw.fromChild.buffer(), raw.fromChild.bodyOffset(), raw.fromChild.bodyLength(),
                StandardCharsets.UTF_8);
        assertTrue(told.startsWith("dropped its link to the parent: the parent: "), told);
        assertTrue(told.contains("that program takes bytes meant for ipos"), told);
        assertFalse(raw.fromChild.next(), "and closes its side");
    }

    /** Writes from a thread of its own, ignoring a broken pipe: the parent may drop the link before it has read everything. */
    static void sendQuietly(BadInputProcessTest.RawChild raw, byte[] bytes) {
        Thread sender = new Thread(() -> {
            try {
                raw.send(bytes);
            } catch (IOException ignored) {
                // the parent closed the link
            }
        });
        sender.setDaemon(true);
        sender.start();
    }

    /** The rest of a hand-driven parent's handshake: WELCOME (maxFrameBytes 64 MiB) and an empty SNAPSHOT. */
    static IPOS welcome(BadInputProcessTest.RawParent raw) throws Exception {
        raw.fromChild.expectMagic();
        assertTrue(raw.fromChild.next());
        assertEquals(FrameDescriptor.HELLO, raw.fromChild.type());
        ValueWriter snapshot = WireFormat.msgpack().newWriter();
        snapshot.writeArrayHeader(2);
        snapshot.writeArrayHeader(0);
        snapshot.writeArrayHeader(2);
        snapshot.writeLong(FrameDescriptor.LITERAL_MAP);
        snapshot.writeLong(0);
        raw.toChild.write(concat(concat(FrameDescriptor.MAGIC, frame(FrameDescriptor.WELCOME,
                FrameDescriptor.welcome(1, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES, "msgpack", false, "child-1", java.util.List.of()))),
                frame(FrameDescriptor.SNAPSHOT, snapshot.toByteArray())));
        raw.toChild.flush();
        IPOS child = raw.connected.get(10, TimeUnit.SECONDS);
        assertTrue(raw.fromChild.next());
        assertEquals(FrameDescriptor.READY, raw.fromChild.type());
        return child;
    }

    /** The parent and its well-behaved child still replicate both ways, and the child saw no error. */
    static void carriesOn(InProcessPair p) {
        SharedMap<String, Object> m = p.parent.create("after", Map.of("parent", 1));
        p.settle();
        SharedMap<String, Object> cm = p.child(0).get("after");
        cm.put("child", 2);
        p.settle();
        assertEquals(Map.of("parent", 1, "child", 2), m);
        assertEquals(List.of(), p.childErrors);
    }
}
