package io.ipos.serialization;

/**
 * Decoder over one byte range, usually a frame body.
 *
 * <p>Every method that reads throws {@link WireException} on malformed or truncated input, and
 * never any other exception: a reader never reads outside its range, and it never allocates from
 * a count or length it has not checked against the bytes that remain. When a read fails, the
 * reader's position is undefined; reset it before reading on.
 *
 * <p>Not thread-safe.
 */
public interface ValueReader {

    /**
     * Points the reader at a new byte range. The bytes are not copied: do not change them while
     * reading. Decoding frame bodies into one reusable array at offset 0 is the cheapest pattern:
     * the msgpack reader then resets without allocating; any other range costs it a small wrapper.
     *
     * @param buf the bytes
     * @param off where the range starts
     * @param len how many bytes it has
     * @throws IndexOutOfBoundsException if the range is not inside {@code buf}
     */
    void reset(byte[] buf, int off, int len);

    /**
     * Tells whether bytes are left in the range.
     *
     * @return {@code true} if another element may follow
     */
    boolean hasNext();

    /**
     * Peeks at the kind of the next element without consuming it.
     *
     * @return the kind of the next element
     * @throws WireException if the range is exhausted or the next element is of a type outside the
     *                       ipos value model (a MessagePack map or extension, for example); an
     *                       unsigned integer above {@link Long#MAX_VALUE} is {@link ValueKind#INTEGER}
     *                       but {@link #readLong()} rejects it
     */
    ValueKind nextKind();

    /**
     * Consumes a nil element.
     *
     * @throws WireException if the next element is not nil, or the range is exhausted
     */
    void readNil();

    /**
     * Reads a boolean.
     *
     * @return the value
     * @throws WireException if the next element is not a boolean, or the range is exhausted
     */
    boolean readBoolean();

    /**
     * Reads an integer.
     *
     * @return the value
     * @throws WireException if the next element is not an integer, does not fit in a long, or is truncated
     */
    long readLong();

    /**
     * Reads an integer that must fit in an int.
     *
     * @return the value
     * @throws WireException if the next element is not an integer, does not fit in an int, or is truncated
     */
    int readInt();

    /**
     * Reads a 32-bit float; a 64-bit float is not accepted.
     *
     * @return the value
     * @throws WireException if the next element is not a float32, or is truncated
     */
    float readFloat();

    /**
     * Reads a 64-bit float; a 32-bit float is not accepted.
     *
     * @return the value
     * @throws WireException if the next element is not a float64, or is truncated
     */
    double readDouble();

    /**
     * Reads a string. Malformed UTF-8 is decoded with replacement characters in msgpack and chronicle;
     * in json it makes the body malformed.
     *
     * @return the value
     * @throws WireException if the next element is not a string, or its length exceeds the bytes left
     */
    String readString();

    /**
     * Reads a byte string into a new array.
     *
     * @return the bytes
     * @throws WireException if the next element is not a byte string, or its length exceeds the bytes left
     */
    byte[] readBinary();

    /**
     * Reads an array header.
     *
     * @return the number of elements that follow
     * @throws WireException if the next element is not an array, or its count exceeds the bytes left
     *                       (every element takes at least one byte)
     */
    int readArrayHeader();

    /**
     * Skips one whole element, an array with all its elements included.
     *
     * @throws WireException if the element is malformed, truncated or of an unsupported type
     */
    void skipValue();

    /**
     * Returns the offset of the next element.
     *
     * @return the offset relative to the start of the range
     */
    int position();
}
