package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Feeds each format's decoder ({@link ValueReader} and {@link ValueCodec#read}) mutated and
 * truncated frames built from valid encodings: bit flips, random bytes, cut lengths, huge length
 * fields (or, in json, which has none, huge numbers, long digit runs and deep nesting), wrong tags,
 * insertions, deletions and splices of other frames. The only thing allowed out is a
 * {@link WireException} whose offset lies inside the frame and ends its message; any other
 * exception, a decode that runs longer than the watchdog allows, or a decode that allocates more
 * than {@value #ALLOCATION_PER_BYTE} bytes per input byte plus {@value #ALLOCATION_SLACK} bytes
 * (what an allocation sized from an unchecked length would exceed) fails the test with the frame
 * in hex.
 *
 * <p>Frames per format: the system property {@code ipos.fuzz.frames}, 1,000,000 by default (about
 * 10 to 25 s per format on 2 cores). The seed of the random mutations is
 * {@code ipos.fuzz.seed} (fixed by default, so a failure reproduces).
 */
class DecoderFuzzTest {
    static final long ALLOCATION_PER_BYTE = 128;
    static final long ALLOCATION_SLACK = 512 * 1024;
    private static final int FRAMES = Integer.getInteger("ipos.fuzz.frames", 1_000_000);
    private static final long SEED = Long.getLong("ipos.fuzz.seed", 20_240_601L);
    private static final long WATCHDOG_SECONDS = Long.getLong("ipos.fuzz.watchdogSeconds", 600);

    static Stream<String> formats() {
        return WireFormat.names().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void mutatedFramesOnlyEverCauseWireExceptions(String format) throws Exception {
        Fuzzer fuzzer = new Fuzzer(WireFormat.byName(format), new Random(SEED ^ format.hashCode()));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                fuzzer.run(FRAMES);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "fuzz-" + format);
        worker.setDaemon(true);
        long start = System.nanoTime();
        worker.start();
        worker.join(WATCHDOG_SECONDS * 1000);
        if (worker.isAlive()) {
            byte[] frame = fuzzer.current;
            fail(format + ": decoding did not finish within " + WATCHDOG_SECONDS + " s; current frame "
                    + (frame == null ? "none" : Wire.hex(frame)));
        }
        if (failure.get() instanceof Error) {
            throw (Error) failure.get();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "fuzz %s: %,d frames in %.1f s (%,d decoded, %,d rejected with a WireException;"
                        + " %d seeds, %d of them wrong-tag variants; most allocated by one decode %,d bytes,"
                        + " at most %.0f bytes per input byte; %d decodes repeated to discount warm-up allocation;"
                        + " slowest frame %.2f ms)%n",
                format, FRAMES, seconds, fuzzer.decoded, fuzzer.rejected, fuzzer.seeds.size(), fuzzer.tagVariants,
                fuzzer.maxAllocation, fuzzer.maxRatio, fuzzer.retried, fuzzer.slowestNanos / 1e6);
        assertTrue(fuzzer.decoded > 0 && fuzzer.rejected > 0, "mutations neither all decode nor all fail");
    }

    /** One format's fuzzing loop; runs on its own thread, the watchdog reads {@link #current}. */
    static final class Fuzzer {
        final WireFormat format;
        final Random random;
        final ClassRegistry registry = Samples.registry();
        final ValueCodec codec = new ValueCodec(registry);
        final ValueReader reader;
        final List<byte[]> seeds = new ArrayList<>();
        /** For each seed, the offsets and kinds of its elements, found by walking it. */
        final List<int[]> positions = new ArrayList<>();
        final List<ValueKind[]> kinds = new ArrayList<>();
        final Method allocated;
        volatile byte[] current;
        long decoded;
        long rejected;
        long retried;
        int tagVariants;
        double maxRatio;
        long maxAllocation;
        long slowestNanos;

        Fuzzer(WireFormat format, Random random) throws ReflectiveOperationException {
            this.format = format;
            this.random = random;
            this.reader = format.newReader();
            Class<?> beans = Class.forName("com.sun.management.ThreadMXBean");
            Object threads = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getThreadMXBean").invoke(null);
            this.allocated = beans.getMethod("getCurrentThreadAllocatedBytes");
            this.threads = threads;
            buildSeeds();
        }

        private final Object threads;

        private long allocatedBytes() {
            try {
                return (Long) allocated.invoke(threads);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }

        private void buildSeeds() {
            List<Object> values = new ArrayList<>();
            values.add(Samples.everything());
            values.add(Samples.person());
            values.add(List.of(new Samples.Line(new Samples.Point(1, 2), new Samples.Point(3, 4), "l", List.of(5)),
                    Samples.gadget(), new Samples.Version(1, 0), Samples.Suit.SPADES, new Samples.Tag("x", -1)));
            Object deep = 1;
            for (int i = 0; i < 40; i++) {
                deep = List.of(deep, i);
            }
            values.add(deep);
            List<Object> snapshot = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Map<Object, Object> m = new LinkedHashMap<>();
                m.put("k" + i, i * 1_000_003L);
                m.put(i, List.of("v", (double) i, (float) i));
                snapshot.add(m);
            }
            values.add(snapshot);
            byte[] bin = new byte[400];
            new Random(1).nextBytes(bin);
            values.add(List.of(bin, "\u00e9\ud83d\ude00".repeat(40), new byte[0], ""));
            ValueWriter w = format.newWriter();
            for (Object v : values) {
                w.reset();
                codec.write(w, v);
                addSeed(w.toByteArray());
            }
            // an op as ipos-core writes it: [code, target, key, value]
            w.reset();
            w.writeArrayHeader(4);
            w.writeLong(1);
            w.writeLong(1_048_577);
            w.writeString("key");
            codec.write(w, Map.of("a", List.of(1, 2)));
            addSeed(w.toByteArray());
            // the same values with their tags scrambled
            int baseSeeds = seeds.size();
            for (int i = 0; i < 40; i++) {
                TagScrambler scrambler = new TagScrambler(format.newWriter(), new Random(random.nextLong()));
                codec.write(scrambler, values.get(i % values.size()));
                addSeed(scrambler.out.toByteArray());
            }
            tagVariants = seeds.size() - baseSeeds;
        }

        private void addSeed(byte[] frame) {
            seeds.add(frame);
            List<Integer> at = new ArrayList<>();
            List<ValueKind> kindsAt = new ArrayList<>();
            reader.reset(frame, 0, frame.length);
            try {
                long pending = 1;
                while (pending > 0 || reader.hasNext()) {
                    if (pending == 0) {
                        pending = 1;
                    }
                    pending--;
                    at.add(reader.position());
                    ValueKind k = reader.nextKind();
                    kindsAt.add(k);
                    if (k == ValueKind.ARRAY) {
                        pending += reader.readArrayHeader();
                    } else {
                        reader.skipValue();
                    }
                }
            } catch (WireException e) {
                throw new AssertionError("a seed does not decode: " + e, e);
            }
            positions.add(at.stream().mapToInt(Integer::intValue).toArray());
            kinds.add(kindsAt.toArray(new ValueKind[0]));
        }

        void run(int frames) {
            for (int i = 0; i < frames; i++) {
                int s = random.nextInt(seeds.size());
                byte[] frame = mutate(s);
                current = frame;
                long allocation = decode(frame, i, true);
                if (allocation > ALLOCATION_PER_BYTE * frame.length + ALLOCATION_SLACK) {
                    // the first decode down a new path loads classes and fills caches; only an
                    // allocation that repeats is the decoder's own
                    retried++;
                    allocation = decode(frame, i, false);
                    if (allocation > ALLOCATION_PER_BYTE * frame.length + ALLOCATION_SLACK) {
                        throw new AssertionError(format.name() + ": frame " + i + " of " + frame.length
                                + " bytes allocated " + allocation + " bytes: " + Wire.hex(frame));
                    }
                }
                maxAllocation = Math.max(maxAllocation, allocation);
                maxRatio = Math.max(maxRatio, allocation / (double) Math.max(frame.length, 1));
            }
        }

        /** Decodes one frame; returns the bytes allocated meanwhile. */
        private long decode(byte[] frame, int i, boolean count) {
            boolean skip = (i & 7) == 7;
            long t0 = System.nanoTime();
            long a0 = allocatedBytes();
            try {
                reader.reset(frame, 0, frame.length);
                if (skip) {
                    while (reader.hasNext()) {
                        reader.skipValue();
                    }
                } else {
                    codec.read(reader);
                    while (reader.hasNext()) {
                        codec.read(reader);
                    }
                }
                decoded += count ? 1 : 0;
            } catch (WireException e) {
                rejected += count ? 1 : 0;
                if (e.offset() < 0 || e.offset() > frame.length
                        || !e.getMessage().endsWith(" at offset " + e.offset())) {
                    throw new AssertionError(format.name() + ": frame " + i + " (" + Wire.hex(frame)
                            + "): bad offset in " + e.getMessage(), e);
                }
            } catch (Throwable t) {
                throw new AssertionError(format.name() + ": frame " + i + " (" + Wire.hex(frame) + ") threw " + t, t);
            }
            long allocation = allocatedBytes() - a0;
            slowestNanos = Math.max(slowestNanos, System.nanoTime() - t0);
            return allocation;
        }

        // ------------------------------------------------------------ mutations

        private byte[] mutate(int s) {
            byte[] frame = seeds.get(s);
            int op = random.nextInt(10);
            if (op == 9) {
                int n = 2 + random.nextInt(2);
                for (int k = 0; k < n; k++) {
                    frame = mutateOnce(frame, s, random.nextInt(9));
                }
                return frame;
            }
            return mutateOnce(frame, s, op);
        }

        private byte[] mutateOnce(byte[] frame, int s, int op) {
            int len = frame.length;
            switch (op) {
                case 0: {
                    byte[] m = frame.clone();
                    for (int k = 1 + random.nextInt(4); k > 0 && len > 0; k--) {
                        m[random.nextInt(len)] ^= (byte) (1 << random.nextInt(8));
                    }
                    return m;
                }
                case 1: {
                    byte[] m = frame.clone();
                    for (int k = 1 + random.nextInt(3); k > 0 && len > 0; k--) {
                        m[random.nextInt(len)] = (byte) random.nextInt(256);
                    }
                    return m;
                }
                case 2:
                    return Arrays.copyOf(frame, len == 0 ? 0 : random.nextInt(len));
                case 3:
                    return hugeLength(frame, s);
                case 4: {
                    byte[] insert = new byte[1 + random.nextInt(8)];
                    random.nextBytes(insert);
                    return splice(frame, random.nextInt(len + 1), 0, insert);
                }
                case 5: {
                    if (len == 0) {
                        return frame;
                    }
                    int at = random.nextInt(len);
                    return splice(frame, at, Math.min(len - at, 1 + random.nextInt(16)), new byte[0]);
                }
                case 6: {
                    byte[] other = seeds.get(random.nextInt(seeds.size()));
                    int from = random.nextInt(other.length);
                    byte[] chunk = Arrays.copyOfRange(other, from, Math.min(other.length, from + 1 + random.nextInt(64)));
                    int at = random.nextInt(len + 1);
                    return splice(frame, at, Math.min(len - at, random.nextInt(64)), chunk);
                }
                case 7: {
                    if (len == 0) {
                        return frame;
                    }
                    int at = random.nextInt(len);
                    byte[] chunk = Arrays.copyOfRange(frame, at, Math.min(len, at + 1 + random.nextInt(32)));
                    return splice(frame, at, 0, chunk);
                }
                default: {
                    if (len == 0) {
                        return frame;
                    }
                    byte[] m = frame.clone();
                    m[random.nextInt(len)] = INTERESTING[random.nextInt(INTERESTING.length)];
                    return m;
                }
            }
        }

        private static final byte[] INTERESTING = {
            0x00, (byte) 0xff, 0x7f, (byte) 0x80, (byte) 0x81, (byte) 0x82, (byte) 0x8a, (byte) 0x90, (byte) 0x91,
            (byte) 0xa7, (byte) 0xb8, (byte) 0xbb, (byte) 0xc0, (byte) 0xc1, (byte) 0xc4, (byte) 0xc6, (byte) 0xca,
            (byte) 0xcb, (byte) 0xd4, (byte) 0xdb, (byte) 0xdc, (byte) 0xdd, (byte) 0xdf, (byte) 0xe0,
            '[', ']', '{', '}', '"', '\\', ',', ':', '-', '.', 'e', '0', '9', 'n', 't', 'f', 'u'};

        private static byte[] splice(byte[] frame, int at, int remove, byte[] insert) {
            byte[] m = new byte[frame.length - remove + insert.length];
            System.arraycopy(frame, 0, m, 0, at);
            System.arraycopy(insert, 0, m, at, insert.length);
            System.arraycopy(frame, at + remove, m, at + insert.length, frame.length - at - remove);
            return m;
        }

        /** Rewrites the header of a random string, byte string or array to claim a huge length. */
        private byte[] hugeLength(byte[] frame, int s) {
            int[] at = positions.get(s);
            ValueKind[] k = kinds.get(s);
            int e = random.nextInt(at.length);
            for (int tries = 0; tries < 8 && k[e] != ValueKind.STRING && k[e] != ValueKind.BINARY
                    && k[e] != ValueKind.ARRAY; tries++) {
                e = random.nextInt(at.length);
            }
            int p = at[e];
            if (p >= frame.length) {
                return frame; // an earlier mutation of this frame cut it short
            }
            long[] choices = {0x7fff_ffffL, 0xffff_ffffL, 0x8000_0000L, frame.length - p, frame.length - p + 1,
                    frame.length + random.nextInt(1000), random.nextInt() & 0xffff_ffffL, 0x1_0000L, 0xffffL};
            long huge = choices[random.nextInt(choices.length)];
            switch (format.name()) {
                case "msgpack":
                    return msgpackLength(frame, p, k[e], huge);
                case "chronicle":
                    return chronicleLength(frame, p, k[e], huge);
                default:
                    return jsonHuge(frame, p);
            }
        }

        private static byte[] msgpackLength(byte[] frame, int p, ValueKind kind, long huge) {
            int b = frame[p] & 0xff;
            int header;
            if (b >= 0xa0 && b <= 0xbf || b >= 0x90 && b <= 0x9f) {
                header = 1;
            } else if (b == 0xd9 || b == 0xc4) {
                header = 2;
            } else if (b == 0xda || b == 0xc5 || b == 0xdc) {
                header = 3;
            } else if (b == 0xdb || b == 0xc6 || b == 0xdd) {
                header = 5;
            } else {
                return frame;
            }
            int code = kind == ValueKind.STRING ? 0xdb : kind == ValueKind.BINARY ? 0xc6 : 0xdd;
            byte[] h = {(byte) code, (byte) (huge >>> 24), (byte) (huge >>> 16), (byte) (huge >>> 8), (byte) huge};
            return splice(frame, p, Math.min(header, frame.length - p), h);
        }

        private byte[] chronicleLength(byte[] frame, int p, ValueKind kind, long huge) {
            int b = frame[p] & 0xff;
            int header;
            if (b >= 0xe0) {
                header = 1;
            } else if (b == 0x80) {
                header = 2;
            } else if (b == 0x81) {
                header = 3;
            } else if (b == 0x82) {
                header = 5;
            } else if (b == 0xb8) {
                header = 2;
                while (header < frame.length - p && (frame[p + header - 1] & 0x80) != 0) {
                    header++;
                }
            } else {
                return frame;
            }
            byte[] h;
            if (kind == ValueKind.STRING) {
                // stop-bit: 7 bits a byte, sometimes too many bytes or a negative (trailing zero) form
                int n = 1 + random.nextInt(10);
                h = new byte[1 + n];
                h[0] = (byte) 0xb8;
                long v = huge;
                for (int i = 1; i <= n; i++) {
                    h[i] = (byte) ((v & 0x7f) | (i < n ? 0x80 : 0));
                    v >>>= 7;
                }
            } else {
                h = new byte[] {(byte) 0x82, (byte) huge, (byte) (huge >>> 8), (byte) (huge >>> 16), (byte) (huge >>> 24)};
            }
            return splice(frame, p, Math.min(header, frame.length - p), h);
        }

        private byte[] jsonHuge(byte[] frame, int p) {
            String[] tokens = {"123456789012345678901234567890,", "-9223372036854775809,", "1e999999999,",
                    "-0,", "0.0000000000000000000000000000001e-400,", "9".repeat(5000) + ",",
                    "[".repeat(5000), "[".repeat(4095) + "]".repeat(4095) + ",", "{\"f32\":1e40},",
                    "{\"f64\":\"0x7ff\"},", "{\"bin\":\"AAA\"},", "\"" + "\\u0000".repeat(1000) + "\",",
                    "{\"f32\":" + "1".repeat(2000) + "},"};
            byte[] t = tokens[random.nextInt(tokens.length)].getBytes(StandardCharsets.UTF_8);
            return splice(frame, p, 0, t);
        }
    }

    /**
     * A writer that passes everything on but replaces, now and then, the integer written right after
     * an array header (a tag, for the codec) with a wrong one.
     */
    static final class TagScrambler implements ValueWriter {
        final ValueWriter out;
        private final Random random;
        private boolean afterHeader;

        TagScrambler(ValueWriter out, Random random) {
            this.out = out;
            this.random = random;
        }

        @Override
        public void reset() {
            out.reset();
        }

        @Override
        public void writeNil() {
            afterHeader = false;
            out.writeNil();
        }

        @Override
        public void writeBoolean(boolean v) {
            afterHeader = false;
            out.writeBoolean(v);
        }

        @Override
        public void writeLong(long v) {
            if (afterHeader && random.nextInt(4) == 0) {
                long[] wrong = {0, 19, 23, 29, 31, 40, 49, 50, 255, -1, 1L << 33, random.nextInt(60)};
                v = wrong[random.nextInt(wrong.length)];
            }
            afterHeader = false;
            out.writeLong(v);
        }

        @Override
        public void writeFloat(float v) {
            afterHeader = false;
            out.writeFloat(v);
        }

        @Override
        public void writeDouble(double v) {
            afterHeader = false;
            out.writeDouble(v);
        }

        @Override
        public void writeString(String v) {
            afterHeader = false;
            out.writeString(v);
        }

        @Override
        public void writeBinary(byte[] b, int off, int len) {
            afterHeader = false;
            out.writeBinary(b, off, len);
        }

        @Override
        public void writeArrayHeader(int n) {
            out.writeArrayHeader(n);
            afterHeader = n > 0;
        }

        @Override
        public int size() {
            return out.size();
        }

        @Override
        public void copyTo(byte[] dst, int dstOff) {
            out.copyTo(dst, dstOff);
        }

        @Override
        public byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
