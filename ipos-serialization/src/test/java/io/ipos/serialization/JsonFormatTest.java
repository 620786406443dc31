package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JsonFormatTest {
    record P(int x, int y) { }

    private final Wire wire = new Wire(WireFormat.json(), new ClassRegistry());

    private String json(Object value) {
        return new String(wire.encode(value), StandardCharsets.UTF_8);
    }

    private Object parse(String json) {
        return wire.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private String error(String json) {
        return assertThrows(WireException.class, () -> parse(json)).getMessage();
    }

    @Test
    void formatIsFoundByName() {
        assertSame(WireFormat.json(), WireFormat.byName("json"));
        assertEquals("json", WireFormat.json().name());
    }

    @Test
    void valuesHaveTheDocumentedJson() {
        assertEquals("null", json(null));
        assertEquals("true", json(true));
        assertEquals("5", json(5));
        assertEquals("[1,5]", json(5L));
        assertEquals("2147483648", json(2_147_483_648L));
        assertEquals("1.5", json(1.5));
        assertEquals("2.0", json(2.0));
        assertEquals("-0.0", json(-0.0));
        assertEquals("1.0E300", json(1e300));
        assertEquals("{\"f32\":1.5}", json(1.5f));
        assertEquals("{\"f32\":-0.0}", json(-0.0f));
        assertEquals("{\"f32\":\"NaN\"}", json(Float.NaN));
        assertEquals("{\"f32\":\"0x7f800001\"}", json(Float.intBitsToFloat(0x7f80_0001)));
        assertEquals("{\"f64\":\"-Infinity\"}", json(Double.NEGATIVE_INFINITY));
        assertEquals("{\"f64\":\"0x7ff0000000000001\"}", json(Double.longBitsToDouble(0x7ff0_0000_0000_0001L)));
        assertEquals("\"h\u00e9\\u0000\ud83d\ude00\"", json("h\u00e9\0\ud83d\ude00"));
        wire.writer.reset();
        wire.writer.writeString("\ud800"); // the writer escapes a lone surrogate; the codec never hands it one
        assertEquals("\"\\uD800\"", new String(wire.writer.toByteArray(), StandardCharsets.UTF_8));
        assertEquals("{\"bin\":\"AQID\"}", json(new byte[] {1, 2, 3}));
        assertEquals("{\"bin\":\"\"}", json(new byte[0]));
        assertEquals("[20,1,null,\"x\"]", json(Arrays.asList(1, null, "x")));
        assertEquals("[21,true]", json(java.util.Set.of(true)));
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("a", 1);
        map.put(null, null);
        assertEquals("[22,\"a\",1,null,null]", json(map));
        assertEquals("[4,97]", json('a'));
        assertEquals("[5,{\"bin\":\"AIA=\"}]", json(BigInteger.valueOf(128)));
        assertEquals("[6,{\"bin\":\"AJY=\"},2]", json(new BigDecimal("1.50")));
        assertEquals("[7,1,2]", json(new UUID(1, 2)));
        wire.registry.register(P.class, "p");
        assertEquals("[30,\"p\",[20,1,2]]", json(new P(1, 2)));
    }

    @Test
    void everyFloatAndDoubleSurvivesTheDecimalForm() {
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < 20_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits((Float) wire.roundTrip(f)));
            double d = Double.longBitsToDouble(random.nextLong());
            assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) wire.roundTrip(d)));
        }
    }

    @Test
    void readerAcceptsWhitespaceAndNonCanonicalFloats() {
        assertEquals(List.of(1, "a"), parse(" [ 20 ,\n 1 , \"a\" ]\r\n"));
        assertEquals(2.0, parse("{\"f64\": 2}"));
        assertEquals(2.0f, parse("{ \"f32\" : 2 }"));
        assertEquals(Double.POSITIVE_INFINITY, parse("1e400"));
        assertEquals(0x7fc0_0001, Float.floatToRawIntBits((Float) parse("{\"f32\":\"0x7fc00001\"}")));
        assertEquals(-0.0f, parse("{\"f32\":\"0x80000000\"}"));
        assertEquals(0, parse("-0"));
    }

    @Test
    void malformedJsonIsAWireExceptionWithItsOffset() {
        assertEquals("malformed json: Unexpected character (']' (code 93)): expected a value at offset 6",
                error("[20,1,]"));
        assertTrue(error("[20,1").endsWith(" at offset 5"), error("[20,1"));
        assertTrue(error("[20,1] x").endsWith(" at offset 7"), error("[20,1] x"));
        byte[] invalidUtf8 = {'"', (byte) 0xff, '"'};
        assertTrue(assertThrows(WireException.class, () -> wire.decode(invalidUtf8)).getMessage()
                .startsWith("malformed json: Invalid UTF-8"));
    }

    @Test
    void objectsOtherThanTheThreeTaggedFormsAreRefused() {
        assertEquals("empty json object: an object must be {\"f32\": x}, {\"f64\": x} or {\"bin\": s} at offset 4",
                error("[20,{}]"));
        assertEquals("unknown json object key \"x\": an object must be {\"f32\": x}, {\"f64\": x} or {\"bin\": s} at offset 0",
                error("{\"x\":1}"));
        assertEquals("a json object must have exactly one member at offset 0", error("{\"f32\":1,\"f64\":2}"));
        assertEquals("f32 must hold a number or a string, found VALUE_TRUE at offset 0", error("{\"f32\":true}"));
        assertEquals("f64 string must be NaN, Infinity, -Infinity or 0x and 16 lower-case hex digits, found \"nan\""
                + " at offset 0", error("{\"f64\":\"nan\"}"));
        assertEquals("bin must hold a base64 string, found VALUE_NUMBER_INT at offset 0", error("{\"bin\":1}"));
        assertTrue(error("{\"bin\":\"!!!!\"}").startsWith("malformed json: "), error("{\"bin\":\"!!!!\"}"));
    }

    @Test
    void kindsAreCheckedWithOffsets() {
        assertEquals("expected integer but found string at offset 3", error("[1,\"1\"]"));
        assertEquals("integer out of range: 12345678901234567890 at offset 3", error("[7,12345678901234567890,1]"));
        byte[] body = "[{\"f32\":1}]".getBytes(StandardCharsets.UTF_8);
        ValueReader r = WireFormat.json().newReader();
        r.reset(body, 0, body.length);
        r.readArrayHeader();
        assertEquals("expected float64 but found float32 at offset 1",
                assertThrows(WireException.class, r::readDouble).getMessage());
    }

    @Test
    void nestingBeyondTheLimitIsRefusedOnBothSides() {
        String deep = "[".repeat(JsonFormat.MAX_NESTING + 1) + "]".repeat(JsonFormat.MAX_NESTING + 1);
        assertEquals("arrays nested deeper than maxNesting=4096 at offset 4096", error(deep));
        ValueWriter w = WireFormat.json().newWriter();
        for (int i = 0; i < JsonFormat.MAX_NESTING; i++) {
            w.writeArrayHeader(1);
        }
        assertThrows(IllegalStateException.class, () -> w.writeArrayHeader(1));
        w.reset();
        w.writeLong(1);
        assertEquals("1", new String(w.toByteArray(), StandardCharsets.UTF_8));
    }

    @Test
    void readerTellsThePositionOfEachElement() {
        byte[] body = "[20, 1, {\"f32\":2.5}, \"x\"]".getBytes(StandardCharsets.UTF_8);
        ValueReader r = WireFormat.json().newReader();
        r.reset(body, 0, body.length);
        assertEquals(0, r.position());
        assertEquals(4, r.readArrayHeader());
        assertEquals(1, r.position());
        r.skipValue();
        assertEquals(5, r.position());
        r.skipValue();
        assertEquals(8, r.position());
        assertEquals(2.5f, r.readFloat());
        assertEquals(21, r.position());
        r.skipValue();
        assertEquals(body.length, r.position());
    }

    @Test
    void emptyBodyHasNoElements() {
        ValueReader r = WireFormat.json().newReader();
        r.reset(" \n".getBytes(StandardCharsets.UTF_8), 0, 2);
        assertEquals(false, r.hasNext());
    }

    @Test
    void tenMebibyteByteArrayRoundTrips() {
        byte[] big = new byte[10 << 20];
        new java.util.Random(5).nextBytes(big);
        assertArrayEquals(big, (byte[]) wire.roundTrip(big));
    }
}
