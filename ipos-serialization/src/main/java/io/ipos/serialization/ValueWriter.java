package io.ipos.serialization;

/**
 * Reusable encoder that writes wire elements into an internal growable buffer.
 *
 * <p>Typical use: {@link #reset()}, write the elements of one frame body, then {@link #size()}
 * and {@link #copyTo(byte[], int)} them into the outgoing buffer. The buffer is kept between
 * frames, so a warmed-up writer allocates nothing but what a value itself needs (for example the
 * UTF-8 bytes of a string). If a caller's code throws half-way through a body, the content is
 * undefined until the next {@link #reset()}.
 *
 * <p>Not thread-safe.
 */
public interface ValueWriter {

    /** Forgets everything written so far; the buffer is kept for reuse. */
    void reset();

    /** Writes the nil element. */
    void writeNil();

    /**
     * Writes a boolean.
     *
     * @param v the value
     */
    void writeBoolean(boolean v);

    /**
     * Writes an integer in the smallest encoding that holds it.
     *
     * @param v the value
     */
    void writeLong(long v);

    /**
     * Writes a 32-bit float (MessagePack float32), keeping the exact bits, NaN payloads included; in
     * every format it reads back as a float32, never as a float64.
     *
     * @param v the value
     */
    void writeFloat(float v);

    /**
     * Writes a 64-bit float (MessagePack float64), keeping the exact bits, NaN payloads included; in
     * every format it reads back as a float64, never as a float32.
     *
     * @param v the value
     */
    void writeDouble(double v);

    /**
     * Writes a string as UTF-8.
     *
     * @param v the value
     * @throws NullPointerException if {@code v} is null
     */
    void writeString(String v);

    /**
     * Writes a byte string; the bytes are copied before this returns.
     *
     * @param b   the bytes
     * @param off the first byte to write
     * @param len how many bytes to write
     * @throws IndexOutOfBoundsException if the range is not inside {@code b}
     */
    void writeBinary(byte[] b, int off, int len);

    /**
     * Writes an array header; the next {@code n} elements written are its elements.
     *
     * @param n the element count
     * @throws IllegalArgumentException if {@code n} is negative
     */
    void writeArrayHeader(int n);

    /**
     * Returns the number of bytes written since the last {@link #reset()}, flushing internal state
     * so that {@link #copyTo(byte[], int)} sees all of them.
     *
     * @return the byte count
     */
    int size();

    /**
     * Copies the {@link #size()} bytes written since the last reset into {@code dst}.
     *
     * @param dst    the destination
     * @param dstOff where in {@code dst} the first byte goes
     * @throws IndexOutOfBoundsException if {@code dst} has less than {@code size()} bytes from {@code dstOff}
     */
    void copyTo(byte[] dst, int dstOff);

    /**
     * Returns a copy of the bytes written since the last reset.
     *
     * @return a new array of {@link #size()} bytes
     */
    byte[] toByteArray();
}
