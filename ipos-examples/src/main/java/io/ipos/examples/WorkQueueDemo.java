package io.ipos.examples;

import io.ipos.Access;
import io.ipos.IPOS;
import io.ipos.SharedMap;
import io.ipos.Subscription;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A work queue shared by a parent and three child JVMs.
 *
 * <p>The parent creates four fields: {@code jobs}, a list of {@link Job}s; {@code claims}, a map
 * from job id to a list of the workers that claimed it; {@code results}, a map from job id to
 * {@link JobResult}; {@code progress}, jobs done per worker (and {@code lostClaims}, claim races
 * lost per worker). It spawns the {@link Worker}s, named {@code worker-1}, {@code worker-2}...,
 * creates field {@code go} once all are connected, and they claim and do the jobs (see
 * {@link Worker} for why each job is done exactly once), prints a line whenever {@code progress}
 * changes (a listener on {@code progress} redraws the line from each change; nothing polls) and
 * whenever a peer joins or leaves, waits for the workers to exit, checks the results and prints a
 * summary.
 *
 * <p>It also listens, at a Unix socket in a directory of its own under {@code java.io.tmpdir}, and
 * prints the read-only address and the command that runs a {@link Dashboard} against it from
 * another terminal. With {@code --wait-for-dashboard} it waits for the dashboard to join before it
 * starts the workers, so that the dashboard sees the whole run.
 *
 * <p>Run it from the repository root with {@code mvn -q -DskipTests package exec:exec} (arguments:
 * {@code -Ddemo.args="40 3 --wait-for-dashboard"}), or with arguments
 * {@code [jobs [workers]] [--wait-for-dashboard]} on the class path of this module.
 */
public final class WorkQueueDemo {
    static final String JOBS = "jobs";
    static final String CLAIMS = "claims";
    static final String RESULTS = "results";
    static final String PROGRESS = "progress";
    static final String LOST_CLAIMS = "lostClaims";
    static final String GO = "go";

    /** Hash rounds of the shortest job: about 50 ms on a 2020s x86 core; the longest has 1.8 times as many. */
    public static final int DEFAULT_ROUNDS = 10_000_000;

    private static final Duration DEADLINE = Duration.ofMinutes(2);
    /** How long {@code --wait-for-dashboard} waits before it starts without one. */
    private static final Duration DASHBOARD_WAIT = Duration.ofMinutes(10);

    private WorkQueueDemo() {
    }

    /**
     * What a run of the demo produced, read from the parent's copy of the shared state after
     * every worker exited.
     *
     * @param jobs how many jobs there were
     * @param results the {@code results} map: job id to what was reported for it
     * @param jobsDone the {@code progress} map: jobs each worker says it did
     * @param lostClaims claim races each worker lost (absent: none)
     * @param elapsed from starting the first worker to the last worker's exit
     * @param exitCodes the workers' exit codes, in spawn order
     * @param problems what the checks found wrong; empty when every job got exactly one result
     */
    public record Summary(int jobs, Map<Integer, JobResult> results, Map<String, Integer> jobsDone,
            Map<String, Integer> lostClaims, Duration elapsed, List<Integer> exitCodes, List<String> problems) {

        /** @return whether every job was done exactly once and every worker exited with 0 */
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Runs the demo with 40 jobs and 3 workers, or {@code [jobs [workers]] [--wait-for-dashboard]},
     * and exits 0 when every job got exactly one result. The workers print into this process's
     * stdout.
     *
     * @param args optional job and worker counts, and {@code --wait-for-dashboard}
     * @throws Exception if a worker can't be started
     */
    public static void main(String[] args) throws Exception {
        List<Integer> counts = new ArrayList<>();
        boolean waitForDashboard = false;
        for (String a : args) {
            if (a.equals("--wait-for-dashboard")) {
                waitForDashboard = true;
            } else if (!a.isEmpty()) {
                counts.add(Integer.parseInt(a));
            }
        }
        int jobs = counts.size() > 0 ? counts.get(0) : 40;
        int workers = counts.size() > 1 ? counts.get(1) : 3;
        Summary summary = run(jobs, workers, DEFAULT_ROUNDS, waitForDashboard, Redirect.INHERIT, System.out);
        System.exit(summary.ok() ? 0 : 1);
    }

    /**
     * Runs the whole demo, the workers' stdout discarded and no wait for a dashboard. See
     * {@link #run(int, int, int, boolean, Redirect, PrintStream)}.
     *
     * @param jobCount how many jobs
     * @param workerCount how many worker processes
     * @param rounds hash rounds of the shortest job (see {@link #DEFAULT_ROUNDS})
     * @param out where progress and the summary go
     * @return what happened
     * @throws IOException if a worker can't be started
     * @throws InterruptedException if interrupted while waiting for the workers
     */
    public static Summary run(int jobCount, int workerCount, int rounds, PrintStream out)
            throws IOException, InterruptedException {
        return run(jobCount, workerCount, rounds, false, Redirect.DISCARD, out);
    }

    /**
     * Runs the whole demo: shares the jobs, listens for a dashboard, spawns the workers, reports
     * progress on {@code out}, waits for the workers to exit and checks the results.
     *
     * @param jobCount how many jobs
     * @param workerCount how many worker processes
     * @param rounds hash rounds of the shortest job (see {@link #DEFAULT_ROUNDS})
     * @param waitForDashboard whether to wait (up to 10 minutes) for a {@link Dashboard} to join
     *     before starting the workers
     * @param workerOutput where the workers' stdout goes: a spawned child links over a socket of its
     *     own, so its stdout is free ({@code INHERIT}: this process's)
     * @param out where progress and the summary go
     * @return what happened
     * @throws IOException if a worker can't be started, or the demo can't listen
     * @throws InterruptedException if interrupted while waiting for the workers
     */
    public static Summary run(int jobCount, int workerCount, int rounds, boolean waitForDashboard,
            Redirect workerOutput, PrintStream out) throws IOException, InterruptedException {
        if (jobCount < 1 || workerCount < 1 || rounds < 0) {
            throw new IllegalArgumentException("jobCount=" + jobCount + ", workerCount=" + workerCount
                    + ", rounds=" + rounds + ": need at least one job and one worker");
        }
        IPOS.registerClass(Job.class);
        IPOS.registerClass(JobResult.class);
        long start = System.nanoTime();
        // where a dashboard joins: a socket in a directory only this user can enter, removed at the end
        Path dir = Files.createTempDirectory("ipos-workqueue-");
        try (IPOS ipos = IPOS.options().listen("unix:" + dir.resolve("demo.sock")).start()) {
            List<Job> jobList = new ArrayList<>();
            Map<Integer, List<String>> claimLists = new LinkedHashMap<>();
            for (int id = 0; id < jobCount; id++) {
                jobList.add(job(id, rounds));
                claimLists.put(id, List.of()); // becomes a nested shared list
            }
            Map<String, Integer> zeroes = new LinkedHashMap<>();
            for (int w = 1; w <= workerCount; w++) {
                zeroes.put("worker-" + w, 0);
            }
            ipos.create(JOBS, jobList);
            SharedMap<Integer, List<String>> claims = ipos.create(CLAIMS, claimLists);
            SharedMap<Integer, JobResult> results = ipos.create(RESULTS, Map.of());
            SharedMap<String, Integer> progress = ipos.create(PROGRESS, zeroes);
            SharedMap<String, Integer> lost = ipos.create(LOST_CLAIMS, Map.of());
            out.printf("sharing %d jobs with %d workers%n", jobCount, workerCount);
            printDashboardCommand(ipos.address(Access.READ_ONLY), out);

            // who comes and goes: the workers, and any dashboard
            CountDownLatch dashboard = new CountDownLatch(1);
            Subscription peers = ipos.onPeer(e -> {
                out.printf("%5.1f s  %s %s%n", seconds(start), e.peer().name(), e.joined() ? "joined" : "left");
                if (e.joined() && e.peer().name().equals(Dashboard.NAME)) {
                    dashboard.countDown();
                }
            });
            if (waitForDashboard) {
                out.println("waiting for the dashboard to join before starting the workers");
                if (!dashboard.await(DASHBOARD_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    out.println("no dashboard joined within " + DASHBOARD_WAIT.toMinutes() + " minutes: starting without one");
                }
            }

            long workersStart = System.nanoTime();
            List<Process> workers = new ArrayList<>();
            for (int w = 1; w <= workerCount; w++) {
                workers.add(ipos.spawn(IPOS.javaProcess(Worker.class, String.valueOf(w)).redirectOutput(workerOutput)));
            }
            // the progress view: a copy of `progress` kept from its change events alone (remove the
            // removed keys, put the added ones), redrawn on the instance's event thread after every change
            Map<String, Integer> shown = new TreeMap<>(progress);
            out.printf("%5.1f s  %s%n", seconds(start), progressLine(shown, jobCount));
            Subscription redraw = progress.onChange(change -> {
                shown.keySet().removeAll(change.removed().keySet());
                shown.putAll(change.added());
                out.printf("%5.1f s  %s%n", seconds(start), progressLine(shown, jobCount));
            });
            ipos.create(GO, Boolean.TRUE); // all workers start together, so they race for the first jobs

            // the listener draws the progress meanwhile; this thread only waits for the workers to exit
            try {
                CompletableFuture.allOf(workers.stream().map(Process::onExit).toArray(CompletableFuture[]::new))
                        .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // past the deadline: the workers still running are stopped below, the checks say what is missing
            }

            List<Integer> exitCodes = new ArrayList<>();
            for (Process p : workers) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
                exitCodes.add(p.exitValue());
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - workersStart);
            // every worker flushed before it exited, so its writes are all applied here; this flush
            // returns once the listeners have drawn all of them
            ipos.flush().join();
            redraw.close();
            peers.close();
            Map<String, Integer> done = new TreeMap<>(progress);
            Summary summary = new Summary(jobCount, new TreeMap<>(results), done, new TreeMap<>(lost), elapsed,
                    exitCodes, check(jobCount, results, done, claims, exitCodes));
            printSummary(summary, out);
            return summary;
        } finally {
            Files.deleteIfExists(dir.resolve("demo.sock"));
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Prints how to watch this run from another terminal: the {@code mvn} form for the repository
     * root, and a {@code java} form with this process's own class path for anywhere on this host.
     */
    private static void printDashboardCommand(String address, PrintStream out) {
        out.println("watch it live from another terminal (a read-only dashboard), in the repository root:");
        out.println("  mvn -q compile exec:exec -Ddemo.main=" + Dashboard.class.getName() + " -Ddemo.args='" + address + "'");
        out.println("or from anywhere on this host:");
        out.println("  " + Path.of(System.getProperty("java.home"), "bin", "java") + " -cp '"
                + System.getProperty("java.class.path") + "' " + Dashboard.class.getName() + " '" + address + "'");
    }

    /** Job {@code id} of a run: between 1 and 1.8 times {@code rounds} rounds. */
    static Job job(int id, int rounds) {
        return new Job(id, 0x9E3779B97F4A7C15L * (id + 1), rounds + rounds / 10 * (id * 7 % 9));
    }

    /** Every job has a result, whose worker won the job's claim; no worker did a job twice. */
    private static List<String> check(int jobCount, Map<Integer, JobResult> results, Map<String, Integer> done,
            Map<Integer, List<String>> claims, List<Integer> exitCodes) {
        List<String> problems = new ArrayList<>();
        Map<String, Integer> resultsPerWorker = new TreeMap<>();
        for (int id = 0; id < jobCount; id++) {
            JobResult r = results.get(id);
            List<String> claimants = claims.get(id);
            if (r == null) {
                problems.add("job " + id + " has no result (claims: " + claimants + ")");
                continue;
            }
            resultsPerWorker.merge(r.worker(), 1, Integer::sum);
            String winner = claimants.isEmpty() ? null : claimants.get(claimants.size() - 1);
            if (!r.worker().equals(winner)) {
                problems.add("job " + id + " was reported by " + r.worker() + " but " + winner + " won its claim");
            }
        }
        if (results.size() != jobCount) {
            problems.add(results.size() + " results for " + jobCount + " jobs");
        }
        for (Map.Entry<String, Integer> e : done.entrySet()) {
            int named = resultsPerWorker.getOrDefault(e.getKey(), 0);
            if (named != e.getValue()) {
                problems.add(e.getKey() + " did " + e.getValue() + " jobs but " + named
                        + " results name it: a job was done twice");
            }
        }
        for (int i = 0; i < exitCodes.size(); i++) {
            if (exitCodes.get(i) != 0) {
                problems.add("worker-" + (i + 1) + " exited with " + exitCodes.get(i));
            }
        }
        return problems;
    }

    private static void printSummary(Summary s, PrintStream out) {
        out.printf("%d of %d jobs done in %.1f s by %d workers%n", s.results().size(), s.jobs(),
                s.elapsed().toMillis() / 1000.0, s.jobsDone().size());
        for (Map.Entry<String, Integer> e : s.jobsDone().entrySet()) {
            long millis = s.results().values().stream()
                    .filter(r -> r.worker().equals(e.getKey())).mapToLong(JobResult::millis).sum();
            int lost = s.lostClaims().getOrDefault(e.getKey(), 0);
            out.printf("  %-9s %3d jobs  %6d ms of work  %d claim race%s lost%n", e.getKey(), e.getValue(), millis,
                    lost, lost == 1 ? "" : "s");
        }
        if (s.ok()) {
            out.println("every job has exactly one result");
        } else {
            s.problems().forEach(p -> out.println("PROBLEM: " + p));
        }
    }

    static String progressLine(Map<String, Integer> progress, int jobCount) {
        StringBuilder line = new StringBuilder(String.format("%3d/%d done ", sum(progress), jobCount));
        progress.forEach((worker, n) -> line.append(String.format("  %s: %2d", worker, n)));
        return line.toString();
    }

    static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
