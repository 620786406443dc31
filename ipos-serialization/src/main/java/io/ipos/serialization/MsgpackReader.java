package io.ipos.serialization;

import java.io.IOException;
import java.util.Objects;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessageIntegerOverflowException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageSizeException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.ArrayBufferInput;
import org.msgpack.core.buffer.MessageBuffer;

/**
 * {@link ValueReader} on a {@link MessageUnpacker} over one array range.
 *
 * <p>Before each read the element's format byte is peeked in the array itself, so a wrong kind is
 * reported with what was expected and found; the element's header must fit in the range, and the
 * length of a string, byte string or array is checked against the bytes left before msgpack-core
 * sees it: nothing is ever allocated from an unchecked length, and strings always take
 * msgpack-core's single-buffer fast path. Whatever msgpack-core throws is turned into a
 * {@link WireException} with the element's offset.
 *
 * <p>Because every read is bounds-checked here, msgpack-core may see more of the array than the
 * range: a range at offset 0 of the same array as last time reuses one {@code MessageBuffer} over
 * the whole array, so a frame decoder that reads each body into one reusable array at offset 0
 * resets without allocating. A range of at most 4 KiB elsewhere is first copied to offset 0 of a
 * scratch array, so it resets without allocating too; a bigger one costs a slice of the view.
 */
final class MsgpackReader implements ValueReader {
    private static final byte[] EMPTY = new byte[0];
    /** Bodies up to this size at an offset are read from a copy at offset 0 of {@code scratch}. */
    private static final int SCRATCH_BYTES = 4096;

    private final ArrayBufferInput input = new ArrayBufferInput(EMPTY);
    private final MessageUnpacker unpacker = new MessagePack.UnpackerConfig()
            .withAllowReadingStringAsBinary(false)
            .withAllowReadingBinaryAsString(false)
            .newUnpacker(input);
    /** The array of the last range at offset 0, and msgpack-core's view of all of it. */
    private byte[] wholeArray;
    private MessageBuffer whole;
    private final byte[] scratch = new byte[SCRATCH_BYTES];
    private byte[] buf = EMPTY;
    private int off;
    private int len;

    MsgpackReader() {
    }

    @Override
    public void reset(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (off != 0 && len <= SCRATCH_BYTES) {
            // a small body at an offset (an op inside a read buffer) is copied to offset 0 of a
            // scratch array: cheaper than any new view of msgpack-core's (a slice is a ByteBuffer)
            System.arraycopy(buf, off, scratch, 0, len);
            buf = scratch;
            off = 0;
        }
        this.buf = buf;
        this.off = off;
        this.len = len;
        if (buf != wholeArray) {
            whole = MessageBuffer.wrap(buf);
            wholeArray = buf;
        }
        MessageBuffer range = off == 0 ? whole : whole.slice(off, buf.length - off);
        input.reset(range);
        try {
            unpacker.reset(input);
        } catch (IOException e) {
            throw new IllegalStateException("resetting an in-memory unpacker failed", e);
        }
    }

    @Override
    public boolean hasNext() {
        return position() < len;
    }

    @Override
    public int position() {
        return (int) unpacker.getTotalReadBytes();
    }

    @Override
    public ValueKind nextKind() {
        int at = position();
        return kindOf(peekFormat(at), at);
    }

    @Override
    public void readNil() {
        int at = expect(ValueKind.NIL);
        try {
            unpacker.unpackNil();
        } catch (IOException | RuntimeException e) {
            throw failure(at, e);
        }
    }

    @Override
    public boolean readBoolean() {
        int at = expect(ValueKind.BOOLEAN);
        try {
            return unpacker.unpackBoolean();
        } catch (IOException | RuntimeException e) {
            throw failure(at, e);
        }
    }

    @Override
    public long readLong() {
        int at = expect(ValueKind.INTEGER);
        try {
            return unpacker.unpackLong();
        } catch (IOException | RuntimeException e) {
            throw failure(at, e);
        }
    }

    @Override
    public int readInt() {
        int at = expect(ValueKind.INTEGER);
        try {
            return unpacker.unpackInt();
        } catch (IOException | RuntimeException e) {
            throw failure(at, e);
        }
    }

    @Override
    public float readFloat() {
        int at = expect(ValueKind.FLOAT32);
        try {
            return unpacker.unpackFloat();
        } catch (IOException | RuntimeException e) {
            throw failure(at, e);
        }
    }

    @Override
    public double readDouble() {
        int at = expect(ValueKind.FLOAT64);
        try {
            return unpacker.unpackDouble();
        } catch (IOException | RuntimeException e) {
            throw failure(at, e);
        }
    }

    @Override
    public String readString() {
        int at = expect(ValueKind.STRING);
        checkPayloadLength(at);
        try {
            return unpacker.unpackString();
        } catch (IOException | RuntimeException e) {
            throw failure(at, e);
        }
    }

    @Override
    public byte[] readBinary() {
        int at = expect(ValueKind.BINARY);
        int n = checkPayloadLength(at);
        try {
            unpacker.unpackBinaryHeader();
            return unpacker.readPayload(n);
        } catch (IOException | RuntimeException e) {
            throw failure(at, e);
        }
    }

    @Override
    public int readArrayHeader() {
        int at = expect(ValueKind.ARRAY);
        int n;
        try {
            n = unpacker.unpackArrayHeader();
        } catch (IOException | RuntimeException e) {
            throw failure(at, e);
        }
        int left = len - position();
        if (n > left) {
            throw new WireException("array of " + n + " elements but only " + left + " bytes left", at);
        }
        return n;
    }

    @Override
    public void skipValue() {
        long pending = 1;
        while (pending > 0) {
            pending--;
            int at = position();
            MessageFormat format = peekFormat(at);
            ValueKind kind = kindOf(format, at);
            if (kind == ValueKind.ARRAY) {
                pending += readArrayHeader();
                continue;
            }
            checkHeader(format, at);
            if (kind == ValueKind.STRING || kind == ValueKind.BINARY) {
                checkPayloadLength(at);
            }
            try {
                unpacker.skipValue();
            } catch (IOException | RuntimeException e) {
                throw failure(at, e);
            }
        }
    }

    /** Checks the next element is of {@code kind} and returns its offset. */
    private int expect(ValueKind kind) {
        int at = position();
        MessageFormat format = peekFormat(at);
        if (kindOf(format, at) != kind) {
            throw new WireException("expected " + describe(kind) + " but found " + describe(format), at);
        }
        checkHeader(format, at);
        return at;
    }

    /**
     * Checks that the fixed-size part of the element at {@code at} (the whole element for numbers,
     * the header for strings, byte strings and arrays) lies inside the range.
     */
    private void checkHeader(MessageFormat format, int at) {
        int size = headerSize(format);
        if (size > len - at) {
            throw new WireException("truncated " + describe(format) + ": needs " + size + " bytes, "
                    + (len - at) + " left", at);
        }
    }

    private static int headerSize(MessageFormat format) {
        switch (format) {
            case UINT8:
            case INT8:
            case STR8:
            case BIN8:
                return 2;
            case UINT16:
            case INT16:
            case STR16:
            case BIN16:
            case ARRAY16:
                return 3;
            case UINT32:
            case INT32:
            case FLOAT32:
            case STR32:
            case BIN32:
            case ARRAY32:
                return 5;
            case UINT64:
            case INT64:
            case FLOAT64:
                return 9;
            default:
                return 1;
        }
    }

    private MessageFormat peekFormat(int at) {
        if (at >= len) {
            throw new WireException("expected a value but the range ended", at);
        }
        return MessageFormat.valueOf(buf[off + at]);
    }

    /**
     * Reads the length in the header of the string or byte string at {@code at} straight from the
     * array (its header was checked to be inside the range) and checks that the payload fits in the
     * range; returns the length.
     */
    private int checkPayloadLength(int at) {
        int p = off + at;
        int header = buf[p] & 0xff;
        int lengthBytes;
        long n;
        if ((header & 0xe0) == 0xa0) {
            lengthBytes = 0;
            n = header & 0x1f;
        } else {
            lengthBytes = switch (header) {
                case 0xc4, 0xd9 -> 1;
                case 0xc5, 0xda -> 2;
                default -> 4;
            };
            n = 0;
            for (int i = 1; i <= lengthBytes; i++) {
                n = (n << 8) | (buf[p + i] & 0xff);
            }
        }
        long left = (long) len - at - 1 - lengthBytes;
        if (n > left) {
            throw new WireException(describe(MessageFormat.valueOf(buf[p])) + " of " + n
                    + " bytes but only " + left + " bytes left", at);
        }
        return (int) n;
    }

    private static ValueKind kindOf(MessageFormat format, int at) {
        switch (format) {
            case NIL:
                return ValueKind.NIL;
            case BOOLEAN:
                return ValueKind.BOOLEAN;
            case POSFIXINT:
            case NEGFIXINT:
            case UINT8:
            case UINT16:
            case UINT32:
            case UINT64:
            case INT8:
            case INT16:
            case INT32:
            case INT64:
                return ValueKind.INTEGER;
            case FLOAT32:
                return ValueKind.FLOAT32;
            case FLOAT64:
                return ValueKind.FLOAT64;
            case FIXSTR:
            case STR8:
            case STR16:
            case STR32:
                return ValueKind.STRING;
            case BIN8:
            case BIN16:
            case BIN32:
                return ValueKind.BINARY;
            case FIXARRAY:
            case ARRAY16:
            case ARRAY32:
                return ValueKind.ARRAY;
            default:
                throw new WireException("unsupported msgpack type " + describe(format), at);
        }
    }

    private static String describe(ValueKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(MessageFormat format) {
        return format.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static WireException failure(int at, Exception e) {
        if (e instanceof WireException) {
            return (WireException) e;
        }
        if (e instanceof MessageInsufficientBufferException) {
            return new WireException("truncated value: the range ends inside it", at, e);
        }
        if (e instanceof MessageIntegerOverflowException) {
            return new WireException("integer out of range: " + e.getMessage(), at, e);
        }
        if (e instanceof MessageSizeException) {
            return new WireException("length out of range: " + e.getMessage(), at, e);
        }
        return new WireException("malformed msgpack: " + e, at, e);
    }
}
