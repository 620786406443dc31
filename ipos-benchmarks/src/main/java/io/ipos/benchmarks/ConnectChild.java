package io.ipos.benchmarks;

import io.ipos.IPOS;

/** Connects to an ipos parent and returns: the product side of {@code connect.overhead}. */
public final class ConnectChild {
    private ConnectChild() {
    }

    /**
     * Connects and exits.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        IPOS.connect().close();
    }
}
