package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A joiner whose main returns right after its last write, while the parent keeps writing to it,
 * delivers every write: its exit sends what is queued, then waits for the parent to end its side
 * before the socket closes (a socket closed with unread input is reset, and over TCP a reset can
 * throw away what the parent had received but not yet read).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JoinerExitProcessTest {
    static final int WRITES = 5_000;

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aJoinerWhoseMainReturnsDeliversItsLastWrites(String transport, @TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        String listen = transport.equals("unix") ? "unix:" + dir.resolve("p.sock") : "tcp://127.0.0.1:0";
        try (IPOS ipos = IPOS.options().listen(listen).start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Integer> noise = ipos.create("noise", Map.of());
            SharedMap<String, Object> from = ipos.create("from", Map.of());
            Process joiner = kids.start(ChildMain.childProcess(JoinerExitProcessTest.class, "writeAndReturn",
                    ipos.address(), dir.toString()).inheritIO());
            await("the joiner joined", () -> ipos.peers().size() == 1);
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    noise.put("n" + (i % 100), i);
                }
            });
            writer.start();
            try {
                signal(dir.resolve("go"), "");
                assertTrue(joiner.waitFor(30, TimeUnit.SECONDS), "the joiner exited");
                assertEquals(0, joiner.exitValue());
            } finally {
                stop.set(true);
                writer.join();
            }
            await("the joiner left", () -> ipos.peers().isEmpty());
            assertEquals(WRITES + 1, from.size(), "writes that reached the parent over " + transport);
            assertEquals(true, from.get("last"));
            assertEquals(List.of(), errors);
        }
    }

    static void writeAndReturn(String[] args) {
        IPOS ipos = IPOS.join(args[0]);
        SharedMap<String, Object> from = ipos.get("from");
        awaitFile(Path.of(args[1]).resolve("go"));
        for (int i = 0; i < WRITES; i++) {
            from.put("k" + i, i);
        }
        from.put("last", true);
    }
}
