package io.ipos.serialization;

import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A growable in-memory {@link OutputStream} that is cleared and reused between frames, so that a
 * warmed-up writer allocates nothing for its output. Unlike {@code ByteArrayOutputStream} it is not
 * synchronized and exposes its array.
 */
final class ByteSink extends OutputStream {
    private static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

    private byte[] data;
    private int size;

    ByteSink(int initialCapacity) {
        data = new byte[initialCapacity];
    }

    int size() {
        return size;
    }

    byte[] data() {
        return data;
    }

    void clear() {
        size = 0;
    }

    @Override
    public void write(int b) {
        if (size == data.length) {
            grow(1);
        }
        data[size++] = (byte) b;
    }

    @Override
    public void write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len > data.length - size) {
            grow(len);
        }
        System.arraycopy(src, off, data, size, len);
        size += len;
    }

    private void grow(int len) {
        long needed = (long) size + len;
        if (needed > MAX_ARRAY_SIZE) {
            throw new IllegalStateException("encoded size=" + needed + " exceeds maxArraySize=" + MAX_ARRAY_SIZE);
        }
        long doubled = Math.min((long) data.length * 2, MAX_ARRAY_SIZE);
        data = Arrays.copyOf(data, (int) Math.max(needed, doubled));
    }
}
