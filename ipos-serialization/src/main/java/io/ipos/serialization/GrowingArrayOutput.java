package io.ipos.serialization;

import java.util.Arrays;
import org.msgpack.core.buffer.MessageBuffer;
import org.msgpack.core.buffer.MessageBufferOutput;

/**
 * The output behind {@link MsgpackWriter}: one growable array holding everything flushed since the
 * last clear, plus one scratch buffer that the packer fills between flushes.
 *
 * <p>The packer drops its buffer on every flush and asks {@link #next(int)} for another; handing
 * back the same scratch buffer (its bytes were already appended) keeps a warmed-up writer free of
 * allocation. Large payloads bypass the scratch buffer through {@link #write(byte[], int, int)}.
 */
final class GrowingArrayOutput implements MessageBufferOutput {
    private static final int SCRATCH_SIZE = 8192;
    private static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8;

    private byte[] scratchArray = new byte[SCRATCH_SIZE];
    private MessageBuffer scratch = MessageBuffer.wrap(scratchArray);
    private byte[] data = new byte[256];
    private int size;

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
    public MessageBuffer next(int minimumSize) {
        if (scratchArray.length < minimumSize) {
            scratchArray = new byte[Math.max(minimumSize, scratchArray.length * 2)];
            scratch = MessageBuffer.wrap(scratchArray);
        }
        return scratch;
    }

    @Override
    public void writeBuffer(int length) {
        append(scratchArray, 0, length);
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
        append(buffer, offset, length);
    }

    @Override
    public void add(byte[] buffer, int offset, int length) {
        append(buffer, offset, length);
    }

    private void append(byte[] src, int off, int len) {
        int end = size + len;
        if (end > data.length || end < 0) {
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

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
