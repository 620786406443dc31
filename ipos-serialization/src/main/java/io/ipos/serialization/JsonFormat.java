package io.ipos.serialization;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

/**
 * JSON through Jackson's streaming API ({@code jackson-core}): one JSON text (UTF-8) per frame
 * body, human-readable and parsable by any JSON library. The mapping of the element model onto
 * JSON is in {@code docs/protocol.md}, section "Values / json".
 *
 * <p>Only jackson-core is used here; jackson-databind, which costs 200 to 300 ms to load, is never
 * touched by this format.
 */
final class JsonFormat implements WireFormat {
    /*
     * Streaming, not databind, by measurement (JDK 17, 2 cores, after warm-up, encode + decode of the
     * small op [1, 1048577, "key", [1, 42]]): a new generator and parser per call took about 400 ns,
     * databind (ObjectMapper.writeValueAsBytes of a List, then readValue into a List) about 560 ns.
     * With the generator reused across frames (JsonWriter) and the parser building a tape (JsonReader),
     * the op [1, 1048577, "key", 7] takes about 330 ns: 50 ns to write, the rest to read, most of it
     * Jackson's per-parser set-up (about 160 ns for a parser that reads nothing). Databind would also
     * lose the element kinds (a float32 becomes a Double, a byte string a base64 String) and costs
     * about 230 ms of class loading at first use; this format loads jackson-core only.
     *
     * JsonFactory.Feature.CANONICALIZE_FIELD_NAMES must stay enabled: without it Jackson reads a
     * byte array through a Reader and reports every byte offset as -1.
     */

    static final String NAME = "json";

    /**
     * The deepest nesting of arrays a json body may have. The codec nests values at most 1000 deep
     * and ipos-core wraps them in at most 1000 container literals and an op, so real bodies stay far
     * below; the bound keeps a hostile body from making the parser allocate a context per byte.
     */
    static final int MAX_NESTING = 4096;

    static final JsonFormat INSTANCE = new JsonFormat();

    final JsonFactory factory = JsonFactory.builder()
            // non-BMP characters as 4-byte UTF-8 rather than escaped surrogate pairs; lone surrogates
            // are still written as \\uXXXX escapes, so every Java string round-trips exactly
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING + 1) // + 1 for a {"f32": ...} at the deepest level
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxDocumentLength(-1)
                    .build())
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING + 1).build())
            .build();

    private JsonFormat() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ValueWriter newWriter() {
        return new JsonWriter(factory);
    }

    @Override
    public ValueReader newReader() {
        return new JsonReader(factory);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
