package io.ipos;

/**
 * What a peer may do with the shared state: given by the parent to a process it spawns or adds
 * ({@link IPOS#spawn(ProcessBuilder, Access)}, {@link IPOS#addProcess(Process, Access)}), or
 * carried by the address a joiner uses ({@link IPOS#address(Access)}).
 */
public enum Access {
    /** Reads, observes and writes everything: the default. */
    READ_WRITE,
    /**
     * Receives and observes everything but writes nothing: a write through its collections, and
     * {@code create}, {@code delete} and {@code atomic}, throw {@link UnsupportedOperationException}
     * there; a write frame it sends anyway drops its link and changes nothing. Messages and calls
     * are not writes and stay allowed.
     */
    READ_ONLY
}
