package io.ipos;

import java.nio.charset.StandardCharsets;

/**
 * The wire layout of an ipos link, in one place. A link is a byte stream in each direction (a
 * child's stdout to the parent, the parent to the child's stdin).
 *
 * <pre>
 * stream  := MAGIC frame*
 * MAGIC   := 89 49 50 4F 53 0D 0A 1A          ("\x89IPOS\r\n\x1A", as in PNG: catches text-mode mangling)
 *
 * frame:
 *   0                   4         5
 *   +-------------------+---------+------------------------------------+
 *   | length  u32 BE    | type u8 | body (length - 1 bytes)            |
 *   +-------------------+---------+------------------------------------+
 *   length counts the type byte and the body; 1 &lt;= length &lt;= maxFrameBytes
 *
 * child -&gt; parent                         parent -&gt; child
 *   HELLO     u16 version, u64 pid            WELCOME   u16 version, u32 child id,
 *   READY     (empty)                                   u32 maxFrameBytes, u8 n, n bytes format name
 *   OP        op (wire format)                SNAPSHOT  [counters, root literal] (wire format)
 *   SYNC_ACK  u64 token                       OP        op (wire format)
 *   ERROR     UTF-8 text                      ACK       u32 count of the child's ops now applied
 *                                             SYNC      u64 token
 *                                             ERROR     UTF-8 text
 * </pre>
 *
 * <p>HELLO, WELCOME and the control frames are fixed binary, big-endian, independent of the wire
 * format. OP and SNAPSHOT bodies are encoded in the wire format the parent names in WELCOME:
 *
 * <pre>
 * op       := [code, target node id, field...]
 * SNAPSHOT := [[creator, max counter, creator, max counter...], [40, 0, key, value...]]
 * literal  := [40, id, key, value, ...] map | [41, id, element...] list | [42, id, element...] set
 * </pre>
 *
 * <p>See {@code docs/protocol.md} for each op's fields and the value tags.
 */
final class FrameDescriptor {
    private FrameDescriptor() {
    }

    static final byte[] MAGIC = {(byte) 0x89, 'I', 'P', 'O', 'S', '\r', '\n', 0x1A};
    static final int VERSION = 1;

    static final int LENGTH_OFFSET = 0;
    static final int TYPE_OFFSET = 4;
    static final int HEADER_LENGTH = 5;
    static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;

    // frame types
    static final int HELLO = 1;
    static final int WELCOME = 2;
    static final int SNAPSHOT = 3;
    static final int READY = 4;
    static final int OP = 5;
    static final int ACK = 6;
    static final int SYNC = 7;
    static final int SYNC_ACK = 8;
    static final int ERROR = 9;

    // op codes
    static final int OP_MAP_PUT = 1;
    static final int OP_MAP_REMOVE = 2;
    static final int OP_MAP_CLEAR = 3;
    static final int OP_LIST_INSERT = 4;
    static final int OP_LIST_SET = 5;
    static final int OP_LIST_REMOVE = 6;
    static final int OP_LIST_CLEAR = 7;
    static final int OP_LIST_PERMUTE = 8;
    static final int OP_SET_ADD = 9;
    static final int OP_SET_REMOVE = 10;
    static final int OP_SET_CLEAR = 11;
    static final int OP_MAP_PUT_IF_ABSENT = 12;
    static final int OP_MAP_REPLACE_IF = 13;
    static final int OP_MAP_REMOVE_IF = 14;

    // container literal tags (inside the range the value codec reserves for ipos-core)
    static final int LITERAL_MAP = 40;
    static final int LITERAL_LIST = 41;
    static final int LITERAL_SET = 42;

    static String typeName(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case WELCOME -> "WELCOME";
            case SNAPSHOT -> "SNAPSHOT";
            case READY -> "READY";
            case OP -> "OP";
            case ACK -> "ACK";
            case SYNC -> "SYNC";
            case SYNC_ACK -> "SYNC_ACK";
            case ERROR -> "ERROR";
            default -> "type " + type;
        };
    }

    static String opName(int code) {
        return switch (code) {
            case OP_MAP_PUT -> "MAP_PUT";
            case OP_MAP_REMOVE -> "MAP_REMOVE";
            case OP_MAP_CLEAR -> "MAP_CLEAR";
            case OP_LIST_INSERT -> "LIST_INSERT";
            case OP_LIST_SET -> "LIST_SET";
            case OP_LIST_REMOVE -> "LIST_REMOVE";
            case OP_LIST_CLEAR -> "LIST_CLEAR";
            case OP_LIST_PERMUTE -> "LIST_PERMUTE";
            case OP_SET_ADD -> "SET_ADD";
            case OP_SET_REMOVE -> "SET_REMOVE";
            case OP_SET_CLEAR -> "SET_CLEAR";
            case OP_MAP_PUT_IF_ABSENT -> "MAP_PUT_IF_ABSENT";
            case OP_MAP_REPLACE_IF -> "MAP_REPLACE_IF";
            case OP_MAP_REMOVE_IF -> "MAP_REMOVE_IF";
            default -> "op " + code;
        };
    }

    static int getInt(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static long getLong(byte[] b, int off) {
        return (long) getInt(b, off) << 32 | (getInt(b, off + 4) & 0xFFFFFFFFL);
    }

    static int getShort(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) (v >>> 32));
        putInt(b, off + 4, (int) v);
    }

    static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static byte[] hello(long pid) {
        byte[] b = new byte[10];
        putShort(b, 0, VERSION);
        putLong(b, 2, pid);
        return b;
    }

    static byte[] welcome(int childId, int maxFrameBytes, String format) {
        byte[] name = format.getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[11 + name.length];
        putShort(b, 0, VERSION);
        putInt(b, 2, childId);
        putInt(b, 6, maxFrameBytes);
        b[10] = (byte) name.length;
        System.arraycopy(name, 0, b, 11, name.length);
        return b;
    }

    static byte[] u32(int v) {
        byte[] b = new byte[4];
        putInt(b, 0, v);
        return b;
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }
}
