package io.ipos.serialization;

/**
 * MessagePack through {@code org.msgpack:msgpack-core}.
 *
 * <p>The static initializer sets {@code msgpack.universal-buffer=true} (unless the application set
 * it) before any msgpack-core class loads, so msgpack-core uses plain {@code ByteBuffer}s instead
 * of {@code sun.misc.Unsafe} and JDK 24+ print no warning. {@link MsgpackWriter} and
 * {@link MsgpackReader} are only created here, which guarantees that order.
 */
final class MsgpackFormat implements WireFormat {
    static final String NAME = "msgpack";
    static final String UNIVERSAL_BUFFER_PROPERTY = "msgpack.universal-buffer";

    static {
        if (System.getProperty(UNIVERSAL_BUFFER_PROPERTY) == null) {
            System.setProperty(UNIVERSAL_BUFFER_PROPERTY, "true");
        }
    }

    static final MsgpackFormat INSTANCE = new MsgpackFormat();

    private MsgpackFormat() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ValueWriter newWriter() {
        return new MsgpackWriter();
    }

    @Override
    public ValueReader newReader() {
        return new MsgpackReader();
    }

    @Override
    public String toString() {
        return NAME;
    }
}
