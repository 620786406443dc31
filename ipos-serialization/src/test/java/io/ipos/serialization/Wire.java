package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** Test helper: encodes and decodes with a codec over its own registry, in one format (msgpack unless given). */
final class Wire {
    final ClassRegistry registry;
    final ValueCodec codec;
    final WireFormat format;
    final ValueWriter writer;
    final ValueReader reader;

    Wire() {
        this(WireFormat.msgpack(), new ClassRegistry());
    }

    Wire(WireFormat format, ClassRegistry registry) {
        this.format = format;
        this.registry = registry;
        this.codec = new ValueCodec(registry);
        this.writer = format.newWriter();
        this.reader = format.newReader();
    }

    byte[] encode(Object value) {
        writer.reset();
        codec.write(writer, value);
        return writer.toByteArray();
    }

    /** Decodes exactly one value that fills all of {@code bytes}. */
    Object decode(byte[] bytes) {
        reader.reset(bytes, 0, bytes.length);
        Object value = codec.read(reader);
        assertFalse(reader.hasNext(), "bytes left after the value");
        return value;
    }

    Object roundTrip(Object value) {
        return decode(encode(value));
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    /**
     * Bytes this thread has allocated so far. Reached by reflection: the tests compile inside the
     * module io.ipos.serialization, which does not read java.management, but run on the class path.
     */
    static long allocatedBytes() {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getThreadMXBean").invoke(null);
            return (Long) Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes").invoke(threads);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
