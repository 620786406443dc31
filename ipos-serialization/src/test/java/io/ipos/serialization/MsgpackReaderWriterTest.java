package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MsgpackReaderWriterTest {
    private final ValueWriter w = WireFormat.msgpack().newWriter();
    private final ValueReader r = WireFormat.msgpack().newReader();

    private void read(byte[] bytes) {
        r.reset(bytes, 0, bytes.length);
    }

    @Test
    void formatIsFoundByName() {
        assertSame(WireFormat.msgpack(), WireFormat.byName("msgpack"));
        assertEquals("msgpack", WireFormat.msgpack().name());
        assertEquals(List.of("msgpack", "json", "chronicle"), WireFormat.names());
    }

    @Test
    void unknownFormatNameListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WireFormat.byName("xml"));
        assertEquals("unknown wire format 'xml'; valid formats: msgpack, json, chronicle", e.getMessage());
    }

    @Test
    void universalBufferPropertyIsSetBeforeMsgpackLoads() {
        assertEquals("true", System.getProperty("msgpack.universal-buffer"));
    }

    @Test
    void writerIsReusableAfterReset() {
        w.writeString("first");
        w.writeLong(1);
        assertEquals(7, w.size());
        w.reset();
        assertEquals(0, w.size());
        w.writeBoolean(true);
        assertArrayEquals(new byte[] {(byte) 0xc3}, w.toByteArray());
    }

    @Test
    void copyToWritesAtTheOffset() {
        w.writeArrayHeader(2);
        w.writeNil();
        w.writeDouble(0.5);
        byte[] dst = new byte[20];
        dst[0] = 42;
        w.copyTo(dst, 1);
        assertEquals(42, dst[0]);
        assertEquals("92 c0 cb 3f e0 00 00 00 00 00 00", Wire.hex(java.util.Arrays.copyOfRange(dst, 1, 1 + w.size())));
        assertThrows(IndexOutOfBoundsException.class, () -> w.copyTo(new byte[5], 0));
    }

    @Test
    void manySmallValuesAndLargePayloadsInterleave() {
        byte[] payload = new byte[100_000];
        payload[99_999] = 9;
        for (int round = 0; round < 3; round++) {
            w.reset();
            for (int i = 0; i < 5_000; i++) {
                w.writeLong(i);
                w.writeString("s" + i);
                if (i % 1000 == 0) {
                    w.writeBinary(payload, 1, payload.length - 1);
                }
            }
            byte[] bytes = w.toByteArray();
            read(bytes);
            for (int i = 0; i < 5_000; i++) {
                assertEquals(i, r.readLong());
                assertEquals("s" + i, r.readString());
                if (i % 1000 == 0) {
                    byte[] back = r.readBinary();
                    assertEquals(payload.length - 1, back.length);
                    assertEquals(9, back[back.length - 1]);
                }
            }
            assertFalse(r.hasNext());
        }
    }

    @Test
    void readerStaysInsideItsRange() {
        byte[] bytes = {(byte) 0xff, 0x01, 0x02, (byte) 0xc0};
        r.reset(bytes, 1, 2);
        assertEquals(0, r.position());
        assertEquals(1, r.readInt());
        assertEquals(1, r.position());
        assertEquals(2L, r.readLong());
        assertFalse(r.hasNext());
        WireException e = assertThrows(WireException.class, r::nextKind);
        assertEquals("expected a value but the range ended at offset 2", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> r.reset(bytes, 3, 2));
    }

    @Test
    void nextKindPeeksWithoutConsuming() {
        w.writeNil();
        w.writeBoolean(false);
        w.writeLong(-5);
        w.writeFloat(1f);
        w.writeDouble(1d);
        w.writeString("s");
        w.writeBinary(new byte[1], 0, 1);
        w.writeArrayHeader(0);
        read(w.toByteArray());
        for (ValueKind kind : ValueKind.values()) {
            assertEquals(kind, r.nextKind());
            assertEquals(kind, r.nextKind());
            r.skipValue();
        }
        assertFalse(r.hasNext());
    }

    @Test
    void floatAndDoubleAreNotInterchangeable() {
        w.writeDouble(1.0);
        w.writeFloat(1.0f);
        read(w.toByteArray());
        assertEquals("expected float32 but found float64 at offset 0",
                assertThrows(WireException.class, r::readFloat).getMessage());
        read(w.toByteArray());
        r.skipValue();
        assertEquals("expected float64 but found float32 at offset 9",
                assertThrows(WireException.class, r::readDouble).getMessage());
    }

    @Test
    void readIntRejectsValuesOutsideIntRange() {
        w.writeLong(1L << 31);
        read(w.toByteArray());
        WireException e = assertThrows(WireException.class, r::readInt);
        assertTrue(e.getMessage().startsWith("integer out of range"), e.getMessage());
        read(w.toByteArray());
        assertEquals(1L << 31, r.readLong());
    }

    @Test
    void uint64AboveLongMaxIsAnIntegerThatReadLongRejects() {
        read(Wire.bytes(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
        assertEquals(ValueKind.INTEGER, r.nextKind());
        assertThrows(WireException.class, r::readLong);
    }

    @Test
    void skipValueSkipsNestedArrays() {
        w.writeArrayHeader(2);
        w.writeArrayHeader(2);
        w.writeString("a");
        w.writeBinary(new byte[3], 0, 3);
        w.writeLong(1L << 40);
        w.writeString("after");
        read(w.toByteArray());
        r.skipValue();
        assertEquals("after", r.readString());
    }

    @Test
    void skipValueRejectsMapsAndTruncation() {
        read(Wire.bytes(0x91, 0x81, 0x01, 0x02));
        assertEquals("unsupported msgpack type fixmap at offset 1",
                assertThrows(WireException.class, r::skipValue).getMessage());
        read(Wire.bytes(0x92, 0x01));
        assertThrows(WireException.class, r::skipValue);
        read(Wire.bytes(0xcd, 0x01));
        assertThrows(WireException.class, r::skipValue);
    }

    @Test
    void invalidUtf8DecodesWithReplacementCharacters() {
        read(Wire.bytes(0xa2, 0xc3, 0x28));
        assertEquals("\ufffd(", r.readString());
    }

    @Test
    void writerRejectsBadArguments() {
        assertThrows(NullPointerException.class, () -> w.writeString(null));
        assertThrows(IllegalArgumentException.class, () -> w.writeArrayHeader(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> w.writeBinary(new byte[2], 1, 2));
    }

    @Test
    void rangeAtOffsetZeroNeverReadsPastItsEnd() {
        byte[] bytes = Wire.bytes(0xcd, 0x01, 0x02, 0xa3, 0x61, 0x62, 0x63, 0x93, 0xc0, 0xc0, 0xc0);
        r.reset(bytes, 0, 2);
        assertEquals("truncated uint16: needs 3 bytes, 2 left at offset 0",
                assertThrows(WireException.class, r::readLong).getMessage());
        r.reset(bytes, 0, 3);
        assertEquals(258, r.readInt());
        r.reset(bytes, 0, 3);
        r.skipValue();
        assertFalse(r.hasNext());
        r.reset(bytes, 0, 6);
        r.skipValue();
        assertEquals("fixstr of 3 bytes but only 2 bytes left at offset 3",
                assertThrows(WireException.class, r::readString).getMessage());
        r.reset(bytes, 0, 9);
        r.skipValue();
        r.skipValue();
        assertEquals("array of 3 elements but only 1 bytes left at offset 7",
                assertThrows(WireException.class, r::readArrayHeader).getMessage());
    }

    @Test
    void resettingToTheSameArrayAtOffsetZeroAllocatesNothing() {
        byte[] body = new byte[64];
        w.writeArrayHeader(2);
        w.writeLong(300);
        w.writeBoolean(true);
        int size = w.size();
        w.copyTo(body, 0);
        long sum = 0;
        for (int round = 0; round < 2; round++) {
            long before = Wire.allocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                r.reset(body, 0, size);
                sum += r.readArrayHeader() + r.readInt() + (r.readBoolean() ? 1 : 0);
            }
            long perRead = (Wire.allocatedBytes() - before) / 10_000;
            if (round == 1) {
                assertEquals(0, perRead, "bytes allocated per reset and read");
            }
        }
        assertEquals(2 * 10_000 * 303L, sum);
    }

    @Test
    void warmWriterAllocatesNothingForNumbers() {
        byte[] out = new byte[64];
        for (int round = 0; round < 2; round++) {
            long before = Wire.allocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                w.reset();
                w.writeArrayHeader(3);
                w.writeLong(i);
                w.writeDouble(i);
                w.writeNil();
                w.copyTo(out, 0);
            }
            long perWrite = (Wire.allocatedBytes() - before) / 10_000;
            if (round == 1) {
                assertEquals(0, perWrite, "bytes allocated per reset and write");
            }
        }
    }
}
