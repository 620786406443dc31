package io.ipos;

/**
 * A failure of the link between processes, of the protocol, or of a value that arrived from
 * another process: a peer that could not be reached or vanished, a frame that is corrupt or of
 * the wrong version, a value whose class is not registered here.
 *
 * <p>The message names the link (for example {@code child pid 4242}), the frame or operation and,
 * where it helps, what to do about it.
 */
public class IposException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what happened and where
     */
    public IposException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the failure that caused it.
     *
     * @param message what happened and where
     * @param cause the underlying failure
     */
    public IposException(String message, Throwable cause) {
        super(message, cause);
    }
}
