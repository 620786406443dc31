package io.ipos;

import io.ipos.serialization.ClassRegistry;
import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueReader;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireFormat;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Encoding and decoding as the product does it, per wire format, with the real package-private
 * {@link OpCodec} (this class sits in package {@code io.ipos}; the benchmarks module runs on the
 * class path, so the split package is allowed).
 *
 * <ul>
 *   <li>{@code put*}: one {@code MAP_PUT} op, {@code "key-17" -> 42}, on a nested map node (id
 *       {@code 1 << 20}). Encoding is what {@code Hub} does per op: reset its writer, {@code
 *       OpCodec.encode}, copy the body into the frame buffer ({@code Outbox.frame}). Decoding is
 *       what a link's reader does: reset the reader over the body, {@code OpCodec.decode} (builds
 *       the op, applies nothing).</li>
 *   <li>{@code snapshot*}: the {@code SNAPSHOT} a new child receives when the state is one field
 *       {@code "m"} holding a 1,000-entry map, {@code "key-0".."key-999" -> 0..999}. Encoding is
 *       {@code Hub.admit}: a new writer, {@code OpCodec.encodeSnapshot}, copy into the frame
 *       buffer. Decoding is {@code ParentLink.readHandshake}: a new empty {@link Replica} and
 *       {@link OpCodec}, a new reader, {@code OpCodec.decodeSnapshot}, which builds and attaches
 *       the map node.</li>
 * </ul>
 *
 * <p>Time is the average per call ({@code ns/op}); decode alone is {@code *EncodeDecode} minus
 * {@code *Encode}. The body's size in bytes is reported as the auxiliary counter {@code bytes}
 * (the same every call), so the JMH table has bytes per op beside time per op. Frame headers are
 * not included.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Dchronicle.analytics.disable=true")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class OpCodecBenchmark {
    /** Entries in the snapshot's map. */
    static final int SNAPSHOT_ENTRIES = 1_000;

    @Param({"msgpack", "json", "chronicle"})
    public String format;

    private WireFormat wire;
    private ValueCodec values;
    private OpCodec parentCodec;
    private OpCodec childCodec;
    private ValueWriter opWriter;
    private ValueReader opReader;
    private Op put;
    /** The frame buffer bodies are copied into, as {@code Outbox} does; big enough for the snapshot. */
    private byte[] frame;
    private int putBytes;
    private int snapshotBytes;

    /**
     * The size in bytes of the body just encoded, reported by JMH beside the time as {@code bytes}.
     * Every call encodes the same body, so this is the bytes per op. JMH sums an {@link
     * AuxCounters.Type#EVENTS} counter over the measurement iterations of all forks, so each
     * iteration reports its share of the size, and the sum is the size itself.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Bytes {
        int last;
        private double share = 1;

        @Setup(Level.Trial)
        public void shareOverIterations(BenchmarkParams params) {
            share = 1.0 / (params.getMeasurement().getCount() * Math.max(1, params.getForks()));
        }

        /**
         * Returns this iteration's share of the body size.
         *
         * @return the size divided by the number of measurement iterations of all forks
         */
        public double bytes() {
            return last * share;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        wire = WireFormat.byName(format);
        values = new ValueCodec(ClassRegistry.global());

        // the parent: root {"m": {"key-0": 0, ..., "key-999": 999}}, built the way a user put makes it
        Replica parent = new Replica(values, 0);
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < SNAPSHOT_ENTRIES; i++) {
            m.put("key-" + i, i);
        }
        Object stored = parent.internalizeValue(m);
        new MapOps.Put(parent.root, new Object[] {"m", stored}).apply(parent, parent.root, false);
        parentCodec = new OpCodec(parent);
        put = new MapOps.Put(null, ((Node) stored).id(), new Object[] {"key-17", values.freeze(42)});

        // a child's codec: decoding builds the op without looking its target up, so the replica can be empty
        Replica child = new Replica(values, 1);
        childCodec = new OpCodec(child);

        opWriter = wire.newWriter();
        opReader = wire.newReader();
        frame = new byte[1 << 20];

        opWriter.reset();
        parentCodec.encode(opWriter, put);
        putBytes = opWriter.size();
        ValueWriter w = wire.newWriter();
        parentCodec.encodeSnapshot(w);
        snapshotBytes = w.size();

        // check once that both round-trip, so a broken setup can't produce a fast wrong number
        Op decoded = putEncodeDecode(new Bytes());
        if (decoded.code() != FrameDescriptor.OP_MAP_PUT || decoded.targetId() != put.targetId()) {
            throw new IllegalStateException("format=" + format + " decoded the put as " + decoded);
        }
        Replica copy = snapshotEncodeDecode(new Bytes());
        Object field = copy.root.get("m");
        if (!(field instanceof Map<?, ?> decodedMap) || decodedMap.size() != SNAPSHOT_ENTRIES
                || !Integer.valueOf(999).equals(decodedMap.get("key-999"))) {
            throw new IllegalStateException("format=" + format + " decoded the snapshot as " + field);
        }
        System.out.println("[bytes] format=" + format + " put=" + putBytes + " snapshot=" + snapshotBytes);
    }

    /** Encodes the put into the frame buffer. */
    @Benchmark
    public int putEncode(Bytes b) {
        opWriter.reset();
        parentCodec.encode(opWriter, put);
        int n = opWriter.size();
        opWriter.copyTo(frame, 0);
        b.last = n;
        return n;
    }

    /** Encodes the put into the frame buffer, then decodes it from there. */
    @Benchmark
    public Op putEncodeDecode(Bytes b) {
        int n = putEncode(b);
        opReader.reset(frame, 0, n);
        return childCodec.decode(opReader);
    }

    /** Encodes the snapshot into the frame buffer. */
    @Benchmark
    public int snapshotEncode(Bytes b) {
        ValueWriter w = wire.newWriter();
        parentCodec.encodeSnapshot(w);
        int n = w.size();
        w.copyTo(frame, 0);
        b.last = n;
        return n;
    }

    /** Encodes the snapshot into the frame buffer, then decodes it into a new child replica. */
    @Benchmark
    public Replica snapshotEncodeDecode(Bytes b) {
        int n = snapshotEncode(b);
        Replica r = new Replica(values, 1);
        ValueReader reader = wire.newReader();
        reader.reset(frame, 0, n);
        new OpCodec(r).decodeSnapshot(reader);
        return r;
    }
}
