package io.ipos.examples;

import io.ipos.IPOS;
import io.ipos.IposException;
import io.ipos.SharedList;
import io.ipos.SharedMap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The child program of {@link WorkQueueDemo}: joins the parent, waits for field {@code go} (with a
 * listener that counts down a latch when the field appears, see {@code Await}), takes
 * jobs from the shared {@code jobs} list, claims each one before doing it, reports into {@code results} and bumps its
 * own counter in {@code progress}. Started with {@code ipos.spawn(IPOS.javaProcess(Worker.class, "1"))},
 * it joins as the peer {@code worker-1}.
 *
 * <p>{@code worker-1} first shells out with {@code inheritIO()} ({@code java --version}, which prints
 * to stdout): a spawned child links over a private socket, so its stdin and stdout are its own and a
 * program it starts may share them. (Over stdin/stdout, with {@code -Dipos.childLink=stdio}, that
 * output would land in the link and the parent would drop this worker: then it doesn't.)
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
 * <p>{@code claims.putIfAbsent(j, me)} and a check after {@code flush()} would be just as airtight:
 * {@code putIfAbsent} travels as a conditional op that the parent decides when it applies it (see
 * the README, "Conditional writes are decided by the parent"). Of two workers that both find the key
 * absent in their own copy, the first claim to reach the parent wins in every process; the later
 * one changes nothing there, and its writer re-bases onto the winner, so after {@code flush()} each
 * worker sees the winner's name. What would not work is a plain {@code claims.put(j, me)}: a plain
 * put is last-writer-wins, so the later claim would overwrite the earlier after the first claimant
 * had already seen its own name. The list shows the other tool, ordering by explicit index 0 and
 * {@code flush()}, and keeps every claim, which the parent's check quotes when a job has no result.
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
        IPOS ipos = IPOS.options().name(me).connect();
        if (me.equals("worker-1")) {
            shellOut(me);
        }

        SharedList<Job> jobs = ipos.get(WorkQueueDemo.JOBS);
        SharedMap<Integer, List<String>> claims = ipos.get(WorkQueueDemo.CLAIMS);
        SharedMap<Integer, JobResult> results = ipos.get(WorkQueueDemo.RESULTS);
        SharedMap<String, Integer> progress = ipos.get(WorkQueueDemo.PROGRESS);
        SharedMap<String, Integer> lost = ipos.get(WorkQueueDemo.LOST_CLAIMS);

        int done = 0;
        int racesLost = 0;
        try {
            Await.field(ipos, WorkQueueDemo.GO); // the parent creates "go" once every worker is connected
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

    /**
     * Runs {@code java --version} with this process's stdin, stdout and stderr, if the link to the
     * parent is a socket ({@code spawn} put its address in {@code IPOS_ADDRESS}), not stdin/stdout.
     */
    private static void shellOut(String me) {
        if (System.getenv("IPOS_ADDRESS") == null) {
            System.out.println(me + ": linked over stdin/stdout, so not shelling out with inheritIO()");
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        System.out.println(me + ": shelling out with inheritIO(): java --version");
        try {
            int exit = new ProcessBuilder(java, "--version").inheritIO().start().waitFor();
            System.out.println(me + ": java --version exited with " + exit + "; the link to the parent is untouched");
        } catch (IOException e) {
            System.out.println(me + ": could not run java --version: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
