package io.ipos.serialization;

import static io.ipos.serialization.ChronicleWriter.BYTES_LENGTH16;
import static io.ipos.serialization.ChronicleWriter.BYTES_LENGTH32;
import static io.ipos.serialization.ChronicleWriter.BYTES_LENGTH8;
import static io.ipos.serialization.ChronicleWriter.FALSE;
import static io.ipos.serialization.ChronicleWriter.FLOAT32;
import static io.ipos.serialization.ChronicleWriter.FLOAT64;
import static io.ipos.serialization.ChronicleWriter.INT16;
import static io.ipos.serialization.ChronicleWriter.INT32;
import static io.ipos.serialization.ChronicleWriter.INT64;
import static io.ipos.serialization.ChronicleWriter.INT8;
import static io.ipos.serialization.ChronicleWriter.NULL;
import static io.ipos.serialization.ChronicleWriter.STRING_0;
import static io.ipos.serialization.ChronicleWriter.STRING_ANY;
import static io.ipos.serialization.ChronicleWriter.TRUE;
import static io.ipos.serialization.ChronicleWriter.U8_ARRAY;
import static io.ipos.serialization.ChronicleWriter.UINT16;
import static io.ipos.serialization.ChronicleWriter.UINT32;
import static io.ipos.serialization.ChronicleWriter.UINT8;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * {@link ValueReader} for the BinaryWire subset that {@link ChronicleWriter} writes, decoded here
 * straight from the array: it uses no Chronicle class, so malformed input can only ever meet the
 * checks below.
 *
 * <p>Every element's header is parsed by one method, {@link #header(int, int)}, which checks that
 * the header and its payload lie inside the limit it is given before anything is read or
 * allocated. An array carries its length in bytes, not its element count: the count is found by
 * hopping from element to element through its content with the same method (a nested array or a
 * string is hopped over by its length), so counting costs one header parse per element and the
 * elements read afterwards are exactly the ones counted.
 */
final class ChronicleReader implements ValueReader {
    private static final byte[] EMPTY = new byte[0];

    private byte[] buf = EMPTY;
    private int off;
    private int end;
    private int pos;

    // the element parsed by the last header() call
    private ValueKind kind;
    private int code;
    /** Bytes before the payload (code, length field, and the U8_ARRAY marker of a byte string). */
    private int headerSize;
    /** Payload bytes: the fixed-size number after the code, a string's UTF-8, a byte string, an array's content. */
    private int payload;

    ChronicleReader() {
    }

    @Override
    public void reset(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        this.buf = buf;
        this.off = off;
        this.end = off + len;
        this.pos = off;
    }

    @Override
    public boolean hasNext() {
        return pos < end;
    }

    @Override
    public int position() {
        return pos - off;
    }

    @Override
    public ValueKind nextKind() {
        header(pos, end);
        return kind;
    }

    @Override
    public void readNil() {
        expect(ValueKind.NIL);
        pos++;
    }

    @Override
    public boolean readBoolean() {
        expect(ValueKind.BOOLEAN);
        pos++;
        return code == TRUE;
    }

    @Override
    public long readLong() {
        expect(ValueKind.INTEGER);
        int p = pos + 1;
        long v;
        switch (code) {
            case UINT8 -> v = buf[p] & 0xff;
            case INT8 -> v = buf[p];
            case UINT16 -> v = u16(p);
            case INT16 -> v = (short) u16(p);
            case UINT32 -> v = i32(p) & 0xffff_ffffL;
            case INT32 -> v = i32(p);
            case INT64 -> v = i64(p);
            default -> v = code;
        }
        pos = p + payload;
        return v;
    }

    @Override
    public int readInt() {
        int at = pos;
        long v = readLong();
        if ((int) v != v) {
            pos = at;
            throw new WireException("integer out of range: " + v + " does not fit in an int", at - off);
        }
        return (int) v;
    }

    @Override
    public float readFloat() {
        expect(ValueKind.FLOAT32);
        float v = Float.intBitsToFloat(i32(pos + 1));
        pos += 5;
        return v;
    }

    @Override
    public double readDouble() {
        expect(ValueKind.FLOAT64);
        double v = Double.longBitsToDouble(i64(pos + 1));
        pos += 9;
        return v;
    }

    @Override
    public String readString() {
        expect(ValueKind.STRING);
        int s = pos + headerSize;
        pos = s + payload;
        return decodeUtf8(buf, s, payload);
    }

    @Override
    public byte[] readBinary() {
        expect(ValueKind.BINARY);
        int s = pos + headerSize;
        pos = s + payload;
        return Arrays.copyOfRange(buf, s, s + payload);
    }

    @Override
    public int readArrayHeader() {
        expect(ValueKind.ARRAY);
        int content = pos + headerSize;
        int contentEnd = content + payload;
        int n = 0;
        for (int p = content; p < contentEnd; n++) {
            header(p, contentEnd);
            p += headerSize + payload;
        }
        pos = content;
        return n;
    }

    @Override
    public void skipValue() {
        long pending = 1;
        while (pending > 0) {
            pending--;
            header(pos, end);
            if (kind == ValueKind.ARRAY) {
                pending += readArrayHeader();
            } else {
                pos += headerSize + payload;
            }
        }
    }

    private void expect(ValueKind expected) {
        header(pos, end);
        if (kind != expected) {
            throw new WireException("expected " + name(expected) + " but found " + name(kind) + " "
                    + describe(code), pos - off);
        }
    }

    /**
     * Parses the header of the element at {@code at}, which must end at or before {@code limit},
     * into {@link #kind}, {@link #code}, {@link #headerSize} and {@link #payload}.
     */
    private void header(int at, int limit) {
        if (at >= limit) {
            throw new WireException(at >= end ? "expected a value but the range ended"
                    : "an array's content ends inside an element", at - off);
        }
        int c = buf[at] & 0xff;
        code = c;
        headerSize = 1;
        payload = 0;
        if (c < 0x80) {
            kind = ValueKind.INTEGER;
            return;
        }
        if (c >= STRING_0) {
            kind = ValueKind.STRING;
            payload = c - STRING_0;
        } else {
            switch (c) {
                case NULL -> kind = ValueKind.NIL;
                case FALSE, TRUE -> kind = ValueKind.BOOLEAN;
                case UINT8, INT8 -> fixed(ValueKind.INTEGER, 1);
                case UINT16, INT16 -> fixed(ValueKind.INTEGER, 2);
                case UINT32, INT32 -> fixed(ValueKind.INTEGER, 4);
                case INT64 -> fixed(ValueKind.INTEGER, 8);
                case FLOAT32 -> fixed(ValueKind.FLOAT32, 4);
                case FLOAT64 -> fixed(ValueKind.FLOAT64, 8);
                case STRING_ANY -> {
                    kind = ValueKind.STRING;
                    stopBitLength(at, limit);
                }
                case BYTES_LENGTH8, BYTES_LENGTH16, BYTES_LENGTH32 -> {
                    lengthField(at, limit, c == BYTES_LENGTH8 ? 1 : c == BYTES_LENGTH16 ? 2 : 4);
                    int content = at + headerSize;
                    if (payload > 0 && content < limit && (buf[content] & 0xff) == U8_ARRAY) {
                        kind = ValueKind.BINARY;
                        headerSize++;
                        payload--;
                    } else {
                        kind = ValueKind.ARRAY;
                    }
                }
                default -> throw new WireException("unsupported BinaryWire code " + describe(c), at - off);
            }
        }
        long left = (long) limit - at - headerSize;
        if (payload > left) {
            throw new WireException(describe(c) + " of " + payload + " bytes but only " + Math.max(left, 0)
                    + " bytes left", at - off);
        }
    }

    private void fixed(ValueKind k, int size) {
        kind = k;
        payload = size;
    }

    /** A little-endian length of {@code width} bytes after the code. */
    private void lengthField(int at, int limit, int width) {
        if (width >= limit - at) {
            throw new WireException("truncated " + describe(code) + ": needs " + (1 + width) + " bytes, "
                    + (limit - at) + " left", at - off);
        }
        int p = at + 1;
        long n = switch (width) {
            case 1 -> buf[p] & 0xff;
            case 2 -> u16(p);
            default -> i32(p);
        };
        if (n < 0) {
            throw new WireException(describe(code) + " has a negative length " + n, at - off);
        }
        headerSize = 1 + width;
        payload = (int) n;
    }

    /** Chronicle's stop-bit length: 7 bits a byte, least significant first, high bit set on all but the last. */
    private void stopBitLength(int at, int limit) {
        long n = 0;
        int p = at + 1;
        for (int shift = 0; ; shift += 7) {
            if (p >= limit) {
                throw new WireException("truncated " + describe(code) + ": the length ends outside the range", at - off);
            }
            int b = buf[p++] & 0xff;
            if (shift == 28 && b > 0x07) {
                throw new WireException(describe(code) + " length is out of range", at - off);
            }
            n |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) {
                    throw new WireException(describe(code) + " length is not in canonical stop-bit form", at - off);
                }
                break;
            }
        }
        headerSize = p - at;
        payload = (int) n;
    }

    private int u16(int p) {
        return (buf[p] & 0xff) | (buf[p + 1] & 0xff) << 8;
    }

    private int i32(int p) {
        return (buf[p] & 0xff) | (buf[p + 1] & 0xff) << 8 | (buf[p + 2] & 0xff) << 16 | buf[p + 3] << 24;
    }

    private long i64(int p) {
        return (i32(p) & 0xffff_ffffL) | (long) i32(p + 4) << 32;
    }

    /**
     * Decodes what Chronicle writes for a string: UTF-8 in which each UTF-16 unit, a surrogate
     * included, is encoded on its own (CESU-8), so that every Java string comes back exactly. A
     * standard 4-byte sequence is accepted too; anything malformed becomes U+FFFD.
     */
    static String decodeUtf8(byte[] b, int s, int n) {
        int e = s + n;
        int i = s;
        while (i < e && b[i] >= 0) {
            i++;
        }
        if (i == e) {
            return new String(b, s, n, StandardCharsets.ISO_8859_1);
        }
        char[] out = new char[n];
        int o = 0;
        for (int k = s; k < i; k++) {
            out[o++] = (char) b[k];
        }
        while (i < e) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                out[o++] = (char) c;
                i++;
            } else if ((c & 0xe0) == 0xc0 && i + 1 < e && continuation(b[i + 1])) {
                out[o++] = (char) ((c & 0x1f) << 6 | b[i + 1] & 0x3f);
                i += 2;
            } else if ((c & 0xf0) == 0xe0 && i + 2 < e && continuation(b[i + 1]) && continuation(b[i + 2])) {
                out[o++] = (char) ((c & 0x0f) << 12 | (b[i + 1] & 0x3f) << 6 | b[i + 2] & 0x3f);
                i += 3;
            } else if ((c & 0xf8) == 0xf0 && i + 3 < e && continuation(b[i + 1]) && continuation(b[i + 2])
                    && continuation(b[i + 3])) {
                int cp = (c & 0x07) << 18 | (b[i + 1] & 0x3f) << 12 | (b[i + 2] & 0x3f) << 6 | b[i + 3] & 0x3f;
                if (cp >= Character.MIN_SUPPLEMENTARY_CODE_POINT && cp <= Character.MAX_CODE_POINT) {
                    out[o++] = Character.highSurrogate(cp);
                    out[o++] = Character.lowSurrogate(cp);
                } else {
                    out[o++] = '\uFFFD';
                }
                i += 4;
            } else {
                out[o++] = '\uFFFD';
                i++;
            }
        }
        return new String(out, 0, o);
    }

    private static boolean continuation(byte b) {
        return (b & 0xc0) == 0x80;
    }

    private static String name(ValueKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static String describe(int code) {
        String name;
        if (code < 0x80) {
            name = "small int";
        } else if (code >= STRING_0) {
            name = "string" + (code - STRING_0);
        } else {
            name = switch (code) {
                case BYTES_LENGTH8 -> "bytes_length8";
                case BYTES_LENGTH16 -> "bytes_length16";
                case BYTES_LENGTH32 -> "bytes_length32";
                case FLOAT32 -> "float32";
                case FLOAT64 -> "float64";
                case UINT8 -> "uint8";
                case UINT16 -> "uint16";
                case UINT32 -> "uint32";
                case INT8 -> "int8";
                case INT16 -> "int16";
                case INT32 -> "int32";
                case INT64 -> "int64";
                case FALSE, TRUE -> "boolean";
                case NULL -> "null";
                case STRING_ANY -> "string_any";
                default -> null;
            };
        }
        return name == null ? String.format("0x%02x", code) : name + String.format(" (0x%02x)", code);
    }
}
