package io.ipos.serialization;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@link ValueWriter} on a Jackson {@link JsonGenerator} that writes into a reusable
 * {@link ByteSink}.
 *
 * <p>The element model counts array elements up front and JSON closes arrays with {@code ]}, so
 * the writer keeps a stack of the elements each open array still expects and closes it after its
 * last one. One generator serves every frame: between frames it is back at the root, where Jackson
 * would put its own separator between root values; the separator is turned off and a space is
 * written only before a second root element of the same body, which ipos never writes. If a frame
 * is abandoned with arrays open, or Jackson failed half-way, {@link #reset()} starts a new
 * generator.
 */
final class JsonWriter implements ValueWriter {
    static final SerializableString F32 = new SerializedString("f32");
    static final SerializableString F64 = new SerializedString("f64");
    static final SerializableString BIN = new SerializedString("bin");

    private final JsonFactory factory;
    private final ByteSink sink = new ByteSink(256);
    private JsonGenerator gen;
    /** How many elements each open array still expects, outermost first. */
    private int[] remaining = new int[16];
    private int depth;
    private boolean rootWritten;
    private boolean broken;

    JsonWriter(JsonFactory factory) {
        this.factory = factory;
        this.gen = newGenerator();
    }

    private JsonGenerator newGenerator() {
        try {
            JsonGenerator g = factory.createGenerator(sink, JsonEncoding.UTF8);
            g.setRootValueSeparator(null);
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void reset() {
        if (broken || depth != 0) {
            try {
                gen.close();
            } catch (IOException | RuntimeException e) {
                // the old generator is dropped either way
            }
            gen = newGenerator();
            broken = false;
            depth = 0;
        } else {
            flush();
        }
        sink.clear();
        rootWritten = false;
    }

    @Override
    public void writeNil() {
        before();
        try {
            gen.writeNull();
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        elementDone();
    }

    @Override
    public void writeBoolean(boolean v) {
        before();
        try {
            gen.writeBoolean(v);
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        elementDone();
    }

    @Override
    public void writeLong(long v) {
        before();
        try {
            gen.writeNumber(v);
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        elementDone();
    }

    @Override
    public void writeFloat(float v) {
        before();
        try {
            gen.writeStartObject();
            gen.writeFieldName(F32);
            if (Float.isFinite(v)) {
                gen.writeNumber(v);
            } else {
                gen.writeString(nonFinite(v));
            }
            gen.writeEndObject();
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        elementDone();
    }

    @Override
    public void writeDouble(double v) {
        before();
        try {
            if (Double.isFinite(v)) {
                gen.writeNumber(v);
            } else {
                gen.writeStartObject();
                gen.writeFieldName(F64);
                gen.writeString(nonFinite(v));
                gen.writeEndObject();
            }
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        elementDone();
    }

    /** {@code "NaN"} (the canonical NaN only), {@code "Infinity"}, {@code "-Infinity"}, or the raw bits in hex. */
    static String nonFinite(float v) {
        if (v == Float.POSITIVE_INFINITY) {
            return "Infinity";
        }
        if (v == Float.NEGATIVE_INFINITY) {
            return "-Infinity";
        }
        int bits = Float.floatToRawIntBits(v);
        return bits == Float.floatToRawIntBits(Float.NaN) ? "NaN" : String.format("0x%08x", bits);
    }

    static String nonFinite(double v) {
        if (v == Double.POSITIVE_INFINITY) {
            return "Infinity";
        }
        if (v == Double.NEGATIVE_INFINITY) {
            return "-Infinity";
        }
        long bits = Double.doubleToRawLongBits(v);
        return bits == Double.doubleToRawLongBits(Double.NaN) ? "NaN" : String.format("0x%016x", bits);
    }

    @Override
    public void writeString(String v) {
        Objects.requireNonNull(v, "v");
        before();
        try {
            gen.writeString(v);
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        elementDone();
    }

    @Override
    public void writeBinary(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        before();
        try {
            gen.writeStartObject();
            gen.writeFieldName(BIN);
            gen.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, b, off, len);
            gen.writeEndObject();
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        elementDone();
    }

    @Override
    public void writeArrayHeader(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n < 0: " + n);
        }
        if (n > 0 && depth >= JsonFormat.MAX_NESTING) {
            throw new IllegalStateException("json bodies nest arrays at most maxNesting=" + JsonFormat.MAX_NESTING
                    + " deep");
        }
        before();
        try {
            gen.writeStartArray();
            if (n == 0) {
                gen.writeEndArray();
            }
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
        if (n == 0) {
            elementDone();
            return;
        }
        if (depth == remaining.length) {
            remaining = Arrays.copyOf(remaining, depth * 2);
        }
        remaining[depth++] = n;
    }

    private void before() {
        if (depth == 0) {
            if (rootWritten) {
                try {
                    gen.writeRaw(' ');
                } catch (IOException | RuntimeException e) {
                    throw failed(e);
                }
            }
            rootWritten = true;
        }
    }

    /** Counts a finished element against the open arrays, closing each one that is now complete. */
    private void elementDone() {
        while (depth > 0) {
            if (--remaining[depth - 1] > 0) {
                return;
            }
            depth--;
            try {
                gen.writeEndArray();
            } catch (IOException | RuntimeException e) {
                throw failed(e);
            }
        }
    }

    private RuntimeException failed(Exception e) {
        broken = true;
        if (e instanceof RuntimeException) {
            return (RuntimeException) e;
        }
        return new UncheckedIOException((IOException) e);
    }

    private void flush() {
        try {
            gen.flush();
        } catch (IOException | RuntimeException e) {
            throw failed(e);
        }
    }

    @Override
    public int size() {
        flush();
        return sink.size();
    }

    @Override
    public void copyTo(byte[] dst, int dstOff) {
        int n = size();
        System.arraycopy(sink.data(), 0, dst, dstOff, n);
    }

    @Override
    public byte[] toByteArray() {
        int n = size();
        return Arrays.copyOf(sink.data(), n);
    }
}
