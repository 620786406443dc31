package io.ipos.examples;

import io.ipos.IPOS;
import io.ipos.IposException;
import io.ipos.SharedList;
import io.ipos.SharedMap;

import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The child program of {@link WorkQueueDemo}: joins the parent, waits for field {@code go}, takes
 * jobs from the shared {@code jobs} list, claims each one before doing it, reports into {@code results} and bumps its
 * own counter in {@code progress}. Started with {@code ipos.spawn(IPOS.javaProcess(Worker.class, "1"))}.
 *
 * <h2>Claiming a job so that exactly one worker does it</h2>
 *
 * {@code claims} maps each job id to a shared list of the workers that claimed it. A worker claims
 * job {@code j} by inserting its name at <em>index 0</em> of {@code claims[j]}, waits with
 * {@code ipos.flush().join()} until the parent has applied that insert, and does the job only if
 * its own name is now the <em>last</em> element. Why that is airtight:
 * <ol>
 *   <li>The parent applies ops in the order they reach it. Index 0 is always in range, so every
 *       claim lands at the front of the parent's list: the list reads newest claim first and the
 *       last element is the first claim the parent sequenced. Nothing ever removes a claim, and
 *       later claims go to the front, so once a list has a last element it never changes.</li>
 *   <li>{@code flush()} completes when the parent acknowledges this worker's insert. The parent's
 *       stream to a child is in order, and every op it sequenced before the insert was relayed to
 *       this child before the acknowledgement. So after the flush this worker holds every claim
 *       that came before its own (a child re-bases its pending insert over them, exactly as the
 *       parent ordered them), and the last element it sees is the final winner.</li>
 *   <li>Every claimant flushes and looks, and they all see the same last element, so exactly one
 *       of them does the job. A worker skips a job only when its list is already non-empty, that
 *       is when someone claimed it; the first claimant does it. (If that worker dies before
 *       reporting, the job stays undone: the parent reports it as missing.)</li>
 * </ol>
 *
 * <p>Why not {@code claims.putIfAbsent(j, me)} and a check after {@code flush()}? Two workers can
 * both find the key absent in their own copy, and both puts reach the parent. The parent applies
 * them in order and the later one overwrites the earlier (a map key is last-writer-wins). The
 * first worker's flush completes when its own put is applied, before the second put arrives, so it
 * sees its own name and believes it won; the second worker sees its name too, for good. Both would
 * do the job. A list with inserts at the front keeps the first claim instead of the last.
 *
 * <p>Nor {@code jobs.remove(0)}: two workers can remove index 0 of their own copies at once, get
 * the same job, and the parent then removes two different elements.
 */
public final class Worker {
    private Worker() {
    }

    /**
     * Runs one worker.
     *
     * @param args the worker's number, e.g. {@code 1}; it is called {@code worker-1}
     */
    public static void main(String[] args) {
        String me = "worker-" + (args.length > 0 ? args[0] : ProcessHandle.current().pid());
        // a process must register a class before it reads or writes a value of it
        IPOS.registerClass(Job.class);
        IPOS.registerClass(JobResult.class);
        IPOS ipos = IPOS.connect();
        // from here on System.out prints to stderr: stdout carries the link

        SharedList<Job> jobs = ipos.get(WorkQueueDemo.JOBS);
        SharedMap<Integer, List<String>> claims = ipos.get(WorkQueueDemo.CLAIMS);
        SharedMap<Integer, JobResult> results = ipos.get(WorkQueueDemo.RESULTS);
        SharedMap<String, Integer> progress = ipos.get(WorkQueueDemo.PROGRESS);
        SharedMap<String, Integer> lost = ipos.get(WorkQueueDemo.LOST_CLAIMS);

        int done = 0;
        int racesLost = 0;
        try {
            while (ipos.get(WorkQueueDemo.GO) == null && ipos.isConnected()) {
                Thread.sleep(5); // the parent creates "go" once every worker is connected
            }
            for (Job job : jobs) { // iterates over a snapshot of the list
                if (!ipos.isConnected()) {
                    break;
                }
                List<String> claimants = claims.get(job.id());
                if (!claimants.isEmpty()) {
                    continue; // claimed already: its first claimant does it
                }
                claimants.add(0, me);
                ipos.flush().join();
                if (!me.equals(claimants.get(claimants.size() - 1))) {
                    racesLost++;
                    lost.put(me, racesLost);
                    continue; // another worker's claim reached the parent first
                }
                long start = System.nanoTime();
                long hash = job.run();
                long millis = (System.nanoTime() - start) / 1_000_000;
                results.put(job.id(), new JobResult(job.id(), me, hash, millis));
                done++;
                progress.put(me, done); // each worker writes only its own key
            }
            ipos.flush().join(); // our results are applied at the parent before we exit
        } catch (CompletionException e) {
            // the parent went away: flush() fails, and the state we hold stays readable
            System.out.println(me + ": stopped, " + (e.getCause() instanceof IposException ie ? ie.getMessage() : e));
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        System.out.println(me + ": finished, jobs done: " + done + ", claim races lost: " + racesLost);
        ipos.close();
    }
}
