package io.ipos.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the seeds' examples of messages and calls end to end, with real child JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TalkDemosTest {
    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @Test
    void oneChildCallsTheMathObjectAnotherPublished() throws Exception {
        assertEquals(Map.of("abs", 1234, "max", 7), MathDemo.run(quiet()));
    }

    @Test
    void fourPeersSendToOneEmitACustomEventAndBroadcast() throws Exception {
        assertEquals(ChannelDemo.expected(), ChannelDemo.run(quiet()));
    }

    @Test
    void childrenAwaitTheParentsLogFunction() throws Exception {
        List<String> lines = LogDemo.run(3, quiet());
        assertEquals(List.of("hello from child-1", "hello from child-2", "hello from child-3"),
                lines.stream().sorted().toList());
    }
}
