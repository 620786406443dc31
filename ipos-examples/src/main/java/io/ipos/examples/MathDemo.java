package io.ipos.examples;

import io.ipos.IPOS;
import io.ipos.SharedMap;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Pandora's hub example in ipos: one child publishes a {@code math} object, another calls it
 * through a proxy ({@code abs(-1234)}), and the call runs in the first child's JVM.
 *
 * <pre>{@code
 * // Publisher.main                                  // Caller.main
 * IPOS ipos = IPOS.connect();                        IPOS ipos = IPOS.connect();
 * ipos.expose("math", MathApi.class, new Math());    MathApi math = ipos.proxy("math", MathApi.class);
 *                                                    int abs = math.abs(-1234);         // 1234, blocking
 *                                                    math.max(3, 7).join();             // 7, asynchronous
 * }</pre>
 *
 * <p>The parent spawns the publisher, waits until {@code math} is exposed (the publisher says so
 * in a message), spawns the caller and prints what it got. Run it with
 * {@code mvn -q -DskipTests package exec:exec -Ddemo.main=io.ipos.examples.MathDemo}.
 */
public final class MathDemo {
    private MathDemo() {
    }

    /** What the published object can do: an interface, which is all a caller needs. */
    public interface MathApi {
        /** @param x a number @return its absolute value */
        int abs(int x);

        /** @param a a number @param b another @return the larger, asynchronously */
        CompletableFuture<Integer> max(int a, int b);
    }

    /**
     * Runs the demo and exits 0 when the caller got 1234 and 7.
     *
     * @param args none
     * @throws Exception if a child can't be started
     */
    public static void main(String[] args) throws Exception {
        System.exit(run(System.out).equals(Map.of("abs", 1234, "max", 7)) ? 0 : 1);
    }

    /**
     * The parent: spawns the publisher, then the caller, and returns what the caller reported.
     *
     * @param out where the results are printed
     * @return the caller's results: {@code abs} and {@code max}
     * @throws IOException if a child can't be started
     * @throws InterruptedException if interrupted while waiting for the children
     */
    public static Map<String, Integer> run(PrintStream out) throws IOException, InterruptedException {
        try (IPOS ipos = IPOS.start()) {
            SharedMap<String, Integer> results = ipos.create("results", Map.of());
            CountDownLatch exposed = new CountDownLatch(1);
            ipos.on("exposed", String.class, (from, name) -> exposed.countDown());
            Process publisher = ipos.spawn(IPOS.javaProcess(Publisher.class));
            if (!exposed.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the publisher did not expose math");
            }
            Process caller = ipos.spawn(IPOS.javaProcess(Caller.class));
            caller.waitFor(); // its writes are here once it has exited
            out.println("math.abs(-1234) = " + results.get("abs") + ", math.max(3, 7) = " + results.get("max")
                    + ", computed in the publisher's JVM");
            ipos.emit("done", true); // the publisher may go
            publisher.waitFor();
            return Map.copyOf(results);
        }
    }

    /** The child that publishes {@code math}. */
    public static final class Publisher {
        private Publisher() {
        }

        /**
         * Exposes {@code math}, tells the parent in a message, and stays until the parent says {@code done}.
         *
         * @param args none
         */
        public static void main(String[] args) {
            IPOS ipos = IPOS.connect();
            ipos.expose("math", MathApi.class, new MathApi() {
                @Override
                public int abs(int x) {
                    return Math.abs(x);
                }

                @Override
                public CompletableFuture<Integer> max(int a, int b) {
                    return CompletableFuture.completedFuture(Math.max(a, b));
                }
            });
            CountDownLatch done = new CountDownLatch(1);
            ipos.on("done", Boolean.class, (from, yes) -> done.countDown());
            ipos.emit("exposed", "math"); // to the parent (and any sibling)
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ipos.close();
        }
    }

    /** The child that calls {@code math} through a proxy. */
    public static final class Caller {
        private Caller() {
        }

        /**
         * Calls {@code abs(-1234)} and {@code max(3, 7)} and writes the results.
         *
         * @param args none
         */
        public static void main(String[] args) {
            IPOS ipos = IPOS.connect();
            MathApi math = ipos.proxy("math", MathApi.class);
            SharedMap<String, Integer> results = ipos.get("results");
            results.put("abs", math.abs(-1234));
            results.put("max", math.max(3, 7).join());
            ipos.close();
        }
    }
}
