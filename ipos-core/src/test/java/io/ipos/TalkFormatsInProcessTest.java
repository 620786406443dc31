package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Messages and calls in every wire format: the call frame's array and the remote exception's shape are format-neutral. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TalkFormatsInProcessTest {

    @ParameterizedTest
    @ValueSource(strings = {"msgpack", "json", "chronicle"})
    void messagesAndCallsWorkInEveryFormat(String format, @TempDir Path dir) throws Exception {
        try (IPOS parent = IPOS.options().format(format).listen("unix:" + dir.resolve("p.sock")).start();
                IPOS a = IPOS.options().name("a").join(parent.address());
                IPOS b = IPOS.options().name("b").join(parent.address())) {
            List<Object> got = new CopyOnWriteArrayList<>();
            b.on("v", Object.class, (from, v) -> got.add(v));
            Map<String, Object> value = Map.of("list", List.of(1, 2L, "three"), "big", new java.math.BigDecimal("1.50"));
            // a hears of b from the parent's PEER frame, after b's join returned: until then emit has nobody to send to
            ChildMain.await("a knows b", () -> a.peers().stream().anyMatch(p -> p.name().equals("b")));
            assertTrue(a.emit(b.self(), "v", value), "a sends to a peer it knows");
            ChildMain.await("the message", () -> got.size() == 1);
            assertEquals(value, got.get(0));
            a.expose("math", CallsInProcessTest.MathApi.class, new CallsInProcessTest.MathImpl());
            CallsInProcessTest.MathApi math = b.proxy("math", CallsInProcessTest.MathApi.class);
            assertEquals(1234, math.abs(-1234));
            assertEquals(List.of(0, 1, 2), math.range(3));
            assertEquals("hello b", math.greet("b").get(10, TimeUnit.SECONDS));
            RemoteException e = assertThrows(RemoteException.class, () -> math.fail("checked"));
            assertEquals("java.io.IOException", e.remoteClassName());
            assertTrue(e.getStackTrace().length > 2);
        }
    }
}
