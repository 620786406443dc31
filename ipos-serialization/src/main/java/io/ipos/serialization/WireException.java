package io.ipos.serialization;

/**
 * Bytes that are not a well-formed value, with the offset where the problem was found.
 *
 * <p>The offset is relative to the start of the byte range the {@link ValueReader} was reset to
 * (usually a frame body). {@link #getMessage()} always ends with {@code "at offset N"}.
 */
public class WireException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Where in the byte range the problem was found. */
    private final int offset;

    /**
     * Creates an exception for malformed input.
     *
     * @param message what is wrong, without the offset (it is appended)
     * @param offset  where in the byte range the problem was found
     */
    public WireException(String message, int offset) {
        super(message + " at offset " + offset);
        this.offset = offset;
    }

    /**
     * Creates an exception for malformed input that a lower layer detected.
     *
     * @param message what is wrong, without the offset (it is appended)
     * @param offset  where in the byte range the problem was found
     * @param cause   the exception of the lower layer
     */
    public WireException(String message, int offset, Throwable cause) {
        super(message + " at offset " + offset, cause);
        this.offset = offset;
    }

    /**
     * Returns where in the byte range the problem was found.
     *
     * @return the offset, relative to the start of the range
     */
    public int offset() {
        return offset;
    }
}
