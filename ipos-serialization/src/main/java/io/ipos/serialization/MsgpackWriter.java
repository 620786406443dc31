package io.ipos.serialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * {@link ValueWriter} on a {@link MessagePacker} that writes into a {@link GrowingArrayOutput}.
 * The output never throws {@link IOException}, so the packer's checked exceptions are impossible;
 * they are rethrown unchecked just in case.
 */
final class MsgpackWriter implements ValueWriter {
    private final GrowingArrayOutput out = new GrowingArrayOutput();
    private final MessagePacker packer = new MessagePack.PackerConfig().newPacker(out);

    MsgpackWriter() {
    }

    @Override
    public void reset() {
        packer.clear();
        out.clear();
    }

    @Override
    public void writeNil() {
        try {
            packer.packNil();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeBoolean(boolean v) {
        try {
            packer.packBoolean(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeLong(long v) {
        try {
            packer.packLong(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeFloat(float v) {
        try {
            packer.packFloat(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeDouble(double v) {
        try {
            packer.packDouble(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeString(String v) {
        Objects.requireNonNull(v, "v");
        try {
            packer.packString(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeBinary(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        try {
            packer.packBinaryHeader(len);
            packer.writePayload(b, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void writeArrayHeader(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n < 0: " + n);
        }
        try {
            packer.packArrayHeader(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int size() {
        try {
            packer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.size();
    }

    @Override
    public void copyTo(byte[] dst, int dstOff) {
        int n = size();
        System.arraycopy(out.data(), 0, dst, dstOff, n);
    }

    @Override
    public byte[] toByteArray() {
        int n = size();
        return Arrays.copyOf(out.data(), n);
    }
}
