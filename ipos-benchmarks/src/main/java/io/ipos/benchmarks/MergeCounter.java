package io.ipos.benchmarks;

import io.ipos.IPOS;
import io.ipos.IposException;
import io.ipos.SharedMap;

import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code merge.counter}: {@value #CHILDREN} {@link MergeChild}ren each {@code merge("n", 1,
 * Integer::sum)} {@value #MERGES} times into one key of a fresh field, all at once; correct
 * increments per second from the parent's "go" until the parent holds all of them. Every run is
 * checked: the parent's value must be exactly {@code CHILDREN * MERGES} after a flush, and each
 * child must see that value too. One warm-up run of {@value #WARMUP_MERGES} each, then the median of
 * {@value #RUNS} runs.
 */
final class MergeCounter {
    static final int CHILDREN = 3;
    static final int MERGES = 200_000;
    static final int WARMUP_MERGES = 200_000;
    static final int RUNS = 3;
    static final long TIMEOUT_NANOS = 120_000_000_000L;

    private MergeCounter() {
    }

    static void run(Figures figures) throws Exception {
        List<Process> children = new ArrayList<>();
        try (IPOS ipos = IPOS.start()) {
            for (int i = 0; i < CHILDREN; i++) {
                Process p = Children.start(IPOS.javaProcess(MergeChild.class, Integer.toString(i)).redirectOutput(Redirect.PIPE)
                        .redirectError(Redirect.INHERIT));
                children.add(p);
                ipos.addProcess(p).get(60, TimeUnit.SECONDS);
            }
            once(ipos, 0, WARMUP_MERGES);
            double[] rates = new double[RUNS];
            for (int r = 0; r < RUNS; r++) {
                rates[r] = once(ipos, r + 1, MERGES);
            }
            figures.note("merge.counter per run (/s): " + Lifecycle.runs(rates) + "; " + CHILDREN + " children x " + MERGES
                    + " merges each");
            figures.add("merge.counter", Stats.median(rates), "/s");
            ipos.create("go", -1);
            ipos.flush().get(60, TimeUnit.SECONDS);
        } finally {
            for (Process p : children) {
                Children.end(p, 5_000);
            }
        }
    }

    /** One run; returns correct increments per second. */
    private static double once(IPOS ipos, int run, int merges) throws Exception {
        int total = CHILDREN * merges;
        SharedMap<String, Integer> counter = ipos.create("counter", Map.of("n", 0));
        ipos.create("merges", merges);
        ipos.flush().get(60, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        ipos.create("go", run);
        while (counter.get("n") < total) {
            if (System.nanoTime() - t0 > TIMEOUT_NANOS) {
                throw new IposException("run " + run + ": the counter holds " + counter.get("n") + " of " + total
                        + " increments after " + TIMEOUT_NANOS / 1_000_000_000L + " s");
            }
            Thread.sleep(1);
        }
        long elapsed = System.nanoTime() - t0;
        ipos.flush().get(60, TimeUnit.SECONDS);
        if (counter.get("n") != total) {
            throw new IposException("run " + run + ": the counter holds " + counter.get("n") + ", not " + total);
        }
        for (int i = 0; i < CHILDREN; i++) {
            String key = "seen." + i;
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (!(ipos.get(key) instanceof Integer seen && seen == run)) {
                if (System.nanoTime() > deadline) {
                    throw new IposException("run " + run + ": child " + i + " did not report the total");
                }
                Thread.sleep(1);
            }
        }
        return total * 1e9 / elapsed;
    }
}
