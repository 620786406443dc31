package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messages between processes in this JVM (a parent and children over pipes, the same protocol and
 * threads as real processes): to one, to all, to a peer that left, wrong types, ordering with the
 * state. The fast twin of {@link MessagesProcessTest}.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MessagesInProcessTest {

    @Test
    void aMessageToAllReachesEveryOtherProcessWithItsSender() throws Exception {
        try (InProcessPair p = new InProcessPair(2)) {
            List<String> got = new CopyOnWriteArrayList<>();
            p.parent.on("hi", String.class, (from, v) -> got.add("parent<-" + from.id() + ":" + v));
            p.child(0).on("hi", String.class, (from, v) -> got.add("c1<-" + from.id() + ":" + v));
            p.child(1).on("hi", String.class, (from, v) -> got.add("c2<-" + from.id() + ":" + v));
            int c1 = p.child(0).self().id();
            assertTrue(p.child(0).emit("hi", "x"));
            ChildMain.await("both others got it", () -> got.size() == 2);
            ChildMain.sleep(50);
            assertEquals(List.of("c2<-" + c1 + ":x", "parent<-" + c1 + ":x"), got.stream().sorted().toList());
        }
    }

    @Test
    void aMessageToOnePeerReachesOnlyThatPeer() throws Exception {
        try (InProcessPair p = new InProcessPair(3)) {
            List<String> got = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                p.child(i).on("t", Integer.class, (from, v) -> got.add(n + ":" + from.name() + ":" + v));
            }
            assertTrue(p.child(1).emit(p.child(0).self(), "t", 7));
            assertTrue(p.parent.emit(p.child(2).self(), "t", 8));
            ChildMain.await("two arrived", () -> got.size() == 2);
            ChildMain.sleep(50);
            assertEquals(List.of("0:" + p.child(1).self().name() + ":7", "2:parent:8"), got.stream().sorted().toList());
        }
    }

    @Test
    void emitSaysFalseWhenNobodyCanReceiveIt() throws Exception {
        try (IPOS alone = IPOS.start()) {
            assertFalse(alone.emit("t", 1), "a parent with no children");
            assertFalse(alone.emit(ChangeEvents.KnownPeer.of(3), "t", 1));
        }
        try (InProcessPair p = new InProcessPair(2)) {
            Peer gone = p.child(1).self();
            p.child(1).close();
            ChildMain.await("the parent saw it leave", () -> p.parent.peers().size() == 1);
            assertFalse(p.parent.emit(gone, "t", 1), "a peer that left");
            ChildMain.await("the sibling saw it leave", () -> p.child(0).peers().size() == 1);
            assertFalse(p.child(0).emit(gone, "t", 1));
            assertTrue(p.child(0).emit("t", 1), "the parent is there");
        }
    }

    @Test
    void aMessageToItselfIsHandledHere() throws Exception {
        try (InProcessPair p = new InProcessPair(1)) {
            List<Object> got = new CopyOnWriteArrayList<>();
            p.child(0).on("me", Object.class, (from, v) -> got.add(from.id() + "=" + v));
            assertTrue(p.child(0).emit(p.child(0).self(), "me", Map.of("a", 1)));
            ChildMain.await("it arrived", () -> got.size() == 1);
            assertEquals(p.child(0).self().id() + "={a=1}", got.get(0));
        }
    }

    @Test
    void aValueOfTheWrongTypeGoesToOnErrorAndTheHandlerStays() throws Exception {
        try (InProcessPair p = new InProcessPair(1)) {
            List<Integer> got = new CopyOnWriteArrayList<>();
            p.child(0).on("n", int.class, (from, v) -> got.add(v));
            p.parent.emit("n", "not a number");
            p.parent.emit("n", 5);
            ChildMain.await("the int arrived", () -> got.size() == 1);
            assertEquals(List.of(5), got);
            ChildMain.await("the error reported", () -> !p.childErrors.isEmpty());
            String m = p.childErrors.get(0).getMessage();
            assertTrue(m.contains("java.lang.String") && m.contains("java.lang.Integer") && m.contains("'n'"), m);
        }
    }

    @Test
    void aMessageTooLargeForAFrameOrNotShareableThrowsInTheSenderAndNothingTravels() throws Exception {
        try (IPOS parent = IPOS.options().maxFrameBytes(64 << 10).start(); InProcessPair p = InProcessPair.withParent(parent)) {
            IPOS child = p.addChild();
            List<Object> got = new CopyOnWriteArrayList<>();
            parent.on("t", Object.class, (from, v) -> got.add(v));
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> child.emit("t", "x".repeat(100_000)));
            assertTrue(big.getMessage().startsWith("this message takes ") && big.getMessage().contains("maxFrameBytes=65536")
                    && big.getMessage().endsWith("nothing was sent"), big.getMessage());
            assertThrows(IllegalArgumentException.class, () -> child.emit("t", new Object()));
            assertTrue(child.emit("t", "small"));
            ChildMain.await("the small message", () -> got.size() == 1);
            child.flush().get(10, TimeUnit.SECONDS);
            parent.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("small"), got, "only the message that could be sent arrived");
            assertEquals(List.of(), p.childErrors);
        }
    }

    @Test
    void aHandlerThatThrowsIsReportedAndStaysSubscribed() throws Exception {
        try (InProcessPair p = new InProcessPair(1)) {
            List<Integer> got = new CopyOnWriteArrayList<>();
            p.child(0).on("n", Integer.class, (from, v) -> {
                if (v == 1) {
                    throw new IllegalStateException("boom");
                }
                got.add(v);
            });
            p.parent.emit("n", 1);
            p.parent.emit("n", 2);
            ChildMain.await("the second message", () -> got.size() == 1);
            assertEquals(List.of(2), got);
            ChildMain.await("the error reported", () -> !p.childErrors.isEmpty());
            String m = p.childErrors.get(0).getMessage();
            assertTrue(m.contains("threw") && m.contains("boom") && m.contains("stays subscribed"), m);
        }
    }

    @Test
    void aClosedHandlerGetsNothingMore() throws Exception {
        try (InProcessPair p = new InProcessPair(1)) {
            AtomicInteger n = new AtomicInteger();
            Subscription s = p.child(0).on("t", Object.class, (from, v) -> n.incrementAndGet());
            p.parent.emit("t", 1);
            ChildMain.await("one", () -> n.get() == 1);
            s.close();
            p.parent.emit("t", 2);
            p.parent.flush().get(10, TimeUnit.SECONDS);
            p.child(0).flush().get(10, TimeUnit.SECONDS);
            assertEquals(1, n.get());
        }
    }

    @Test
    void aSiblingsMessageIsHandledAfterTheWritesItsSenderMadeBeforeIt() throws Exception {
        try (InProcessPair p = new InProcessPair(3)) {
            SharedMap<String, Integer> m = p.parent.create("m", Map.of());
            p.settle();
            IPOS sender = p.child(0);
            IPOS receiver = p.child(1);
            SharedMap<String, Integer> rm = receiver.get("m");
            AtomicInteger seen = new AtomicInteger();
            List<String> violations = new CopyOnWriteArrayList<>();
            receiver.on("after", Integer.class, (from, i) -> {
                Integer v = rm.get("k");
                if (v == null || v < i) {
                    violations.add(i + " saw " + v);
                }
                seen.incrementAndGet();
            });
            // a noisy writer elsewhere, so the receiver re-bases and the parent interleaves
            SharedMap<String, Integer> noise = p.child(2).get("m");
            Thread t = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    noise.put("noise", i);
                }
            });
            t.start();
            SharedMap<String, Integer> sm = sender.get("m");
            int n = 5_000;
            for (int i = 1; i <= n; i++) {
                sm.put("k", i);
                sender.emit(receiver.self(), "after", i);
                if (i % 7 == 0) {
                    m.put("parent", i); // and the parent writes too
                }
            }
            t.join();
            ChildMain.await("all handled", () -> seen.get() == n);
            System.out.println("[MessagesInProcessTest] " + n + " messages after writes, " + violations.size() + " violations");
            assertEquals(List.of(), violations);
        }
    }
}
