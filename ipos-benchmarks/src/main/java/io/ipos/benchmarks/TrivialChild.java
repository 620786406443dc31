package io.ipos.benchmarks;

/**
 * The baseline side of {@code connect.overhead}: a JVM whose {@code main} only writes one byte
 * to stdout, so the parent sees the moment {@code main} ends.
 */
public final class TrivialChild {
    private TrivialChild() {
    }

    /**
     * Writes one byte and returns.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.write('.');
        System.out.flush();
    }
}
