package io.ipos.examples;

import io.ipos.IPOS;
import io.ipos.MapChange;
import io.ipos.Peer;
import io.ipos.SharedMap;
import io.ipos.Subscription;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A counter and two accounts shared by a parent and several child JVMs, watched with listeners.
 *
 * <p>The parent creates {@code counter} ({@code count}: 0), {@code accounts} ({@code alice} and
 * {@code bob}, {@value #OPENING} each) and {@code moved} (per child, the net amount it moved from
 * alice to bob), spawns the {@link CounterChild}ren and creates {@code go}. Every child then does
 * {@code counter.merge("count", 1, Integer::sum)} a number of times and, every
 * {@value CounterChild#TRANSFER_EVERY}th time, moves a random amount between the accounts in one
 * {@code ipos.atomic(...)} unit (see {@link CounterChild#transfer}).
 *
 * <p>The parent only listens: a listener on {@code counter} prints the count each time it passes
 * another tenth of the total, and a listener on {@code accounts} keeps a copy of the accounts from
 * its change events alone and checks that alice + bob is still {@code 2 * OPENING} at the end of
 * every batch of events (a unit's events come one after another, so a batch ends where the next
 * event comes from another process, and after the last one). When the children have exited it
 * checks that the count is children &times; increments (no increment lost) and that the accounts
 * moved exactly what the children say they moved (no transfer lost), prints a summary and, from
 * {@link #main}, exits 0 when all of it holds.
 *
 * <p>Run it from the repository root with
 * {@code mvn -q -DskipTests package exec:exec -Ddemo.main=io.ipos.examples.CounterDemo}, or with
 * arguments {@code [children [increments]]} on the class path of this module.
 */
public final class CounterDemo {
    static final String COUNTER = "counter";
    static final String COUNT = "count";
    static final String ACCOUNTS = "accounts";
    static final String ALICE = "alice";
    static final String BOB = "bob";
    static final String MOVED = "moved";
    static final String GO = "go";

    /** What each account holds at the start. */
    public static final int OPENING = 1000;

    private static final Duration DEADLINE = Duration.ofMinutes(2);

    private CounterDemo() {
    }

    /**
     * What a run produced, read from the parent's copy after every child exited.
     *
     * @param expected children &times; increments
     * @param count the final {@code count}
     * @param accounts the final {@code accounts}
     * @param moved the {@code moved} map: per child, the net amount it moved from alice to bob
     * @param batches how many batches of {@code accounts} events the listener checked
     * @param unbalanced the batches after which alice + bob was not {@code 2 * OPENING}, as text
     * @param elapsed from {@link IPOS#start()} to the last child's exit
     * @param exitCodes the children's exit codes, in spawn order
     * @param problems what the checks found wrong; empty when everything holds
     */
    public record Summary(int expected, int count, Map<String, Integer> accounts, Map<String, Integer> moved,
            int batches, List<String> unbalanced, Duration elapsed, List<Integer> exitCodes, List<String> problems) {

        /** @return whether no increment and no transfer was lost and the sum never moved */
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Runs the demo with 3 children of 1,000 increments each, or {@code [children [increments]]},
     * and exits 0 when every increment was counted and every batch of events kept the sum.
     *
     * @param args optional child and increment counts
     * @throws Exception if a child can't be started
     */
    public static void main(String[] args) throws Exception {
        int children = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int increments = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        Summary summary = run(children, increments, System.out);
        System.exit(summary.ok() ? 0 : 1);
    }

    /**
     * Runs the whole demo: shares the counter and the accounts, spawns the children, shows the
     * count on {@code out} as it changes, waits for the children to exit and checks the result.
     *
     * @param childCount how many child processes
     * @param increments how many times each child increments the counter
     * @param out where the count and the summary go
     * @return what happened
     * @throws IOException if a child can't be started
     * @throws InterruptedException if interrupted while waiting for the children
     */
    public static Summary run(int childCount, int increments, PrintStream out) throws IOException, InterruptedException {
        if (childCount < 1 || increments < 1) {
            throw new IllegalArgumentException("childCount=" + childCount + ", increments=" + increments
                    + ": need at least one child and one increment");
        }
        int expected = childCount * increments;
        long start = System.nanoTime();
        try (IPOS ipos = IPOS.start()) {
            SharedMap<String, Integer> counter = ipos.create(COUNTER, Map.of(COUNT, 0));
            Map<String, Integer> opening = new LinkedHashMap<>();
            opening.put(ALICE, OPENING);
            opening.put(BOB, OPENING);
            SharedMap<String, Integer> accounts = ipos.create(ACCOUNTS, opening);
            SharedMap<String, Integer> moved = ipos.create(MOVED, Map.of());
            out.printf("counting to %d: %s, %d merge increments each, a transfer every %d%n", expected,
                    plural(childCount, "child", "children"), increments, CounterChild.TRANSFER_EVERY);

            List<Process> children = new ArrayList<>();
            for (int c = 1; c <= childCount; c++) {
                Process p = ipos.spawn(IPOS.javaProcess(CounterChild.class, String.valueOf(c), String.valueOf(increments)));
                children.add(p);
                out.printf("%5.1f s  child-%d connected (pid %d)%n", seconds(start), c, p.pid());
            }

            // the live count: printed each time it passes another tenth of the total
            int[] nextMark = {1};
            Subscription show = counter.onChange(change -> {
                Integer now = change.added().get(COUNT);
                if (now != null && now * 10L >= (long) nextMark[0] * expected) {
                    out.printf("%5.1f s  count %d of %d%n", seconds(start), now, expected);
                    nextMark[0] = (int) (now * 10L / expected) + 1;
                }
            });
            SumCheck sums = new SumCheck(accounts, 2 * OPENING);
            Subscription check = accounts.onChange(sums);
            ipos.create(GO, Boolean.TRUE); // all children start together, so their writes race

            // the listeners do the showing and checking; this thread only waits for the children to exit
            try {
                CompletableFuture.allOf(children.stream().map(Process::onExit).toArray(CompletableFuture[]::new))
                        .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // past the deadline: the children still running are stopped below, the checks say what is missing
            }
            List<Integer> exitCodes = new ArrayList<>();
            for (Process p : children) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
                exitCodes.add(p.exitValue());
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            // every child flushed before it exited, so its writes are all applied here; this flush
            // returns once the listeners were called for all of them
            ipos.flush().join();
            show.close();
            check.close();
            sums.endOfBatch(); // the last batch has no next event to end it

            Map<String, Integer> finalAccounts = new TreeMap<>(accounts);
            Map<String, Integer> finalMoved = new TreeMap<>(moved);
            int count = counter.getOrDefault(COUNT, 0);
            Summary summary = new Summary(expected, count, finalAccounts, finalMoved, sums.batches, sums.unbalanced,
                    elapsed, exitCodes, check(expected, count, finalAccounts, finalMoved, sums, exitCodes));
            printSummary(summary, out);
            return summary;
        }
    }

    /**
     * The accounts listener: a copy of the accounts kept from the change events alone (remove the
     * removed keys, put the added ones), whose sum is checked at the end of every batch of events.
     * An atomic unit's events are delivered one after another with no other event between, so a
     * batch (a run of events from one process) never ends inside a unit: the sum must be the same
     * after every batch, though it may be off between two events of one transfer.
     */
    static final class SumCheck implements Consumer<MapChange<String, Integer>> {
        private final Map<String, Integer> copy;
        private final int total;
        private Peer batchOrigin;
        int batches;
        final List<String> unbalanced = new ArrayList<>();

        SumCheck(Map<String, Integer> accounts, int total) {
            this.copy = new TreeMap<>(accounts);
            this.total = total;
        }

        @Override
        public void accept(MapChange<String, Integer> change) {
            if (batchOrigin != null && !batchOrigin.equals(change.origin())) {
                endOfBatch();
            }
            copy.keySet().removeAll(change.removed().keySet());
            copy.putAll(change.added());
            batchOrigin = change.origin();
        }

        /** Checks the sum at the end of a batch (called once more after the last event). */
        void endOfBatch() {
            if (batchOrigin == null) {
                return;
            }
            batches++;
            int sum = copy.values().stream().mapToInt(Integer::intValue).sum();
            if (sum != total) {
                unbalanced.add("after a batch from " + batchOrigin.name() + ": " + copy + ", sum " + sum);
            }
            batchOrigin = null;
        }
    }

    private static List<String> check(int expected, int count, Map<String, Integer> accounts, Map<String, Integer> moved,
            SumCheck sums, List<Integer> exitCodes) {
        List<String> problems = new ArrayList<>();
        if (count != expected) {
            problems.add("count is " + count + ", not " + expected + ": " + (expected - count) + " increments lost");
        }
        int net = moved.values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Integer> want = new TreeMap<>(Map.of(ALICE, OPENING - net, BOB, OPENING + net));
        if (!accounts.equals(want)) {
            problems.add("the children moved " + net + " from alice to bob, so the accounts should be " + want
                    + " but are " + accounts + ": a transfer was lost or half-applied");
        }
        if (!sums.unbalanced.isEmpty()) {
            problems.add(sums.unbalanced.size() + " of " + sums.batches + " batches of events left alice + bob off "
                    + 2 * OPENING + ", first " + sums.unbalanced.get(0));
        }
        for (int i = 0; i < exitCodes.size(); i++) {
            if (exitCodes.get(i) != 0) {
                problems.add("child-" + (i + 1) + " exited with " + exitCodes.get(i));
            }
        }
        return problems;
    }

    private static void printSummary(Summary s, PrintStream out) {
        int net = s.moved().values().stream().mapToInt(Integer::intValue).sum();
        out.printf("count %d of %d in %.1f s%n", s.count(), s.expected(), s.elapsed().toMillis() / 1000.0);
        out.printf("accounts %s: %d moved from alice to bob in all; alice + bob checked after %s of events%n",
                s.accounts(), net, plural(s.batches(), "batch", "batches"));
        if (s.ok()) {
            out.println("every increment counted, every transfer kept the sum");
        } else {
            s.problems().forEach(p -> out.println("PROBLEM: " + p));
        }
    }

    private static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
