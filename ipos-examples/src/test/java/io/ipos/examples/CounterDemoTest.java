package io.ipos.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the counter demo end to end with real child JVMs. */
class CounterDemoTest {

    /**
     * Three children race: their merges on one key must all count, every transfer must arrive, and
     * no batch of events may show a transfer half-applied.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void racingChildrenCountEveryIncrementAndEveryTransferKeepsTheSum() throws Exception {
        checkRun(3, 500);
    }

    /**
     * Three children race and the parent's listener never sees a transfer half-applied: each is one
     * {@code atomic} unit, so alice + bob is the same after every batch of events. This part does
     * not depend on merge being lossless (a unit writes both accounts from one consistent view).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void racingChildrenNeverShowATransferHalfApplied() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CounterDemo.Summary s;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            s = CounterDemo.run(3, 500, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        assertEquals(List.of(0, 0, 0), s.exitCodes(), output);
        assertTrue(s.batches() > 0, output);
        assertEquals(List.of(), s.unbalanced(), output);
        assertEquals(2 * CounterDemo.OPENING, s.accounts().values().stream().mapToInt(Integer::intValue).sum(), output);
    }

    /** One child: no write races, so this holds today; it runs the demo's processes, listeners and checks. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void oneChildCountsEveryIncrementAndKeepsTheSum() throws Exception {
        checkRun(1, 500);
    }

    private static void checkRun(int children, int increments) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CounterDemo.Summary s;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            s = CounterDemo.run(children, increments, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertEquals(Collections.nCopies(children, 0), s.exitCodes(), output);
        // merge is decided at the parent: N children x M increments on one key count N x M
        assertEquals(children * increments, s.count(), output);
        // every child wrote its running total with each transfer; the accounts moved exactly that
        assertEquals(children, s.moved().size(), output);
        int net = s.moved().values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(Map.of(CounterDemo.ALICE, CounterDemo.OPENING - net, CounterDemo.BOB, CounterDemo.OPENING + net),
                s.accounts(), output);
        // a transfer is one atomic unit: after no batch of events was the money half-moved
        assertTrue(s.batches() > 0, output);
        assertEquals(List.of(), s.unbalanced(), output);
        assertTrue(s.ok(), () -> s.problems() + "\n" + output);
        // the listener drew the live count up to the total
        assertTrue(output.contains("count " + children * increments + " of " + children * increments), output);
        assertTrue(output.contains("every increment counted, every transfer kept the sum"), output);
    }
}
