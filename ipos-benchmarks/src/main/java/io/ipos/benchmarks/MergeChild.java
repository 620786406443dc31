package io.ipos.benchmarks;

import io.ipos.IPOS;
import io.ipos.IposException;
import io.ipos.SharedMap;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The child of {@link MergeCounter}: for each run, waits until field {@code go} holds the run's
 * number, merges 1 into key {@code n} of field {@code counter} as many times as field
 * {@code merges} says, flushes, waits until its own view holds every child's increments, and
 * sets field {@code seen.<index>} to the run's number. A negative {@code go} ends it.
 */
public final class MergeChild {
    private MergeChild() {
    }

    /**
     * Connects and runs until told to stop or the parent goes.
     *
     * @param args this child's index
     * @throws Exception if the link fails, or the total never shows here
     */
    public static void main(String[] args) throws Exception {
        int index = Integer.parseInt(args[0]);
        IPOS ipos = IPOS.connect(Duration.ofSeconds(60));
        for (int run = 0; ipos.isConnected(); run++) {
            int go;
            while (!(ipos.get("go") instanceof Integer g && (g >= run || g < 0))) {
                Thread.sleep(1);
            }
            go = ipos.get("go");
            if (go < 0) {
                break;
            }
            SharedMap<String, Integer> counter = ipos.get("counter");
            int merges = ipos.get("merges");
            for (int i = 0; i < merges; i++) {
                counter.merge("n", 1, Integer::sum);
            }
            ipos.flush().get(120, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (counter.get("n") < MergeCounter.CHILDREN * merges) {
                if (System.nanoTime() > deadline) {
                    throw new IposException("child " + index + " holds " + counter.get("n") + " increments");
                }
                Thread.sleep(1);
            }
            ipos.create("seen." + index, run);
        }
        ipos.close();
    }
}
