package io.ipos.benchmarks;

import java.util.Arrays;

/** Percentiles and medians over measured samples. */
final class Stats {
    private Stats() {
    }

    /**
     * The nearest-rank percentile: the smallest sample at or above fraction {@code p} of them.
     *
     * @param samples the samples (sorted here, in place)
     * @param p a fraction in (0, 1]
     */
    static long percentile(long[] samples, double p) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("samples is empty");
        }
        Arrays.sort(samples);
        int rank = (int) Math.ceil(p * samples.length);
        return samples[Math.max(0, Math.min(samples.length, rank) - 1)];
    }

    /** The median (the mean of the middle two for an even count). */
    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("values is empty");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** The median of longs, as a double. */
    static double median(long[] values) {
        return median(Arrays.stream(values).asDoubleStream().toArray());
    }
}
