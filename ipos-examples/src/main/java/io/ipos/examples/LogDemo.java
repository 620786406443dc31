package io.ipos.examples;

import io.ipos.IPOS;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Gluon's example in ipos: the parent exposes an asynchronous {@code log(String)} function, and
 * each child awaits it ({@code await Gluon.ipc.log('msg')} in Gluon).
 *
 * <pre>{@code
 * // the parent                                       // a child
 * ipos.expose("log", Log.class, message -> {          Log log = ipos.proxy("log", Log.class);
 *     System.out.println(message);                    log.log("hello from " + name).join();
 *     return CompletableFuture.completedFuture(null);
 * });
 * }</pre>
 *
 * <p>Run it with {@code mvn -q -DskipTests package exec:exec -Ddemo.main=io.ipos.examples.LogDemo}.
 */
public final class LogDemo {
    private LogDemo() {
    }

    /** The parent's function, as the children see it. */
    public interface Log {
        /** @param message what to log @return completes once the parent has logged it */
        CompletableFuture<Void> log(String message);
    }

    /**
     * Runs the demo with three children and exits 0 when each one's line was logged.
     *
     * @param args none
     * @throws Exception if a child can't be started
     */
    public static void main(String[] args) throws Exception {
        System.exit(run(3, System.out).size() == 3 ? 0 : 1);
    }

    /**
     * The parent: exposes {@code log}, starts the children and waits until they exit.
     *
     * @param children how many children
     * @param out where the log goes
     * @return the lines logged, in the order they came
     * @throws IOException if a child can't be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static List<String> run(int children, PrintStream out) throws IOException, InterruptedException {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start()) {
            ipos.expose("log", Log.class, message -> {
                out.println("[log] " + message);
                lines.add(message);
                return CompletableFuture.completedFuture(null);
            });
            List<Process> started = new ArrayList<>();
            for (int i = 1; i <= children; i++) {
                started.add(ipos.spawn(IPOS.javaProcess(Child.class)));
            }
            for (Process p : started) {
                p.waitFor();
            }
        }
        return List.copyOf(lines);
    }

    /** A child: awaits the parent's {@code log} and exits. */
    public static final class Child {
        private Child() {
        }

        /** @param args none */
        public static void main(String[] args) {
            IPOS ipos = IPOS.connect();
            Log log = ipos.proxy("log", Log.class);
            log.log("hello from " + ipos.self().name()).join(); // returns once the parent has logged it
            ipos.close();
        }
    }
}
