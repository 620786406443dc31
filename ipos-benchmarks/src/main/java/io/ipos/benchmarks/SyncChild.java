package io.ipos.benchmarks;

import io.ipos.IPOS;
import io.ipos.SharedMap;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Times its own {@link IPOS#connect(Duration)}, the whole call, with nothing subtracted, and
 * reports it to the parent through the shared map {@code ctl} ({@code connectNanos}, plus
 * {@code size}: how many entries field {@code big} holds here), then exits.
 */
public final class SyncChild {
    private SyncChild() {
    }

    /**
     * Connects, reports and exits.
     *
     * @param args ignored
     * @throws Exception if the link fails
     */
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        IPOS ipos = IPOS.connect(Duration.ofSeconds(60));
        long connectNanos = System.nanoTime() - t0;
        SharedMap<String, Object> ctl = ipos.get("ctl");
        Map<?, ?> big = ipos.get("big");
        ctl.put("size", big == null ? -1 : big.size());
        ctl.put("connectNanos", connectNanos);
        ipos.flush().get(60, TimeUnit.SECONDS);
        ipos.close();
    }
}
