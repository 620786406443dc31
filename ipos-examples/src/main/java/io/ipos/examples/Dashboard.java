package io.ipos.examples;

import io.ipos.IPOS;
import io.ipos.IposException;
import io.ipos.Peer;
import io.ipos.SharedList;
import io.ipos.SharedMap;
import io.ipos.Subscription;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * Watches a running {@link WorkQueueDemo} from a process the demo did not start: it joins the demo
 * by the address the demo printed ({@code IPOS.join}, read-only is enough), then draws, from
 * listeners alone, a line whenever {@code progress} changes and one whenever a peer joins or
 * leaves (the workers as they start and exit), until the demo ends.
 *
 * <pre>
 * terminal 1: mvn -q -DskipTests package exec:exec -Ddemo.args=--wait-for-dashboard
 * terminal 2: the command terminal 1 printed, e.g.
 *             mvn -q compile exec:exec -Ddemo.main=io.ipos.examples.Dashboard -Ddemo.args='unix:/tmp/...#...'
 * </pre>
 *
 * <p>It joins as the peer named {@value #NAME}, which a demo started with
 * {@code --wait-for-dashboard} waits for before it starts its workers. Exits 0 once the demo has
 * ended with every job done, 1 if it ended short of that or could not join (saying why), 2 on a wrong
 * command line.
 */
public final class Dashboard {
    /** The peer name the dashboard joins with. */
    public static final String NAME = "dashboard";

    private Dashboard() {
    }

    /**
     * Joins the demo at {@code args[0]} and draws its progress until it ends.
     *
     * @param args the demo's address, secret included
     * @throws InterruptedException if interrupted while watching
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: Dashboard ADDRESS   (the address a running WorkQueueDemo printed)");
            System.exit(2);
        }
        try {
            System.exit(watch(args[0], System.out) ? 0 : 1);
        } catch (IposException e) {
            System.err.println("dashboard: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Joins the demo at {@code address}, draws on {@code out} until the demo ends.
     *
     * @param address the demo's address, secret included
     * @param out where to draw
     * @return whether the demo ended with every job done
     * @throws IposException if the demo can't be joined (not running, wrong secret, a dashboard there already)
     * @throws InterruptedException if interrupted while watching
     */
    public static boolean watch(String address, PrintStream out) throws InterruptedException {
        // a process registers the classes it reads: the demo's jobs and results are records of its own
        IPOS.registerClass(Job.class);
        IPOS.registerClass(JobResult.class);
        long start = System.nanoTime();
        IPOS ipos = IPOS.options().name(NAME).join(address);
        ipos.onError(e -> {
            if (ipos.isConnected()) {
                out.println("[ipos] " + e.getMessage());
            } // else: the demo ended, which the parent's leave below says
        });
        SharedList<Job> jobs = ipos.get(WorkQueueDemo.JOBS);
        SharedMap<String, Integer> progress = ipos.get(WorkQueueDemo.PROGRESS);
        if (jobs == null || progress == null) {
            ipos.close();
            throw new IposException("the process at this address shares no " + WorkQueueDemo.JOBS + " and "
                    + WorkQueueDemo.PROGRESS + ": is it a WorkQueueDemo?");
        }
        int total = jobs.size();
        Peer me = ipos.self();
        out.printf("joined as %s (peer %d); %d jobs; peers: %s%n", me.name(), me.id(), total,
                ipos.peers().stream().map(Peer::name).collect(Collectors.joining(", ")));

        // peers come and go in order with the changes: when the parent leaves (the demo closed or died), every
        // change it sent before has reached the listener below
        CountDownLatch ended = new CountDownLatch(1);
        Subscription peers = ipos.onPeer(e -> {
            out.printf("%5.1f s  %s %s%n", seconds(start), e.peer().name(), e.joined() ? "joined" : "left");
            if (e.peer().id() == 0 && !e.joined()) {
                ended.countDown();
            }
        });
        // the view: a copy of `progress` kept from its change events. Subscribed first, then copied, under one
        // lock: an event the copy already holds puts the same counts again, so none is missed or undone
        Map<String, Integer> shown = new TreeMap<>();
        Subscription redraw = progress.onChange(change -> {
            synchronized (shown) {
                shown.keySet().removeAll(change.removed().keySet());
                shown.putAll(change.added());
                out.printf("%5.1f s  %s%n", seconds(start), WorkQueueDemo.progressLine(shown, total));
            }
        });
        synchronized (shown) {
            shown.putAll(progress);
            out.printf("%5.1f s  %s%n", seconds(start), WorkQueueDemo.progressLine(shown, total));
        }
        if (ipos.isConnected()) {
            ended.await(); // the listeners draw meanwhile
        }
        redraw.close();
        peers.close();
        int done;
        synchronized (shown) {
            done = WorkQueueDemo.sum(shown);
        }
        out.printf("%d of %d jobs done when the demo ended%n", done, total);
        ipos.close();
        return done == total;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
