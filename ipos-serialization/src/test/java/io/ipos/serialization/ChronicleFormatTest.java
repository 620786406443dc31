package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.BinaryWire;
import net.openhft.chronicle.wire.ValueIn;
import net.openhft.chronicle.wire.ValueOut;
import org.junit.jupiter.api.Test;

class ChronicleFormatTest {
    static {
        ChronicleFormat.quietStartup();
    }

    private final Wire wire = new Wire(WireFormat.chronicle(), new ClassRegistry());

    private static BinaryWire chronicleWire(Bytes<?> bytes) {
        return new BinaryWire(bytes, true, false, true, Integer.MAX_VALUE, "binary");
    }

    @Test
    void formatIsFoundByName() {
        assertSame(WireFormat.chronicle(), WireFormat.byName("chronicle"));
        assertEquals("chronicle", WireFormat.chronicle().name());
    }

    @Test
    void valuesHaveTheDocumentedBytes() {
        assertEquals("bb", Wire.hex(wire.encode(null)));
        assertEquals("b1", Wire.hex(wire.encode(true)));
        assertEquals("05", Wire.hex(wire.encode(5)));
        assertEquals("a4 ff", Wire.hex(wire.encode(-1)));
        assertEquals("a1 c8", Wire.hex(wire.encode(200)));
        assertEquals("a6 70 11 01 00", Wire.hex(wire.encode(70_000)));
        assertEquals("80 02 01 05", Wire.hex(wire.encode(5L)));
        assertEquals("a3 00 00 00 80", Wire.hex(wire.encode(2_147_483_648L)));
        assertEquals("a7 ff ff ff 7f ff ff ff ff", Wire.hex(wire.encode(-2_147_483_649L)));
        assertEquals("90 00 00 c0 3f", Wire.hex(wire.encode(1.5f)));
        assertEquals("91 00 00 00 00 00 00 f8 3f", Wire.hex(wire.encode(1.5)));
        assertEquals("e1 61", Wire.hex(wire.encode("a")));
        assertEquals("e6 ed a0 bd ed b8 80", Wire.hex(wire.encode("\ud83d\ude00")));
        assertEquals("b8 28 " + "78 ".repeat(39) + "78", Wire.hex(wire.encode("x".repeat(40))));
        assertEquals("80 04 8a 01 02 03", Wire.hex(wire.encode(new byte[] {1, 2, 3})));
        assertEquals("80 05 14 01 bb e1 78", Wire.hex(wire.encode(Arrays.asList(1, null, "x"))));
    }

    @Test
    void arrayOf256BytesOrMoreKeepsAFourByteLength() {
        // the tag (1 byte), b8 c8 01 + 200 bytes, b8 31 + 49 bytes: 255 bytes of content
        byte[] small = wire.encode(List.of("x".repeat(200), "y".repeat(49)));
        assertEquals("80 ff 14", Wire.hex(Arrays.copyOf(small, 3)));
        byte[] large = wire.encode(List.of("x".repeat(200), "y".repeat(50)));
        assertEquals("82 00 01 00 00 14", Wire.hex(Arrays.copyOf(large, 6)));
        assertEquals(List.of("x".repeat(200), "y".repeat(50)), wire.decode(large));
    }

    @Test
    void chroniclesOwnReaderReadsWhatWeWrite() {
        ValueWriter w = WireFormat.chronicle().newWriter();
        w.writeArrayHeader(8);
        w.writeLong(-70_000);
        w.writeString("two \ud83d\ude00");
        w.writeFloat(3.5f);
        w.writeDouble(4.25);
        w.writeNil();
        w.writeBoolean(true);
        w.writeBinary(new byte[] {9, 8, 7}, 0, 3);
        w.writeArrayHeader(2);
        w.writeLong(1L << 40);
        w.writeString("x".repeat(300));
        Bytes<byte[]> bytes = Bytes.wrapForRead(w.toByteArray());
        ValueIn in = chronicleWire(bytes).getValueIn();
        List<Object> got = new ArrayList<>();
        in.sequence(got, (list, items) -> {
            list.add(items.int32());
            list.add(items.text());
            list.add(items.float32());
            list.add(items.float64());
            list.add(items.text());
            list.add(items.bool());
            list.add(items.bytes());
            List<Object> inner = new ArrayList<>();
            items.sequence(inner, (l, nested) -> {
                l.add(nested.int64());
                l.add(nested.text());
            });
            list.add(inner);
        });
        assertEquals(-70_000, got.get(0));
        assertEquals("two \ud83d\ude00", got.get(1));
        assertEquals(3.5f, got.get(2));
        assertEquals(4.25, got.get(3));
        assertNull(got.get(4));
        assertEquals(true, got.get(5));
        assertArrayEquals(new byte[] {9, 8, 7}, (byte[]) got.get(6));
        assertEquals(List.of(1L << 40, "x".repeat(300)), got.get(7));
    }

    @Test
    void weReadWhatChroniclesOwnWriterWrites() {
        Bytes<byte[]> bytes = Bytes.allocateElasticOnHeap(64);
        ValueOut out = chronicleWire(bytes).getValueOut();
        out.sequence(List.of(1, 2), (list, items) -> list.forEach(items::int32));
        out.int64(-5);
        out.int8((byte) 7);
        out.text("h\u00e9llo");
        out.float32(0.1f);
        out.float64(-0.0);
        out.bytes(new byte[] {1, 2});
        out.bool(false);
        out.nu11();
        byte[] frame = bytes.toByteArray();
        ValueReader r = WireFormat.chronicle().newReader();
        r.reset(frame, 0, frame.length);
        assertEquals(2, r.readArrayHeader());
        assertEquals(1, r.readInt());
        assertEquals(2, r.readInt());
        assertEquals(-5, r.readLong());
        assertEquals(7, r.readLong());
        assertEquals("h\u00e9llo", r.readString());
        assertEquals(0.1f, r.readFloat());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(r.readDouble()));
        assertArrayEquals(new byte[] {1, 2}, r.readBinary());
        assertEquals(false, r.readBoolean());
        r.readNil();
        assertEquals(false, r.hasNext());
    }

    @Test
    void hugeLengthsAreRefusedBeforeAllocating() {
        assertEquals("bytes_length32 (0x82) of 2147483647 bytes but only 1 bytes left at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x82, 0xff, 0xff, 0xff, 0x7f, 0x14)))
                        .getMessage());
        assertEquals("bytes_length32 (0x82) has a negative length -1 at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x82, 0xff, 0xff, 0xff, 0xff, 0x14)))
                        .getMessage());
        assertEquals("string_any (0xb8) of 2147483647 bytes but only 0 bytes left at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0xb8, 0xff, 0xff, 0xff, 0xff, 0x07)))
                        .getMessage());
        assertEquals("string_any (0xb8) length is out of range at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0xb8, 0xff, 0xff, 0xff, 0xff, 0x08)))
                        .getMessage());
        assertEquals("string_any (0xb8) length is not in canonical stop-bit form at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0xb8, 0x81, 0x00, 0x61)))
                        .getMessage());
    }

    @Test
    void truncatedElementsAreWireExceptions() {
        assertEquals("float64 (0x91) of 8 bytes but only 2 bytes left at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x91, 0, 0))).getMessage());
        assertEquals("truncated bytes_length16 (0x81): needs 3 bytes, 2 left at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x81, 0))).getMessage());
        assertEquals("expected a value but the range ended at offset 0",
                assertThrows(WireException.class, () -> wire.decode(new byte[0])).getMessage());
    }

    @Test
    void arrayWhoseLastElementOverrunsItIsRefused() {
        // an array of 2 content bytes holding an int16 (3 bytes)
        assertEquals("int16 (0xa5) of 2 bytes but only 1 bytes left at offset 2",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x80, 0x02, 0xa5, 0x01, 0x00)))
                        .getMessage());
    }

    @Test
    void codesOutsideTheSubsetAreRefused() {
        assertEquals("unsupported BinaryWire code 0x92 at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0x92, 0x01))).getMessage());
        assertEquals("unsupported BinaryWire code 0xb6 at offset 0",
                assertThrows(WireException.class, () -> wire.decode(Wire.bytes(0xb6))).getMessage());
        ValueReader r = WireFormat.chronicle().newReader();
        byte[] array = Wire.bytes(0x80, 0x02, 0xe1, 0x61);
        r.reset(array, 0, array.length);
        assertEquals(1, r.readArrayHeader());
        assertEquals("expected integer but found string string1 (0xe1) at offset 2",
                assertThrows(WireException.class, r::readLong).getMessage());
    }

    @Test
    void malformedUtf8BecomesReplacementCharacters() {
        assertEquals("a\ufffdb", wire.decode(Wire.bytes(0xe3, 0x61, 0xff, 0x62)));
        assertEquals("\ud83d\ude00", wire.decode(Wire.bytes(0xe4, 0xf0, 0x9f, 0x98, 0x80)));
    }

    /** The format keeps them (the codec refuses them above it, since msgpack can't: see LoneSurrogateTest). */
    @Test
    void stringsWithLoneSurrogatesRoundTripExactlyThroughTheWriterAndReader() {
        for (String s : List.of("\ud800", "a\udc00b", "\ud83d\ud83d\ude00")) {
            wire.writer.reset();
            wire.writer.writeString(s);
            byte[] b = wire.writer.toByteArray();
            wire.reader.reset(b, 0, b.length);
            assertEquals(s, wire.reader.readString());
        }
    }

    @Test
    void missingJarIsReportedWithTheDependency() {
        ClassLoader withoutChronicle = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChronicleFormat.checkAvailable(withoutChronicle));
        assertTrue(e.getMessage().startsWith("the wire format 'chronicle' needs Chronicle Wire, which is not on the "
                + "class path: add the Maven dependency net.openhft:chronicle-wire:2026.7"), e.getMessage());
    }

    @Test
    void writerMayBeHandedToAnotherThread() throws Exception {
        ValueWriter w = WireFormat.chronicle().newWriter();
        w.writeLong(1);
        Thread t = new Thread(() -> {
            w.reset();
            w.writeString("from another thread");
        });
        t.start();
        t.join();
        ValueReader r = WireFormat.chronicle().newReader();
        byte[] b = w.toByteArray();
        r.reset(b, 0, b.length);
        assertEquals("from another thread", r.readString());
    }
}
