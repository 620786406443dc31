package io.ipos;

import static io.ipos.ChildMain.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A link works the same whether its threads poll before they sleep ({@code FrameReader.SPIN_NANOS}, the
 * default on more than one core) or sleep at once ({@code -Dipos.spinMicros=0}): a child of each
 * kind answers a conversation of single writes, each of which finds the link threads idle, and
 * then a burst.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LinkPollingProcessTest {
    static final int ROUNDS = 300;
    static final int BURST = 20_000;

    @Test
    void aChildThatDoesNotPollAnswersEveryRoundAndBurst() throws IOException {
        converse("-Dipos.spinMicros=0");
    }

    @Test
    void aChildThatPollsAnswersEveryRoundAndBurst() throws IOException {
        converse("-Dipos.spinMicros=100");
    }

    private static void converse(String spinSetting) throws IOException {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            ipos.create("ping", 0);
            ipos.create("pong", 0);
            SharedMap<Integer, Integer> burst = ipos.create("burst", Map.of());
            ProcessBuilder b = ChildMain.childProcess(LinkPollingProcessTest.class, "echo");
            b.command().add(1, spinSetting);
            Process child = ipos.spawn(b);
            kids.track(child.toHandle());
            for (int i = 1; i <= ROUNDS; i++) {
                int round = i;
                ipos.create("ping", round);
                await("pong " + round, () -> ipos.get("pong") instanceof Integer v && v == round);
                if (round % 50 == 0) {
                    ChildMain.sleep(5); // let every link thread fall asleep, then wake it
                }
            }
            for (int i = 0; i < BURST; i++) {
                burst.put(i, -i);
            }
            ipos.create("ping", -1);
            await("the child's copy of the burst", () -> ipos.get("burstSeen") instanceof Integer n && n == BURST);
            assertEquals(List.of(), errors);
            assertTrue(child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the child ends when its main returns");
            assertEquals(0, child.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Answers each {@code ping} with the same {@code pong}; on {@code ping = -1} reports the burst's size and returns. */
    static void echo(String[] args) {
        IPOS ipos = IPOS.connect();
        int answered = 0;
        while (true) {
            Object ping = ipos.get("ping");
            if (ping instanceof Integer p && p == -1) {
                Map<?, ?> burst = ipos.get("burst");
                ipos.create("burstSeen", burst.size());
                ipos.flush().join();
                return;
            }
            if (ping instanceof Integer p && p != answered) {
                answered = p;
                ipos.create("pong", p);
            }
            Thread.yield();
        }
    }
}
