/**
 * The value model of ipos: which Java values can be shared, the process-wide class registry, and
 * the wire formats that encode values in frame bodies.
 */
module io.ipos.serialization {
    requires msgpack.core;

    exports io.ipos.serialization;
}
