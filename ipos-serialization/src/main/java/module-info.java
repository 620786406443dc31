/**
 * The value model of ipos: which Java values can be shared, the process-wide class registry, and
 * the wire formats that encode values in frame bodies.
 *
 * <p>jackson-databind is read only when a Java bean is first mapped, and chronicle-wire is optional:
 * it is needed only by an application that selects the {@code chronicle} format, which then adds
 * it (on the module path also with {@code --add-modules chronicle.wire}).
 */
module io.ipos.serialization {
    requires msgpack.core;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires static chronicle.wire;
    requires static chronicle.bytes;
    requires static chronicle.core;

    exports io.ipos.serialization;
}
