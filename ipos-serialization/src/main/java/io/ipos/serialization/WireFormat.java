package io.ipos.serialization;

import java.util.List;

/**
 * A frame body encoding: how values and the elements of ops are written as bytes.
 *
 * <p>The parent chooses the format and announces its {@link #name()} in the handshake; children
 * look it up with {@link #byName(String)}.
 */
public interface WireFormat {

    /**
     * Returns the name announced in the handshake.
     *
     * @return the name, for example {@code "msgpack"}
     */
    String name();

    /**
     * Creates a writer; each thread that encodes needs its own.
     *
     * @return a new, empty writer
     */
    ValueWriter newWriter();

    /**
     * Creates a reader; each thread that decodes needs its own.
     *
     * @return a new reader over an empty range
     */
    ValueReader newReader();

    /**
     * Returns MessagePack through {@code org.msgpack:msgpack-core}, the default format.
     *
     * @return the msgpack format
     */
    static WireFormat msgpack() {
        return MsgpackFormat.INSTANCE;
    }

    /**
     * Looks a format up by the name it announces.
     *
     * @param name the name, for example {@code "msgpack"}
     * @return the format
     * @throws IllegalArgumentException if no format has that name; the message lists the valid names
     * @throws NullPointerException     if {@code name} is null
     */
    static WireFormat byName(String name) {
        if (name.equals(MsgpackFormat.NAME)) {
            return MsgpackFormat.INSTANCE;
        }
        throw new IllegalArgumentException("unknown wire format '" + name + "'; valid formats: "
                + String.join(", ", names()));
    }

    /**
     * Returns the names of the available formats.
     *
     * @return the names, the default first
     */
    static List<String> names() {
        return List.of(MsgpackFormat.NAME);
    }
}
