package io.ipos.serialization;

/**
 * Kinds of wire elements a {@link ValueReader} can see next.
 *
 * <p>Every wire format maps its own element types onto these kinds; anything else it can hold
 * (a MessagePack map or extension, a JSON object other than the tagged forms of float32, float64
 * and byte strings, a BinaryWire field name, for example) is not part of the ipos value model and
 * makes the reader throw a {@link WireException}.
 */
public enum ValueKind {
    /** The null element. */
    NIL,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A signed or unsigned integer of up to 64 bits. */
    INTEGER,
    /** A 32-bit IEEE 754 float. */
    FLOAT32,
    /** A 64-bit IEEE 754 float. */
    FLOAT64,
    /** A UTF-8 string. */
    STRING,
    /** A byte string. */
    BINARY,
    /** An array header followed by that many elements. */
    ARRAY
}
