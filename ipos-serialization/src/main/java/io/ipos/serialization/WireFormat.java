package io.ipos.serialization;

import java.util.List;

/**
 * A frame body encoding: how values and the elements of ops are written as bytes.
 *
 * <p>The parent chooses the format and announces its {@link #name()} in the handshake; children
 * look it up with {@link #byName(String)}. Three formats exist, all with the same element model
 * ({@link ValueKind}), so every value round-trips exactly through each:
 * <ul>
 *   <li>{@code msgpack}, the default: MessagePack, compact, fast, readable by any MessagePack library;</li>
 *   <li>{@code json}: one JSON text per body, human-readable, for debugging and for peers in other
 *       languages;</li>
 *   <li>{@code chronicle}: Chronicle Wire's BinaryWire, for applications already built on Chronicle;
 *       it needs the optional dependency {@code net.openhft:chronicle-wire}.</li>
 * </ul>
 * The byte layouts are in {@code docs/protocol.md}, section "Values". Looking a format up loads
 * only that format's classes.
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
     * Returns JSON through Jackson's streaming API ({@code jackson-core}): each frame body is one
     * JSON text in UTF-8. Its arrays nest at most 4096 deep (values nest at most 1000); a writer
     * asked for more throws {@link IllegalStateException}, a reader reports a {@link WireException}.
     *
     * @return the json format
     */
    static WireFormat json() {
        return JsonFormat.INSTANCE;
    }

    /**
     * Returns Chronicle Wire's {@code BinaryWire}. It needs {@code net.openhft:chronicle-wire} (an
     * optional dependency of ipos-serialization) on the class path; its classes are loaded when the
     * first writer is created, which takes several hundred milliseconds.
     *
     * @return the chronicle format
     * @throws IllegalArgumentException if chronicle-wire is not on the class path; the message names
     *                                  the Maven dependency to add
     */
    static WireFormat chronicle() {
        return ChronicleFormat.instance();
    }

    /**
     * Looks a format up by the name it announces.
     *
     * @param name the name: {@code "msgpack"}, {@code "json"} or {@code "chronicle"}
     * @return the format
     * @throws IllegalArgumentException if no format has that name (the message lists the valid names),
     *                                  or the format's optional dependency is missing (the message
     *                                  names it)
     * @throws NullPointerException     if {@code name} is null
     */
    static WireFormat byName(String name) {
        switch (name) {
            case MsgpackFormat.NAME:
                return msgpack();
            case JsonFormat.NAME:
                return json();
            case ChronicleFormat.NAME:
                return chronicle();
            default:
                throw new IllegalArgumentException("unknown wire format '" + name + "'; valid formats: "
                        + String.join(", ", names()));
        }
    }

    /**
     * Returns the names of all formats, whether or not their optional dependencies are present.
     *
     * @return the names, the default first
     */
    static List<String> names() {
        return List.of(MsgpackFormat.NAME, JsonFormat.NAME, ChronicleFormat.NAME);
    }
}
