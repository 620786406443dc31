package io.ipos.examples;

import io.ipos.IPOS;
import io.ipos.IposException;
import io.ipos.SharedMap;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The child program of {@link CounterDemo}: joins the parent, waits for field {@code go} (with a
 * listener, see {@code Await}), then increments {@code counter.count} with
 * {@code merge(COUNT, 1, Integer::sum)} as many times as its argument says and, every
 * {@value #TRANSFER_EVERY}th increment, moves a random amount between {@code alice} and
 * {@code bob} in one atomic unit. Started with
 * {@code ipos.spawn(IPOS.javaProcess(CounterChild.class, "1", "1000"))}.
 *
 * <p>No child reads the count before it writes: {@code merge} is decided where the parent applies
 * it, so increments racing from several processes all count (an increment whose base changed is
 * re-run on the value that won). A transfer is two merges and a put, made one unit by
 * {@code ipos.atomic}: every process applies all three at once, so no reader or listener anywhere
 * sees the money in neither account or in both.
 */
public final class CounterChild {
    /** A transfer after every this many increments. */
    public static final int TRANSFER_EVERY = 10;

    private CounterChild() {
    }

    /**
     * Runs one child.
     *
     * @param args the child's number, e.g. {@code 1} (it is called {@code child-1}), and how many
     *     increments (default 1000)
     */
    public static void main(String[] args) {
        String me = "child-" + (args.length > 0 ? args[0] : ProcessHandle.current().pid());
        int increments = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        IPOS ipos = IPOS.connect();
        SharedMap<String, Integer> counter = ipos.get(CounterDemo.COUNTER);
        SharedMap<String, Integer> accounts = ipos.get(CounterDemo.ACCOUNTS);
        SharedMap<String, Integer> moved = ipos.get(CounterDemo.MOVED);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int net = 0; // what this child moved from alice to bob
        try {
            Await.field(ipos, CounterDemo.GO);
            for (int i = 1; i <= increments && ipos.isConnected(); i++) {
                counter.merge(CounterDemo.COUNT, 1, Integer::sum);
                if (i % TRANSFER_EVERY == 0) {
                    int amount = random.nextInt(1, 51) * (random.nextBoolean() ? 1 : -1);
                    net += amount;
                    transfer(ipos, accounts, moved, me, amount, net);
                }
            }
            ipos.flush().join(); // our writes are applied at the parent before we exit
        } catch (CompletionException e) {
            System.out.println(me + ": stopped, " + (e.getCause() instanceof IposException ie ? ie.getMessage() : e));
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        System.out.println(me + ": finished, " + increments + " increments, moved " + net + " from alice to bob");
        ipos.close();
    }

    /**
     * Moves {@code amount} from alice to bob (back, when negative) and records this child's running
     * total in {@code moved}, as one unit.
     */
    static void transfer(IPOS ipos, SharedMap<String, Integer> accounts, SharedMap<String, Integer> moved, String me,
            int amount, int net) {
        Runnable writes = () -> {
            accounts.merge(CounterDemo.ALICE, -amount, Integer::sum);
            accounts.merge(CounterDemo.BOB, amount, Integer::sum);
            moved.put(me, net); // each child writes only its own key
        };
        ipos.atomic(writes); // its future completes as flush() would; the child's last flush() waits for all of them
    }
}
