package io.ipos.serialization;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@link ValueReader} over a json body, parsed by a Jackson {@link JsonParser}.
 *
 * <p>The element model needs an array's element count at its start, which JSON does not give, so
 * the first read parses the whole body into a <em>tape</em>: one entry per element, in order, with
 * its kind, its offset, its value (an integer, the bits of a float, or an array's element count,
 * filled in when the array closes) and, for strings and byte strings, the decoded object. Reads
 * then walk the tape. Parsing is one pass with an explicit stack, so the cost is linear in the body
 * whatever its nesting, and the tape grows only with elements actually present (every element
 * takes at least one byte). A body that is not well-formed, or uses JSON outside the mapping, fails
 * at the first read with the offset of the offending token, before anything is returned.
 */
final class JsonReader implements ValueReader {
    private static final byte NIL = 0;
    private static final byte FALSE = 1;
    private static final byte TRUE = 2;
    private static final byte INT = 3;
    /** An integer outside the long range: its kind is INTEGER but readLong rejects it. */
    private static final byte BIG_INT = 4;
    private static final byte F32 = 5;
    private static final byte F64 = 6;
    private static final byte STRING = 7;
    private static final byte BINARY = 8;
    private static final byte ARRAY = 9;

    private static final ValueKind[] KIND = {
        ValueKind.NIL, ValueKind.BOOLEAN, ValueKind.BOOLEAN, ValueKind.INTEGER, ValueKind.INTEGER,
        ValueKind.FLOAT32, ValueKind.FLOAT64, ValueKind.STRING, ValueKind.BINARY, ValueKind.ARRAY};
    private static final String[] NAME = {
        "null", "boolean", "boolean", "integer", "integer", "float32", "float64", "string", "binary", "array"};

    private static final int INITIAL_CAPACITY = 64;
    /** A tape grown past this many entries by one large body is dropped at the next reset. */
    private static final int RETAINED_CAPACITY = 1 << 16;
    private static final byte[] EMPTY = new byte[0];

    private final JsonFactory factory;
    private byte[] buf = EMPTY;
    private int off;
    private int len;

    private boolean parsed;
    private WireException failure;
    private byte[] kinds = new byte[INITIAL_CAPACITY];
    private int[] offsets = new int[INITIAL_CAPACITY];
    private long[] values = new long[INITIAL_CAPACITY];
    private Object[] objects = new Object[INITIAL_CAPACITY];
    private int count;
    private int cursor;
    private int[] open = new int[16];

    JsonReader(JsonFactory factory) {
        this.factory = factory;
    }

    @Override
    public void reset(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        this.buf = buf;
        this.off = off;
        this.len = len;
        if (kinds.length > RETAINED_CAPACITY) {
            kinds = new byte[INITIAL_CAPACITY];
            offsets = new int[INITIAL_CAPACITY];
            values = new long[INITIAL_CAPACITY];
            objects = new Object[INITIAL_CAPACITY];
            open = new int[16];
        } else {
            Arrays.fill(objects, 0, count, null);
        }
        parsed = false;
        failure = null;
        count = 0;
        cursor = 0;
    }

    @Override
    public boolean hasNext() {
        if (!parsed) {
            for (int i = off, end = off + len; i < end; i++) {
                byte b = buf[i];
                if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                    return true;
                }
            }
            return false;
        }
        return failure != null || cursor < count;
    }

    @Override
    public int position() {
        if (!parsed) {
            parse();
        }
        if (failure != null) {
            return failure.offset();
        }
        return cursor < count ? offsets[cursor] : len;
    }

    @Override
    public ValueKind nextKind() {
        return KIND[kinds[peek()]];
    }

    @Override
    public void readNil() {
        expect(NIL, NIL);
        cursor++;
    }

    @Override
    public boolean readBoolean() {
        int i = expect(FALSE, TRUE);
        cursor++;
        return kinds[i] == TRUE;
    }

    @Override
    public long readLong() {
        int i = expect(INT, BIG_INT);
        if (kinds[i] == BIG_INT) {
            throw new WireException("integer out of range: " + objects[i], offsets[i]);
        }
        cursor++;
        return values[i];
    }

    @Override
    public int readInt() {
        int i = expect(INT, BIG_INT);
        long v = values[i];
        if (kinds[i] == BIG_INT || (int) v != v) {
            throw new WireException("integer out of range: " + (kinds[i] == BIG_INT ? objects[i] : v)
                    + " does not fit in an int", offsets[i]);
        }
        cursor++;
        return (int) v;
    }

    @Override
    public float readFloat() {
        int i = expect(F32, F32);
        cursor++;
        return Float.intBitsToFloat((int) values[i]);
    }

    @Override
    public double readDouble() {
        int i = expect(F64, F64);
        cursor++;
        return Double.longBitsToDouble(values[i]);
    }

    @Override
    public String readString() {
        int i = expect(STRING, STRING);
        cursor++;
        Object s = objects[i];
        objects[i] = null;
        return (String) s;
    }

    @Override
    public byte[] readBinary() {
        int i = expect(BINARY, BINARY);
        cursor++;
        Object b = objects[i];
        objects[i] = null;
        return (byte[]) b;
    }

    @Override
    public int readArrayHeader() {
        int i = expect(ARRAY, ARRAY);
        cursor++;
        return (int) values[i];
    }

    @Override
    public void skipValue() {
        long pending = 1;
        while (pending > 0) {
            int i = peek();
            pending--;
            if (kinds[i] == ARRAY) {
                pending += values[i];
            }
            objects[i] = null;
            cursor++;
        }
    }

    private int peek() {
        if (!parsed) {
            parse();
        }
        if (failure != null) {
            throw failure;
        }
        if (cursor >= count) {
            throw new WireException("expected a value but the range ended", len);
        }
        return cursor;
    }

    private int expect(byte kind, byte orKind) {
        int i = peek();
        byte k = kinds[i];
        if (k != kind && k != orKind) {
            throw new WireException("expected " + NAME[kind] + " but found " + NAME[k], offsets[i]);
        }
        return i;
    }

    // ---------------------------------------------------------------- building the tape

    private void parse() {
        parsed = true;
        try (JsonParser p = factory.createParser(buf, off, len)) {
            try {
                tokens(p);
            } catch (WireException e) {
                failure = e;
            } catch (JsonProcessingException e) {
                JsonLocation where = e.getLocation() != null ? e.getLocation() : p.currentLocation();
                failure = new WireException("malformed json: " + e.getOriginalMessage(), clamp(where), e);
            } catch (IOException | RuntimeException e) {
                failure = new WireException("malformed json: " + e, clamp(p.currentLocation()), e);
            }
        } catch (WireException e) {
            failure = e;
        } catch (IOException | RuntimeException e) {
            if (failure == null) {
                failure = new WireException("malformed json: " + e, len, e);
            }
        }
        if (failure != null) {
            count = 0;
        }
    }

    private int clamp(JsonLocation location) {
        long at = location == null ? -1 : location.getByteOffset();
        return at < 0 ? 0 : (int) Math.min(at, len);
    }

    private void tokens(JsonParser p) throws IOException {
        int depth = 0;
        JsonToken t;
        while ((t = p.nextToken()) != null) {
            if (t == JsonToken.END_ARRAY) {
                depth--;
                continue;
            }
            int at = (int) p.currentTokenLocation().getByteOffset();
            if (depth > 0) {
                values[open[depth - 1]]++;
            }
            switch (t) {
                case START_ARRAY: {
                    if (depth >= JsonFormat.MAX_NESTING) {
                        throw new WireException("arrays nested deeper than maxNesting=" + JsonFormat.MAX_NESTING, at);
                    }
                    int i = add(ARRAY, at);
                    values[i] = 0;
                    if (depth == open.length) {
                        open = Arrays.copyOf(open, depth * 2);
                    }
                    open[depth++] = i;
                    break;
                }
                case START_OBJECT:
                    tagged(p, at);
                    break;
                case VALUE_NULL:
                    add(NIL, at);
                    break;
                case VALUE_FALSE:
                    add(FALSE, at);
                    break;
                case VALUE_TRUE:
                    add(TRUE, at);
                    break;
                case VALUE_NUMBER_INT:
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        String text = abbreviate(p.getText());
                        addObject(BIG_INT, at, text);
                    } else {
                        long v = p.getLongValue();
                        addValue(INT, at, v);
                    }
                    break;
                case VALUE_NUMBER_FLOAT: {
                    long bits = Double.doubleToRawLongBits(p.getDoubleValue());
                    addValue(F64, at, bits);
                    break;
                }
                case VALUE_STRING: {
                    String text = p.getText();
                    addObject(STRING, at, text);
                    break;
                }
                default:
                    throw new WireException("unexpected json token " + t, at);
            }
        }
    }

    /** Reads the rest of {@code {"f32": x}}, {@code {"f64": x}} or {@code {"bin": "base64"}}. */
    private void tagged(JsonParser p, int at) throws IOException {
        if (p.nextToken() != JsonToken.FIELD_NAME) {
            throw new WireException("empty json object: an object must be {\"f32\": x}, {\"f64\": x} or {\"bin\": s}", at);
        }
        String key = p.currentName();
        JsonToken t = p.nextToken();
        switch (key) {
            case "f32": {
                float f;
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    f = Float.parseFloat(p.getText());
                } else if (t == JsonToken.VALUE_STRING) {
                    f = Float.intBitsToFloat((int) special(p.getText(), 8, at));
                } else {
                    throw new WireException("f32 must hold a number or a string, found " + t, at);
                }
                int bits = Float.floatToRawIntBits(f);
                addValue(F32, at, bits);
                break;
            }
            case "f64": {
                double d;
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    d = p.getDoubleValue();
                } else if (t == JsonToken.VALUE_STRING) {
                    d = Double.longBitsToDouble(special(p.getText(), 16, at));
                } else {
                    throw new WireException("f64 must hold a number or a string, found " + t, at);
                }
                long bits = Double.doubleToRawLongBits(d);
                addValue(F64, at, bits);
                break;
            }
            case "bin":
                if (t != JsonToken.VALUE_STRING) {
                    throw new WireException("bin must hold a base64 string, found " + t, at);
                }
                byte[] bytes = p.getBinaryValue(Base64Variants.MIME_NO_LINEFEEDS);
                addObject(BINARY, at, bytes);
                break;
            default:
                throw new WireException("unknown json object key \"" + abbreviate(key)
                        + "\": an object must be {\"f32\": x}, {\"f64\": x} or {\"bin\": s}", at);
        }
        if (p.nextToken() != JsonToken.END_OBJECT) {
            throw new WireException("a json object must have exactly one member", at);
        }
    }

    /**
     * Decodes the string form of a float: {@code NaN}, {@code Infinity}, {@code -Infinity}, or
     * {@code 0x} and the raw IEEE 754 bits in {@code hexDigits} hex digits; returns the bits of the
     * float32 ({@code hexDigits} 8) or float64 (16).
     */
    private static long special(String s, int hexDigits, int at) {
        boolean single = hexDigits == 8;
        switch (s) {
            case "NaN":
                return single ? Float.floatToRawIntBits(Float.NaN) : Double.doubleToRawLongBits(Double.NaN);
            case "Infinity":
                return single ? Float.floatToRawIntBits(Float.POSITIVE_INFINITY)
                        : Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
            case "-Infinity":
                return single ? Float.floatToRawIntBits(Float.NEGATIVE_INFINITY)
                        : Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
            default:
                break;
        }
        if (s.length() == 2 + hexDigits && s.startsWith("0x")) {
            long bits = 0;
            boolean valid = true;
            for (int i = 2; i < s.length() && valid; i++) {
                char c = s.charAt(i);
                valid = c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
                bits = bits << 4 | Character.digit(c, 16);
            }
            if (valid) {
                return bits;
            }
        }
        throw new WireException((single ? "f32" : "f64") + " string must be NaN, Infinity, -Infinity or 0x and "
                + hexDigits + " lower-case hex digits, found \"" + abbreviate(s) + "\"", at);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...(" + s.length() + " chars)";
    }

    private void addValue(byte kind, int at, long value) {
        int i = add(kind, at);
        values[i] = value;
    }

    private void addObject(byte kind, int at, Object object) {
        int i = add(kind, at);
        objects[i] = object;
    }

    private int add(byte kind, int at) {
        int i = count;
        if (i == kinds.length) {
            int n = i * 2;
            kinds = Arrays.copyOf(kinds, n);
            offsets = Arrays.copyOf(offsets, n);
            values = Arrays.copyOf(values, n);
            objects = Arrays.copyOf(objects, n);
        }
        kinds[i] = kind;
        offsets[i] = at;
        count = i + 1;
        return i;
    }
}
