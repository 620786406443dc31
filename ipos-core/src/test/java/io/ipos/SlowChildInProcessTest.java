package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child that stops reading (here: its reader thread can't take its replica's lock, as in a long
 * pause) is cut off once it takes nothing while over the soft limit, so the parent's writes go on;
 * when it reads again it is re-synced with a snapshot that keeps the identity of the containers it
 * holds, and its pending writes are re-based onto it.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowChildInProcessTest {

    @Test
    void aChildThatStopsReadingIsCutOffThenResyncedWithItsReferencesLive() throws Exception {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Object> m = p.parent.create("m", Map.of("list", List.of(0)));
            p.settle();
            IPOS child = p.child(0);
            SharedMap<String, Object> childMap = child.get("m");
            @SuppressWarnings("unchecked")
            SharedList<Object> childList = (SharedList<Object>) childMap.get("list");
            ChildLink link = p.parent.links()[0];

            childMap.put("fromChild", 1); // maybe still pending when the RESYNC arrives
            Runnable resume = pauseReader(childMap);
            try {
                writeWhilePaused(m, link);
            } finally {
                resume.run();
            }
            p.settle();
            assertEquals(1, link.resyncs);
            assertEquals(ChildMain.canon(p.parent.get("m")), ChildMain.canon(child.get("m")));
            assertSame(childMap, child.get("m"), "the child's reference to the map stays the live container");
            assertSame(childList, childMap.get("list"), "and so does its reference to the nested list");
            assertEquals(List.of(0, 1), childList);
            assertEquals(1, m.get("fromChild"));
            assertEquals(List.of(), p.parentErrors);
            assertEquals(List.of(), p.childErrors);
        }
    }

    /**
     * A compute of the child's loses at the parent while the child lags: the parent skips the
     * child's later write and, when it re-syncs the child, says after the RESYNC that the op after
     * the settled ones lost. The child runs it again on the re-synced state and sends the later
     * write again after it, so neither is lost and they land in the order it made them.
     */
    @Test
    void aComputeThatLosesWhileTheChildLagsRunsAgainAfterTheResyncBeforeTheWritesAfterIt() throws Exception {
        try (InProcessPair p = new InProcessPair(1)) {
            SharedMap<String, Object> m = p.parent.create("m", Map.of("list", List.of(0), "k", 0));
            p.settle();
            IPOS child = p.child(0);
            SharedMap<String, Object> childMap = child.get("m");
            ChildLink link = p.parent.links()[0];
            Valve up = p.upValves.get(0);

            up.shut(); // the child's writes reach the parent only once it lags
            List<Object> fromChild = new CopyOnWriteArrayList<>();
            m.onChange(c -> {
                if (!c.isLocal()) {
                    fromChild.addAll(c.added().keySet());
                }
            });
            childMap.merge("k", 1, (a, b) -> (Integer) a + (Integer) b); // read k = 0: loses at the parent
            childMap.put("after", 1); // made after the merge: lands after it
            long sent = child.writeCounts()[0];
            Runnable resume = pauseReader(childMap);
            try {
                m.put("k", 100);
                writeWhilePaused(m, link);
                up.open();
                ChildMain.await("the parent has read the child's ops", () -> link.opFrames >= sent, Duration.ofSeconds(20));
                assertTrue(link.skipping && link.lostWhileLagging, "the merge lost while the child lagged");
            } finally {
                resume.run();
            }
            p.settle();
            assertEquals(1, link.resyncs);
            assertEquals(101, m.get("k"), "the merge ran again on 100, the value that won");
            assertEquals(List.of("k", "after"), fromChild, "then the put the child made after it");
            assertEquals(ChildMain.canon(p.parent.get("m")), ChildMain.canon(child.get("m")));
            assertEquals(1, link.skipped, "the write after the lost merge was skipped, then sent again");
            assertEquals(List.of(), p.parentErrors);
            assertEquals(List.of(), p.childErrors);
        }
    }

    /**
     * Pauses the reader of the child that holds {@code childMap}, as in a long pause: a thread of
     * the test takes its replica's lock. Returns what resumes it (and waits until it has).
     */
    private static Runnable pauseReader(SharedMap<String, Object> childMap) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread pause = new Thread(() -> {
            Replica r = ((Node) childMap).replica();
            r.acquire();
            try {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                r.release();
            }
        });
        pause.start();
        assertTrue(held.await(10, TimeUnit.SECONDS));
        return () -> {
            release.countDown();
            try {
                pause.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    private static void writeWhilePaused(SharedMap<String, Object> m, ChildLink link) {
        long start = System.nanoTime();
        byte[] value = new byte[16 << 10];
        for (int i = 0; i < 2_000; i++) { // 32 MB, four times the soft limit
            m.put("k" + (i % 500), value.clone());
        }
        @SuppressWarnings("unchecked")
        SharedList<Object> list = (SharedList<Object>) m.get("list");
        list.add(1);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("[slow child, in process] 32 MB written in " + tookMs + " ms while the child's reader was paused"
                + "; queued for it: " + link.outbox.pendingBytes() + " bytes; lagging=" + link.lagging);
        assertTrue(link.lagging, "the paused child is no longer fed");
        // the queue plus the chunk the writer thread was handing over when the child stopped
        assertTrue(link.outbox.pendingBytes() < 2 * Hub.SOFT_LIMIT + (1 << 20), "its queue stays bounded");
    }
}
