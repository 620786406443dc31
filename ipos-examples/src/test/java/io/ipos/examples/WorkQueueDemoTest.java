package io.ipos.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the demo end to end with real worker JVMs, fewer and shorter jobs. */
class WorkQueueDemoTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyJobGetsExactlyOneResult() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WorkQueueDemo.Summary s;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            s = WorkQueueDemo.run(12, 3, 200_000, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.ok(), () -> s.problems() + "\n" + output);

        List<Integer> ids = IntStream.range(0, 12).boxed().collect(Collectors.toList());
        assertEquals(ids, List.copyOf(s.results().keySet()), output);
        s.results().forEach((id, r) -> {
            assertEquals(id, r.job());
            assertEquals(WorkQueueDemo.job(id, 200_000).run(), r.hash(), "hash of job " + id);
        });
        // the workers' own counts add up to the number of jobs: no job was done twice
        assertEquals(12, s.jobsDone().values().stream().mapToInt(Integer::intValue).sum(), output);
        Map<String, Long> perWorker = s.results().values().stream()
                .collect(Collectors.groupingBy(JobResult::worker, Collectors.counting()));
        s.jobsDone().forEach((w, n) -> assertEquals(n.longValue(), perWorker.getOrDefault(w, 0L), w));
        assertEquals(List.of(0, 0, 0), s.exitCodes());
        // the progress view is drawn by a listener: the last change it was called for is the 12th job
        assertTrue(output.contains(" 12/12 done "), output);
        assertTrue(output.contains("every job has exactly one result"), output);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void claimRacesOverInstantJobsStillGiveOneResultPerJob() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WorkQueueDemo.Summary s;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            s = WorkQueueDemo.run(150, 3, 0, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.ok(), () -> s.problems() + "\n" + output);
        assertEquals(150, s.results().size(), output);
        assertEquals(150, s.jobsDone().values().stream().mapToInt(Integer::intValue).sum(), output);
    }
}
