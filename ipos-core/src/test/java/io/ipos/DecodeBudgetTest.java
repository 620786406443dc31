package io.ipos;

import static io.ipos.ChildMain.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipos.serialization.ClassRegistry;
import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireException;
import io.ipos.serialization.WireFormat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decode budget: an op is charged an estimate of the heap it builds (see {@link OpCodec}), and
 * one that builds more than 18 bytes per byte of its frame (plus 16 MiB) is malformed. A frame made
 * of empty container literals is refused by the receiver, and by the writer before it sends;
 * realistic big values pass in every format, from the parent and from a child whose node ids are
 * large.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DecodeBudgetTest {
    static final int BOMB_LITERALS = 640_000; // about 7 MB: the size of the frame in the issue

    /** A MAP_PUT of field {@code key} to a list literal holding {@code n} empty list literals of {@code creator}. */
    static byte[] emptyListBomb(String key, int creator, int n) {
        ValueWriter w = WireFormat.msgpack().newWriter();
        w.writeArrayHeader(4);
        w.writeLong(FrameDescriptor.OP_MAP_PUT);
        w.writeLong(0);
        w.writeString(key);
        w.writeArrayHeader(2 + n);
        w.writeLong(FrameDescriptor.LITERAL_LIST);
        w.writeLong(Node.id(creator, 1));
        for (int i = 0; i < n; i++) {
            w.writeArrayHeader(2);
            w.writeLong(FrameDescriptor.LITERAL_LIST);
            w.writeLong(Node.id(creator, 2 + i));
        }
        return w.toByteArray();
    }

    @Test
    void frameOfEmptyListLiteralsIsRefusedAfterAllocatingAboutItsBudget() throws Exception {
        // what such a frame costs when nothing refuses it: decoded and applied without a budget
        int measured = 300_000;
        byte[] sample = emptyListBomb("bomb", 0, measured);
        Replica r = new Replica(new ValueCodec(ClassRegistry.global()), 0);
        OpCodec codec = new OpCodec(r);
        ValueReader reader = WireFormat.msgpack().newReader();
        reader.reset(sample, 0, sample.length);
        r.applyReceived(codec.decode(reader), r.root, false, r.self);
        assertEquals(measured, ((List<?>) r.root.get("bomb")).size());
        long withIt = Memory.usedAfterGc();
        r = null; // what dropping it frees is what it held (robust to other tests' garbage going meanwhile)
        codec = null;
        long held = withIt - Memory.usedAfterGc();
        double perLiteral = held / (double) measured;
        double wirePerLiteral = sample.length / (double) measured;
        System.out.printf("[decode budget] an empty list literal: %.1f bytes on the wire, %.0f bytes of heap once applied "
                + "(%.1f per wire byte), charged %d%n", wirePerLiteral, perLiteral, perLiteral / wirePerLiteral,
                OpCodec.LIST_COST + OpCodec.ELEMENT_COST);

        // refused, as a receiver decodes it: what it allocates until then, measured on this thread
        byte[] body = emptyListBomb("bomb", 0, BOMB_LITERALS);
        long budget = OpCodec.BUDGET_PER_BYTE * (long) body.length + OpCodec.BUDGET_ALLOWANCE;
        OpCodec receiver = new OpCodec(new Replica(new ValueCodec(ClassRegistry.global()), 0));
        reader.reset(body, 0, body.length);
        long allocatedBefore = Memory.allocatedBytes(Thread.currentThread());
        WireException refused = assertThrows(WireException.class, () -> receiver.decode(reader, body.length));
        long allocated = Memory.allocatedBytes(Thread.currentThread()) - allocatedBefore;
        System.out.printf("[decode budget] a %.1f MB frame of %d empty list literals (%.0f MB of heap if accepted): "
                + "refused after allocating %s, budget %s (%d per frame byte + 16 MiB)%n", body.length / 1e6,
                BOMB_LITERALS, perLiteral * BOMB_LITERALS / 1e6, Memory.mib(allocated), Memory.mib(budget),
                OpCodec.BUDGET_PER_BYTE);
        System.out.println("[decode budget] " + refused.getMessage());
        assertTrue(refused.getMessage().startsWith("op from a frame body of " + body.length + " bytes makes at least "),
                refused.getMessage());
        assertTrue(refused.getMessage().contains(" bytes of heap, over the decode budget of " + budget
                + " bytes (" + OpCodec.BUDGET_PER_BYTE + " per frame byte + " + OpCodec.BUDGET_ALLOWANCE + ") at offset "), refused.getMessage());
        assertTrue(allocated < 2 * budget, "allocated " + allocated + " for a budget of " + budget);

        // over a link: the parent drops the child that sent it, applies nothing, and carries on
        try (InProcessPair p = new InProcessPair(1);
                BadInputProcessTest.RawChild raw = new BadInputProcessTest.RawChild(p.parent, "bomber")) {
            raw.handshake(FrameDescriptor.VERSION);
            LinkMemoryInProcessTest.sendQuietly(raw, BadInputProcessTest.frame(FrameDescriptor.OP,
                    emptyListBomb("bomb", raw.childId(), BOMB_LITERALS)));
            assertTrue(raw.awaitDropped(), "the parent drops the bomber");
            await("the refusal reported", () -> !p.parentErrors.isEmpty());
            String message = p.parentErrors.get(0).getMessage();
            assertTrue(message.startsWith("bomber: op from a frame body of " + body.length + " bytes makes at least "),
                    message);
            assertNull(p.parent.get("bomb"), "nothing of it is applied");
            LinkMemoryInProcessTest.carriesOn(p);
            assertEquals(1, p.parentErrors.size(), p.parentErrors.toString());
        }
    }

    @Test
    void writerRefusesAWriteThatReceiversWouldRefuseAndNothingChanges() {
        List<List<Object>> empties = new ArrayList<>();
        for (int i = 0; i < BOMB_LITERALS; i++) {
            empties.add(new ArrayList<>());
        }
        try (InProcessPair p = new InProcessPair(1)) {
            for (IPOS writer : List.of(p.parent, p.child(0))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> writer.create("bomb", empties));
                assertTrue(e.getMessage().startsWith("this write makes " + (BOMB_LITERALS + 1) + " containers and "
                        + (BOMB_LITERALS + 1) + " elements, an estimated "), e.getMessage());
                assertTrue(e.getMessage().contains("over the decode budget of "), e.getMessage());
                assertTrue(e.getMessage().endsWith("nothing was stored"), e.getMessage());
            }
            System.out.println("[decode budget] the writer: " + assertThrows(IllegalArgumentException.class,
                    () -> p.parent.create("bomb", empties)).getMessage());
            p.settle();
            assertNull(p.parent.get("bomb"));
            assertNull(p.child(0).get("bomb"));
            assertTrue(p.child(0).isConnected());
            // the same containers in writes of a few thousand pass
            SharedList<List<Object>> l = p.parent.create("lists", empties.subList(0, 4_000));
            l.addAll(empties.subList(0, 4_000));
            p.settle();
            assertEquals(8_000, ((List<?>) p.child(0).get("lists")).size());
            assertEquals(List.of(), p.parentErrors);
            assertEquals(List.of(), p.childErrors);
        }
    }

    // ---------------------------------------------------------------- realistic values pass

    static Stream<Arguments> realistic() {
        return Stream.of(
                Arguments.of("a list of 100,000 small maps", (Supplier<Object>) () -> {
                    List<Map<String, Object>> l = new ArrayList<>();
                    for (int i = 0; i < 100_000; i++) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", i);
                        m.put("name", "item-" + i);
                        l.add(m);
                    }
                    return l;
                }),
                Arguments.of("a map of 300,000 small ints", (Supplier<Object>) () -> {
                    Map<Integer, Integer> m = new LinkedHashMap<>();
                    for (int i = 0; i < 300_000; i++) {
                        m.put(i, i % 100);
                    }
                    return m;
                }),
                Arguments.of("a list of 1,000,000 small ints", (Supplier<Object>) () -> {
                    List<Integer> l = new ArrayList<>();
                    for (int i = 0; i < 1_000_000; i++) {
                        l.add(i % 100);
                    }
                    return l;
                }),
                Arguments.of("a set of 200,000 ints", (Supplier<Object>) () -> {
                    Set<Integer> s = new HashSet<>();
                    for (int i = 0; i < 200_000; i++) {
                        s.add(i);
                    }
                    return s;
                }),
                Arguments.of("a map of 50,000 keys to empty lists", (Supplier<Object>) () -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < 50_000; i++) {
                        m.put("k" + i, new ArrayList<>());
                    }
                    return m;
                }),
                Arguments.of("a list of 50,000 lists of 8 small ints", (Supplier<Object>) () -> {
                    List<List<Integer>> l = new ArrayList<>();
                    for (int i = 0; i < 50_000; i++) {
                        l.add(new ArrayList<>(List.of(1, 2, 3, 4, 5, 6, 7, i % 100)));
                    }
                    return l;
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realistic")
    void realisticBigValuesPassTheBudgetInEveryFormatFromTheParentAndFromAChildWithLargeNodeIds(String what,
            Supplier<Object> value) {
        Object plain = value.get();
        StringBuilder figures = new StringBuilder();
        for (String format : List.of("msgpack", "json", "chronicle")) {
            WireFormat wire = WireFormat.byName(format);
            for (int creator : new int[] {0, Node.MAX_CREATOR}) {
                // the writer: the parent (creator 0, small first ids) or a child whose ids are large (2^20-1, counters past 4096)
                Replica sender = new Replica(new ValueCodec(ClassRegistry.global()), creator);
                for (int i = 0; creator != 0 && i < 5_000; i++) {
                    sender.newNodeId();
                }
                OpCodec senderCodec = new OpCodec(sender);
                ValueWriter w = wire.newWriter();
                senderCodec.encode(w, new MapOps.Put(sender.root, new Object[] {"x", sender.internalizeValue(plain)}));
                senderCodec.checkBudget(w.size());
                byte[] body = w.toByteArray();

                Replica receiver = new Replica(new ValueCodec(ClassRegistry.global()), 0);
                OpCodec receiverCodec = new OpCodec(receiver);
                receiverCodec.literalCreator = creator == 0 ? -1 : creator;
                ValueReader r = wire.newReader();
                r.reset(body, 0, body.length);
                try {
                    receiverCodec.decode(r, body.length);
                } catch (WireException e) {
                    throw new AssertionError(what + " in " + format + " from creator " + creator + ": " + e.getMessage(), e);
                }
                assertEquals(senderCodec.charged(), receiverCodec.charged(), "the writer and the receiver charge alike");
                assertTrue(receiverCodec.charged() <= OpCodec.BUDGET_PER_BYTE * (long) body.length,
                        what + " passes without the allowance, so it passes at any size");
                figures.append(String.format(" %s/%s %.1f MB %.1fx", format, creator == 0 ? "parent" : "child",
                        body.length / 1e6, receiverCodec.charged() / (double) body.length));
            }
        }
        System.out.println("[decode budget] " + what + ", charge per wire byte (budget " + OpCodec.BUDGET_PER_BYTE
                + "x + 16 MiB):" + figures);
    }

    @Test
    void realisticBigValuesTravelBothWaysOverALink() {
        try (InProcessPair p = new InProcessPair(1)) {
            realistic().limit(3).forEach(a -> { // the three the issue names; the codec test above has them all
                String what = (String) a.get()[0];
                @SuppressWarnings("unchecked")
                Object plain = ((Supplier<Object>) a.get()[1]).get();
                p.parent.create("fromParent", plain);
                p.child(0).create("fromChild", plain);
                p.settle();
                assertEquals(plain, p.child(0).get("fromParent"), what);
                assertEquals(plain, p.parent.get("fromChild"), what);
            });
            assertTrue(p.child(0).isConnected());
            assertEquals(List.of(), p.parentErrors);
            assertEquals(List.of(), p.childErrors);
            assertFalse(p.parent.keys().isEmpty());
        }
    }
}
