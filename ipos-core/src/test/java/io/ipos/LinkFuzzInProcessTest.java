package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ipos.serialization.ClassRegistry;
import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireFormat;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mutated and truncated OP frames sent over a real link, in each wire format: a hand-driven child
 * joins the parent over pipes, sends one valid op frame that has been damaged (bit flips, cut
 * lengths, huge length fields, wrong frame types, wrong op codes and tags, splices), and closes.
 * Another child, a real one, is linked the whole time.
 *
 * <p>Each damaged frame must end one of two ways, and nothing else may happen (no other exception,
 * no hang, no second error):
 * <ul>
 *   <li>rejected: exactly one {@link IposException} reaches the parent's {@code onError}, naming the
 *       link and the stream offset; the link is dropped; if the parent acknowledged no op on that
 *       link, its state is exactly what it was before;</li>
 *   <li>still a valid op (or a frame the parent may ignore): applied consistently, so the parent and
 *       the real child hold the same state afterwards.</li>
 * </ul>
 * After every frame the parent and the real child are settled and compared; at the end both still
 * write and replicate. The decoders themselves get a million mutated bodies per format in
 * ipos-serialization; this test proves the link around them. Frames per format:
 * {@code -Dipos.linkFuzz.frames} (default {@value #DEFAULT_FRAMES}); seed {@code -Dipos.linkFuzz.seed}.
 */
class LinkFuzzInProcessTest {
    static final int DEFAULT_FRAMES = 2_000;
    static final long PATIENCE_SECONDS = 10;

    /** Outcomes of one run, printed at the end. */
    static final class Counts {
        int rejected;
        int applied;
        int ignored;
        int reportedByPeer;
        final Map<String, Integer> byMutation = new TreeMap<>();

        @Override
        public String toString() {
            return rejected + " rejected, " + applied + " applied as valid ops, " + ignored + " ignored (no op), "
                    + reportedByPeer + " read as the child's ERROR report; by mutation " + byMutation;
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void damagedOpFramesAreRejectedWithTheLinkAndOffsetOrAppliedConsistentlyWhileTheOthersCarryOn(String format)
            throws Exception {
        int frames = Integer.getInteger("ipos.linkFuzz.frames", DEFAULT_FRAMES);
        long seed = Long.getLong("ipos.linkFuzz.seed", 7L) * 31 + format.hashCode();
        Random rnd = new Random(seed);
        WireFormat wire = WireFormat.byName(format);
        List<IposException> errors = new CopyOnWriteArrayList<>();
        Counts counts = new Counts();
        long started = System.nanoTime();
        try (InProcessPair p = InProcessPair.withParent(IPOS.options().format(format).start().onError(errors::add))) {
            IPOS child = p.addChild();
            for (int i = 0; i < frames; i++) {
                if (i % 250 == 0 || !fieldsIntact(p.parent)) { // an applied op may have replaced a field
                    resetFields(p.parent, child, i);
                    p.settle();
                }
                String name = "fuzz child " + i;
                try (BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(p.parent, name)) {
                    raw.handshake(FrameDescriptor.VERSION);
                    OpFrames ops = new OpFrames(wire, p.parent, raw.childId(), rnd);
                    byte[] valid = ops.next();
                    Mutation m = Mutation.pick(rnd);
                    byte[] damaged = m.apply(valid, ops, rnd);
                    counts.byMutation.merge(m.name(), 1, Integer::sum);
                    String before = ChildMain.dump(p.parent);
                    int errorsBefore = errors.size();

                    raw.send(damaged);
                    raw.toParent.close(); // then the stream ends: a frame that claims more bytes is truncated
                    int acks = readUntilClosed(raw, name, damaged);
                    raw.fromParent.close();
                    raw.parentDone.get(PATIENCE_SECONDS, TimeUnit.SECONDS); // the link's reader is finished
                    List<IposException> mine = errors.subList(errorsBefore, errors.size());
                    String what = name + ", mutation " + m + ", frame " + hex(damaged);
                    if (mine.size() > 1) {
                        fail("more than one error for " + what + ": " + mine);
                    }
                    if (mine.size() == 1) {
                        String message = mine.get(0).getMessage();
                        assertTrue(message.startsWith(name + ": ") || message.startsWith(name + " "),
                                "the error names the link: " + message + " (" + what + ")");
                        if (message.startsWith(name + " reported: ")) {
                            counts.reportedByPeer++; // the type byte became ERROR: the child's own report
                        } else {
                            assertTrue(message.contains("offset"), "the error gives the offset: " + message + " (" + what + ")");
                            counts.rejected++;
                        }
                    } else if (acks > 0) {
                        counts.applied++;
                    } else {
                        counts.ignored++;
                    }
                    if (acks == 0) {
                        assertEquals(before, ChildMain.dump(p.parent), "nothing applied for " + what);
                    }
                    p.settle();
                    assertEquals(ChildMain.dump(p.parent), ChildMain.dump(child), "parent and child agree after " + what);
                }
            }
            // both carry on: each writes, and each sees the other's write
            SharedMap<String, Object> pm = p.parent.create("after", Map.of());
            pm.put("parent", 1);
            p.settle();
            SharedMap<String, Object> cm = child.get("after");
            cm.put("child", 2);
            p.settle();
            assertEquals(Map.of("parent", 1, "child", 2), pm);
            assertEquals(pm, cm);
            assertEquals(ChildMain.dump(p.parent), ChildMain.dump(child));
            assertTrue(child.isConnected() && p.parent.isConnected());
            assertEquals(List.of(), p.childErrors, "the real child saw no error");
        }
        assertEquals(frames, counts.rejected + counts.applied + counts.ignored + counts.reportedByPeer);
        System.out.printf("[link fuzz] %s: %d damaged frames over links in %d ms: %s%n", format, frames,
                (System.nanoTime() - started) / 1_000_000, counts);
    }

    /** Fresh fields, so the state stays small and new node ids keep coming; the real child writes too. */
    static void resetFields(IPOS parent, IPOS child, int round) {
        Map<String, Object> m = new HashMap<>();
        m.put("a", 1);
        m.put("nested", new HashMap<>(Map.of("x", List.of(1, 2))));
        parent.create("m", m);
        parent.create("l", new ArrayList<>(List.of("zero", 1, 2L, new ArrayList<>(List.of(3)))));
        parent.create("s", Set.of("a", 1, 2.5));
        parent.flush().join();
        SharedMap<String, Object> cm = child.get("m");
        cm.put("fromChild" + round, new HashMap<>(Map.of("made", "by the real child")));
    }

    /** Whether fields m, l and s still hold the containers the valid frames address. */
    static boolean fieldsIntact(IPOS parent) {
        try {
            return parent.get("m") instanceof SharedMap && parent.get("l") instanceof SharedList
                    && parent.get("s") instanceof SharedSet;
        } catch (IposException e) {
            return false; // a value of an unregistered class
        }
    }

    /** Reads the parent's stream to this child until the parent closes it; returns the ops it acknowledged. */
    static int readUntilClosed(BadInputProcessTest.RawChild raw, String name, byte[] sent) throws Exception {
        CompletableFuture<Integer> acks = CompletableFuture.supplyAsync(() -> {
            int n = 0;
            try {
                while (raw.fromParent.next()) {
                    if (raw.fromParent.type() == FrameDescriptor.ACK) {
                        n += FrameDescriptor.getInt(raw.fromParent.buffer(), raw.fromParent.bodyOffset());
                    }
                }
            } catch (IOException | IposException e) {
                // the parent dropped the link
            }
            return n;
        });
        try {
            return acks.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the parent did not close " + name + " within " + PATIENCE_SECONDS + " s after "
                    + hex(sent), e);
        }
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 200); i++) {
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return b.length > 200 ? sb + "...(" + b.length + " bytes)" : sb.toString();
    }

    // ---------------------------------------------------------------- valid op frames

    /**
     * Valid OP frames, as a child with id {@code childId} would send them, on the parent's current
     * fields: map, list and set ops, conditional map ops, field puts, values of many kinds and
     * container literals with this child's node ids. {@code wrongTag} makes the next frame carry a
     * wrong op code, literal tag or value tag instead.
     */
    static final class OpFrames {
        final WireFormat wire;
        final ValueCodec values = new ValueCodec(ClassRegistry.global());
        final Random rnd;
        final long map;
        final long list;
        final long set;
        final int childId;
        int counter;
        boolean wrongTag;

        OpFrames(WireFormat wire, IPOS parent, int childId, Random rnd) {
            this.wire = wire;
            this.rnd = rnd;
            this.childId = childId;
            this.map = ((Node) parent.get("m")).id();
            this.list = ((Node) parent.get("l")).id();
            this.set = ((Node) parent.get("s")).id();
        }

        byte[] next() {
            ValueWriter w = wire.newWriter();
            switch (rnd.nextInt(12)) {
                case 0 -> op(w, FrameDescriptor.OP_MAP_PUT, map, 4, () -> {
                    w.writeString("k" + rnd.nextInt(8));
                    value(w, 0);
                    values.write(w, rnd.nextInt(100));
                    value(w, 0);
                });
                case 1 -> op(w, FrameDescriptor.OP_MAP_REMOVE, map, 2, () -> {
                    w.writeString("a");
                    w.writeString("k" + rnd.nextInt(8));
                });
                case 2 -> op(w, FrameDescriptor.OP_LIST_INSERT, list, 3, () -> {
                    w.writeLong(rnd.nextInt(6) - 1);
                    value(w, 0);
                    value(w, 0);
                });
                case 3 -> op(w, FrameDescriptor.OP_LIST_SET, list, 2, () -> {
                    w.writeLong(rnd.nextInt(5));
                    value(w, 0);
                });
                case 4 -> op(w, FrameDescriptor.OP_LIST_REMOVE, list, 2, () -> {
                    int from = rnd.nextInt(4);
                    w.writeLong(from);
                    w.writeLong(from + rnd.nextInt(3));
                });
                case 5 -> op(w, FrameDescriptor.OP_SET_ADD, set, 3, () -> {
                    values.write(w, "e" + rnd.nextInt(5));
                    values.write(w, rnd.nextLong());
                    values.write(w, List.of(1, "x"));
                });
                case 6 -> op(w, FrameDescriptor.OP_SET_REMOVE, set, 1, () -> values.write(w, "a"));
                case 7 -> op(w, FrameDescriptor.OP_MAP_PUT, 0, 2, () -> {
                    w.writeString("field" + rnd.nextInt(4));
                    value(w, 0);
                });
                case 8 -> op(w, FrameDescriptor.OP_MAP_PUT_IF_ABSENT, map, 2, () -> {
                    w.writeString("k" + rnd.nextInt(8));
                    value(w, 0);
                });
                case 9 -> op(w, FrameDescriptor.OP_MAP_REPLACE_IF, map, 3, () -> {
                    w.writeString("a");
                    values.write(w, 1);
                    value(w, 0);
                });
                case 10 -> op(w, FrameDescriptor.OP_LIST_PERMUTE, list, 4, () -> {
                    for (int i : new int[] {3, 2, 1, 0}) {
                        w.writeLong(i);
                    }
                });
                default -> op(w, FrameDescriptor.OP_MAP_CLEAR, map, 0, () -> { });
            }
            return BadInputProcessTest.frame(FrameDescriptor.OP, w.toByteArray());
        }

        private void op(ValueWriter w, int code, long target, int fields, Runnable body) {
            w.writeArrayHeader(2 + fields);
            w.writeLong(wrongTag && rnd.nextBoolean() ? rnd.nextInt(64) - 4 : code);
            w.writeLong(target);
            body.run();
        }

        /** A value or a container literal (with this child's next node id), nested a little. */
        private void value(ValueWriter w, int depth) {
            int kind = rnd.nextInt(depth > 1 ? 14 : 17);
            if (wrongTag && rnd.nextInt(3) == 0) {
                w.writeArrayHeader(1 + rnd.nextInt(3));
                w.writeLong(rnd.nextInt(60));
                w.writeLong(rnd.nextInt(3));
                return;
            }
            switch (kind) {
                case 0 -> w.writeNil();
                case 1 -> values.write(w, rnd.nextBoolean());
                case 2 -> values.write(w, rnd.nextInt());
                case 3 -> values.write(w, (long) rnd.nextInt(1000));
                case 4 -> values.write(w, rnd.nextDouble());
                case 5 -> values.write(w, rnd.nextFloat());
                case 6 -> values.write(w, "s\u00e9\uD83D\uDE00" + rnd.nextInt(100));
                case 7 -> values.write(w, new byte[] {1, 2, (byte) rnd.nextInt()});
                case 8 -> values.write(w, new BigDecimal(BigInteger.valueOf(rnd.nextLong()), rnd.nextInt(10)));
                case 9 -> values.write(w, new UUID(rnd.nextLong(), rnd.nextLong()));
                case 10 -> values.write(w, Instant.ofEpochSecond(rnd.nextInt(), rnd.nextInt(1_000_000_000)));
                case 11 -> values.write(w, (short) rnd.nextInt(100));
                case 12 -> values.write(w, Arrays.asList(1, null, "x"));
                case 13 -> values.write(w, Map.of("k", List.of(1L)));
                case 14 -> literal(w, FrameDescriptor.LITERAL_MAP, depth, 2);
                case 15 -> literal(w, FrameDescriptor.LITERAL_LIST, depth, 2);
                default -> literal(w, FrameDescriptor.LITERAL_SET, depth, 2);
            }
        }

        private void literal(ValueWriter w, int tag, int depth, int n) {
            int fields = tag == FrameDescriptor.LITERAL_MAP ? 2 * n : n;
            w.writeArrayHeader(2 + fields);
            w.writeLong(wrongTag && rnd.nextBoolean() ? rnd.nextInt(64) : tag);
            w.writeLong(Node.id(childId, ++counter));
            for (int i = 0; i < n; i++) {
                if (tag == FrameDescriptor.LITERAL_MAP) {
                    values.write(w, "k" + i);
                    value(w, depth + 1);
                } else if (tag == FrameDescriptor.LITERAL_LIST) {
                    value(w, depth + 1);
                } else {
                    values.write(w, "e" + i + "." + rnd.nextInt(3));
                }
            }
        }
    }

    // ---------------------------------------------------------------- damage

    /** The ways a valid frame is damaged; {@link #pick} weighs them. */
    enum Mutation {
        BIT_FLIPS_IN_BODY, BIT_FLIP_ANYWHERE, BYTE_REPLACED, CUT_SHORT, LENGTH_CUT_TO_FIT, LENGTH_HUGE,
        LENGTH_SHORTER_THAN_BODY, LENGTH_LONGER_THAN_BODY, WRONG_FRAME_TYPE, WRONG_OP_OR_TAG, BYTES_INSERTED,
        BYTES_DELETED, RANGE_DUPLICATED, VALID_THEN_DAMAGED;

        private static final Mutation[] WEIGHTED = {
            BIT_FLIPS_IN_BODY, BIT_FLIPS_IN_BODY, BIT_FLIPS_IN_BODY, BIT_FLIPS_IN_BODY, BIT_FLIP_ANYWHERE,
            BYTE_REPLACED, BYTE_REPLACED, BYTE_REPLACED, CUT_SHORT, LENGTH_CUT_TO_FIT, LENGTH_CUT_TO_FIT, LENGTH_HUGE,
            LENGTH_SHORTER_THAN_BODY, LENGTH_LONGER_THAN_BODY, WRONG_FRAME_TYPE, WRONG_OP_OR_TAG, WRONG_OP_OR_TAG,
            BYTES_INSERTED, BYTES_DELETED, RANGE_DUPLICATED, VALID_THEN_DAMAGED,
        };
        private static final int[] INTERESTING = {
            0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x8a, 0x90, 0x91, 0x9f, 0xa1, 0xa7, 0xbb, 0xc0, 0xc1, 0xc4, 0xca, 0xcb,
            0xd3, 0xdc, 0xdd, 0xe0, 0xff, '[', ']', '{', '}', '"', ',', ':', '-', '.', 'e', '0', '9', 20, 30, 40, 41,
            42, 49, 50,
        };

        static Mutation pick(Random rnd) {
            return WEIGHTED[rnd.nextInt(WEIGHTED.length)];
        }

        byte[] apply(byte[] frame, OpFrames ops, Random rnd) {
            int head = FrameDescriptor.HEADER_LENGTH;
            int bodyLength = frame.length - head;
            byte[] f = frame.clone();
            switch (this) {
                case BIT_FLIPS_IN_BODY -> {
                    for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
                        int at = head + rnd.nextInt(bodyLength);
                        f[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case BIT_FLIP_ANYWHERE -> f[rnd.nextInt(f.length)] ^= (byte) (1 << rnd.nextInt(8));
                case BYTE_REPLACED -> f[head + rnd.nextInt(bodyLength)] = (byte) (rnd.nextBoolean()
                        ? INTERESTING[rnd.nextInt(INTERESTING.length)] : rnd.nextInt(256));
                case CUT_SHORT -> f = Arrays.copyOf(f, rnd.nextInt(f.length)); // the stream ends inside the frame
                case LENGTH_CUT_TO_FIT -> f = withBody(f, Arrays.copyOfRange(f, head, head + rnd.nextInt(bodyLength)));
                case LENGTH_HUGE -> {
                    int[] huge = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES + 1,
                        FrameDescriptor.DEFAULT_MAX_FRAME_BYTES + 1 + rnd.nextInt(Integer.MAX_VALUE / 2)};
                    FrameDescriptor.putInt(f, 0, huge[rnd.nextInt(huge.length)]);
                }
                case LENGTH_SHORTER_THAN_BODY -> FrameDescriptor.putInt(f, 0, 1 + rnd.nextInt(bodyLength + 1));
                case LENGTH_LONGER_THAN_BODY -> FrameDescriptor.putInt(f, 0, bodyLength + 2 + rnd.nextInt(1 << rnd.nextInt(20)));
                case WRONG_FRAME_TYPE -> {
                    int type;
                    do {
                        type = rnd.nextInt(rnd.nextBoolean() ? 12 : 256);
                    } while (type == FrameDescriptor.OP);
                    f[4] = (byte) type;
                }
                case WRONG_OP_OR_TAG -> {
                    ops.wrongTag = true;
                    f = ops.next();
                    ops.wrongTag = false;
                }
                case BYTES_INSERTED -> {
                    int at = rnd.nextInt(bodyLength + 1);
                    byte[] extra = new byte[1 + rnd.nextInt(4)];
                    rnd.nextBytes(extra);
                    byte[] body = new byte[bodyLength + extra.length];
                    System.arraycopy(f, head, body, 0, at);
                    System.arraycopy(extra, 0, body, at, extra.length);
                    System.arraycopy(f, head + at, body, at + extra.length, bodyLength - at);
                    f = withBody(f, body);
                }
                case BYTES_DELETED -> {
                    int at = rnd.nextInt(bodyLength);
                    int n = 1 + rnd.nextInt(Math.min(4, bodyLength - at));
                    byte[] body = new byte[bodyLength - n];
                    System.arraycopy(f, head, body, 0, at);
                    System.arraycopy(f, head + at + n, body, at, bodyLength - at - n);
                    f = withBody(f, body);
                }
                case RANGE_DUPLICATED -> {
                    int from = rnd.nextInt(bodyLength);
                    int n = 1 + rnd.nextInt(Math.min(8, bodyLength - from));
                    byte[] body = new byte[bodyLength + n];
                    System.arraycopy(f, head, body, 0, from + n);
                    System.arraycopy(f, head + from, body, from + n, bodyLength - from);
                    f = withBody(f, body);
                }
                default -> { // VALID_THEN_DAMAGED: a good op, then a damaged one, in one write
                    byte[] second = BIT_FLIPS_IN_BODY.apply(ops.next(), ops, rnd);
                    f = BadInputProcessTest.concat(f, second);
                }
            }
            return f;
        }

        private static byte[] withBody(byte[] frame, byte[] body) {
            return BadInputProcessTest.frame(frame[4], body);
        }
    }
}
