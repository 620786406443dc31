package io.ipos.serialization;

import java.util.Arrays;
import java.util.Objects;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.BinaryWire;
import net.openhft.chronicle.wire.ValueOut;

/**
 * {@link ValueWriter} on a Chronicle {@link BinaryWire} in fixed mode over elastic on-heap
 * {@link Bytes}.
 *
 * <p>Nil, booleans, floats and strings go through BinaryWire's {@link ValueOut}; fixed mode keeps
 * a float32 a float32 and a float64 a float64 (compact mode would turn {@code 2.0} into an integer
 * and {@code 1.5f} into the same bytes as {@code 1.5}). Integers, byte strings and arrays are
 * written by hand in BinaryWire's codes, so that each integer takes its smallest code and an array
 * header can be written before its elements: an array is a BinaryWire sequence, a byte length and
 * the elements, so the writer reserves a 4-byte length, patches it once the last element is written,
 * and shrinks the header to one length byte when the elements take fewer than 256 bytes.
 */
final class ChronicleWriter implements ValueWriter {
    static final int BYTES_LENGTH8 = 0x80;
    static final int BYTES_LENGTH16 = 0x81;
    static final int BYTES_LENGTH32 = 0x82;
    static final int U8_ARRAY = 0x8A;
    static final int FLOAT32 = 0x90;
    static final int FLOAT64 = 0x91;
    static final int UINT8 = 0xA1;
    static final int UINT16 = 0xA2;
    static final int UINT32 = 0xA3;
    static final int INT8 = 0xA4;
    static final int INT16 = 0xA5;
    static final int INT32 = 0xA6;
    static final int INT64 = 0xA7;
    static final int FALSE = 0xB0;
    static final int TRUE = 0xB1;
    static final int STRING_ANY = 0xB8;
    static final int NULL = 0xBB;
    static final int STRING_0 = 0xE0;

    private final Bytes<byte[]> bytes = Bytes.allocateElasticOnHeap(256);
    private final ValueOut out;
    /** For each open array: where its header starts, and how many elements it still expects. */
    private long[] headerAt = new long[16];
    private int[] remaining = new int[16];
    private int depth;

    ChronicleWriter() {
        // a writer may be handed from thread to thread (never used by two at once)
        bytes.singleThreadedCheckDisabled(true);
        out = new BinaryWire(bytes, true, false, true, Integer.MAX_VALUE, "binary").getValueOut();
    }

    @Override
    public void reset() {
        bytes.clear();
        depth = 0;
    }

    @Override
    public void writeNil() {
        out.nu11();
        elementDone();
    }

    @Override
    public void writeBoolean(boolean v) {
        bytes.writeUnsignedByte(v ? TRUE : FALSE);
        elementDone();
    }

    @Override
    public void writeLong(long v) {
        if (v >= 0 && v <= 0x7f) {
            bytes.writeUnsignedByte((int) v);
        } else if (v == (byte) v) {
            bytes.writeUnsignedByte(INT8).writeByte((byte) v);
        } else if (v >= 0 && v <= 0xff) {
            bytes.writeUnsignedByte(UINT8).writeUnsignedByte((int) v);
        } else if (v == (short) v) {
            bytes.writeUnsignedByte(INT16).writeShort((short) v);
        } else if (v >= 0 && v <= 0xffff) {
            bytes.writeUnsignedByte(UINT16).writeUnsignedShort((int) v);
        } else if (v == (int) v) {
            bytes.writeUnsignedByte(INT32).writeInt((int) v);
        } else if (v >= 0 && v <= 0xffff_ffffL) {
            bytes.writeUnsignedByte(UINT32).writeUnsignedInt(v);
        } else {
            bytes.writeUnsignedByte(INT64).writeLong(v);
        }
        elementDone();
    }

    @Override
    public void writeFloat(float v) {
        out.float32(v);
        elementDone();
    }

    @Override
    public void writeDouble(double v) {
        out.float64(v);
        elementDone();
    }

    @Override
    public void writeString(String v) {
        Objects.requireNonNull(v, "v");
        out.text(v);
        elementDone();
    }

    @Override
    public void writeBinary(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        writeLength(len + 1L);
        bytes.writeUnsignedByte(U8_ARRAY);
        bytes.write(b, off, len);
        elementDone();
    }

    /** BinaryWire's length header, in its smallest form. */
    private void writeLength(long n) {
        if (n < 1 << 8) {
            bytes.writeUnsignedByte(BYTES_LENGTH8).writeUnsignedByte((int) n);
        } else if (n < 1 << 16) {
            bytes.writeUnsignedByte(BYTES_LENGTH16).writeUnsignedShort((int) n);
        } else if (n <= Integer.MAX_VALUE) {
            bytes.writeUnsignedByte(BYTES_LENGTH32).writeInt((int) n);
        } else {
            throw new IllegalStateException("length=" + n + " exceeds maxLength=" + Integer.MAX_VALUE);
        }
    }

    @Override
    public void writeArrayHeader(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n < 0: " + n);
        }
        if (n == 0) {
            bytes.writeUnsignedByte(BYTES_LENGTH8).writeUnsignedByte(0);
            elementDone();
            return;
        }
        if (depth == remaining.length) {
            remaining = Arrays.copyOf(remaining, depth * 2);
            headerAt = Arrays.copyOf(headerAt, depth * 2);
        }
        headerAt[depth] = bytes.writePosition();
        remaining[depth++] = n;
        bytes.writeUnsignedByte(BYTES_LENGTH32).writeInt(0);
    }

    /** Counts a finished element against the open arrays, closing each one that is now complete. */
    private void elementDone() {
        while (depth > 0) {
            if (--remaining[depth - 1] > 0) {
                return;
            }
            depth--;
            close(headerAt[depth]);
        }
    }

    private void close(long header) {
        long content = header + 5;
        long end = bytes.writePosition();
        long n = end - content;
        if (n < 1 << 8) {
            byte[] a = bytes.underlyingObject();
            System.arraycopy(a, (int) content, a, (int) header + 2, (int) n);
            bytes.writeUnsignedByte(header, BYTES_LENGTH8);
            bytes.writeUnsignedByte(header + 1, (int) n);
            bytes.writePosition(end - 3);
        } else if (n <= Integer.MAX_VALUE) {
            bytes.writeInt(header + 1, (int) n);
        } else {
            throw new IllegalStateException("array of length=" + n + " exceeds maxLength=" + Integer.MAX_VALUE);
        }
    }

    @Override
    public int size() {
        return (int) bytes.writePosition();
    }

    @Override
    public void copyTo(byte[] dst, int dstOff) {
        int n = size();
        System.arraycopy(bytes.underlyingObject(), 0, dst, dstOff, n);
    }

    @Override
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes.underlyingObject(), size());
    }
}
