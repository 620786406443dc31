package io.ipos;

import io.ipos.serialization.ClassRegistry;
import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.ValueWriter;
import io.ipos.serialization.WireFormat;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** CALL frames as a forger writes them, for the tests that check what a callee refuses. */
final class ForgedCalls {
    private ForgedCalls() {
    }

    /** A CALL up to the parent: any interface, method, parameter types and arguments, in {@code format}. */
    static byte[] call(WireFormat format, long id, String name, String api, String method, List<String> types, Object... args) {
        ValueWriter w = format.newWriter();
        ValueCodec codec = new ValueCodec(ClassRegistry.global());
        w.writeArrayHeader(4);
        w.writeString(api);
        w.writeString(method);
        w.writeArrayHeader(types.size());
        types.forEach(w::writeString);
        w.writeArrayHeader(args.length);
        for (Object a : args) {
            codec.write(w, a);
        }
        return frame(id, name, w.toByteArray());
    }

    /** A whole CALL frame (header included) with {@code tail} after the name, whatever it holds. */
    static byte[] frame(long id, String name, byte[] tail) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[13 + n.length + tail.length];
        FrameDescriptor.putInt(body, 0, FrameDescriptor.ALL_PEERS);
        FrameDescriptor.putLong(body, 4, id);
        body[12] = (byte) n.length;
        System.arraycopy(n, 0, body, 13, n.length);
        System.arraycopy(tail, 0, body, 13 + n.length, tail.length);
        return BadInputProcessTest.frame(FrameDescriptor.CALL, body);
    }
}
