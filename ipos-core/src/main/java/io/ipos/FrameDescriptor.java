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
 *   HELLO     u16 version, u64 pid,           WELCOME   u16 version, u32 child id,
 *             u8 n, n bytes name (UTF-8,                u32 maxFrameBytes, u8 n, n bytes format name,
 *             0: let the parent name it),               u8 access (0 read-write, 1 read-only),
 *             u8 s, s bytes secret (0: none)            u8 n, n bytes the child's name (UTF-8),
 *                                                       u16 p, p x (u32 id, u8 n, n bytes name):
 *                                                       the other peers connected now, parent first
 *   READY     (empty)                         SNAPSHOT  [counters, root literal] (wire format)
 *   SYNC_ACK  u64 token                       OP        op (wire format)
 *   ERROR     UTF-8 text                      ACK       u32 count of the child's ops now applied
 *   RETRY     (empty): the ops after it are   SYNC      u64 token
 *             sent again after a LOST         ERROR     UTF-8 text
 *                                             REJECT    UTF-8 reason: the child's oldest
 *                                                       unacknowledged op was refused
 *                                             RESYNC    u32 count of the child's ops now settled,
 *                                                       then a SNAPSHOT body that replaces the state;
 *                                                       a LOST follows if the next op lost meanwhile
 *                                             RELAY     u32 origin child id, then an op (wire format):
 *                                                       a sibling's op, relayed
 *                                             PEER      u8 joined (1) or left (0), u32 id, u8 n,
 *                                                       n bytes name: a sibling came or went
 *                                             LOST      (empty): the child's oldest unacknowledged
 *                                                       op was a compute (or a unit holding one)
 *                                                       whose key had changed: it changed nothing,
 *                                                       and the parent skips every later op of the
 *                                                       child until its RETRY
 *   RESENT    (empty): the ops sent again
 *             after a RETRY are all sent
 *   EXPOSE    u32 request id, u8 n, n bytes       EXPOSED   u32 request id, u8 status (0 exposed,
 *             name, then the interface name                 1 refused), then UTF-8 reason
 *   UNEXPOSE  the name (UTF-8)
 *
 * both ways, routed by the parent in its one order (see {@link Router}):
 *   MSG       u32 peer, u8 n, n bytes topic (UTF-8), then one value (wire format)
 *   CALL      u32 peer, u64 call id, u8 n, n bytes name (UTF-8), then one wire-format array
 *             [interface name, method name, [parameter type names], [arguments]]
 *   RESULT    u32 peer, u64 call id, u8 status: 0 returned, then the value (wire format);
 *             1 threw, then [class name, message, [[class, method, file, line]...], cause];
 *             2 failed (nothing ran, or the callee left or refused), then UTF-8 reason
 *   CANCEL    u32 peer, u64 call id
 *   peer: on the way to the parent, the destination (MSG: a peer id, or ALL_PEERS for every
 *   other process; RESULT: the caller; CALL and CANCEL: ALL_PEERS, the parent knows where the
 *   call goes); on the way from the parent, the origin (MSG, CALL, CANCEL: the sender, RESULT:
 *   the callee)
 * </pre>
 *
 * <p>Go-back-N after a lost compute (see {@code docs/design.md}, "No lost updates"):
 *
 * <pre>
 * child                                        parent
 *   OP c (compute, read k = 0)   ---------&gt;     k is 1 now: c changes nothing
 *   OP w (a later write)         ---------&gt;   &lt;--- LOST            (after the ACKs before c)
 *                                               w skipped: not applied, relayed or acknowledged
 *   RETRY                        ---------&gt;     skipping ends
 *   OP c' (c run again on k = 1) ---------&gt;   &lt;--- ACK 1
 *   OP w  (sent again)           ---------&gt;   &lt;--- ACK 1
 * </pre>
 *
 * <p>A joiner over a socket must send MAGIC and HELLO at once: the parent reads at most
 * {@link #MAX_HELLO_BYTES} and waits for them at most a few seconds before it drops the socket,
 * and a HELLO without the right secret is answered with MAGIC and an ERROR frame, nothing else.
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
    /**
     * 2: HELLO carries a name and a secret, WELCOME the access, the name and the peers; PEER frames.
     * 3: messages and calls (MSG, CALL, RESULT, CANCEL, EXPOSE, EXPOSED, UNEXPOSE) and RESENT.
     */
    static final int VERSION = 3;

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
    static final int REJECT = 10;
    static final int RESYNC = 11;
    static final int RELAY = 12;
    static final int PEER = 13;

    /** The largest HELLO a parent reads: a version, a pid, a name and a secret of at most 255 bytes each. */
    static final int MAX_HELLO_BYTES = 2 + 8 + 1 + 255 + 1 + 255;
    /** The longest peer name, in UTF-8 bytes. */
    static final int MAX_NAME_BYTES = 255;
    static final int LOST = 14;
    static final int RETRY = 15;
    static final int MSG = 16;
    static final int CALL = 17;
    static final int RESULT = 18;
    static final int CANCEL = 19;
    static final int EXPOSE = 20;
    static final int EXPOSED = 21;
    static final int UNEXPOSE = 22;
    static final int RESENT = 23;
    /** The peer field of a MSG to every other process, or of a CALL or CANCEL (the parent routes it). */
    static final int ALL_PEERS = 0xFFFFFFFF;
    /** RESULT statuses. */
    static final int RESULT_RETURNED = 0;
    static final int RESULT_THREW = 1;
    static final int RESULT_FAILED = 2;

    /** The most bytes of text a REJECT or ERROR frame carries (longer reasons are cut). */
    static final int MAX_REASON_BYTES = 1 << 10;

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
    /** An atomic unit: its fields are whole ops, applied together ({@link UnitOp}). */
    static final int OP_UNIT = 15;
    /**
     * A compute-family write ({@code compute}, {@code computeIfPresent}, {@code merge}): its result,
     * applied only if the key still holds the value the function read ({@link MapOps.Compute}).
     */
    static final int OP_MAP_COMPUTE = 16;

    // container literal tags (inside the range the value codec reserves for ipos-core)
    static final int LITERAL_MAP = 40;
    static final int LITERAL_LIST = 41;
    static final int LITERAL_SET = 42;

    /**
     * Whether {@code type} is a frame type some peer sends: one that {@link #typeName} knows, so a
     * new type is known here once it has a name (a known name is a constant: nothing is allocated).
     */
    static boolean isFrameType(int type) {
        return !typeName(type).startsWith("type ");
    }

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
            case REJECT -> "REJECT";
            case RESYNC -> "RESYNC";
            case RELAY -> "RELAY";
            case PEER -> "PEER";
            case LOST -> "LOST";
            case RETRY -> "RETRY";
            case MSG -> "MSG";
            case CALL -> "CALL";
            case RESULT -> "RESULT";
            case CANCEL -> "CANCEL";
            case EXPOSE -> "EXPOSE";
            case EXPOSED -> "EXPOSED";
            case UNEXPOSE -> "UNEXPOSE";
            case RESENT -> "RESENT";
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
            case OP_UNIT -> "UNIT";
            case OP_MAP_COMPUTE -> "MAP_COMPUTE";
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

    static byte[] hello(long pid, String name, byte[] secret) {
        byte[] n = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
        byte[] s = secret == null ? new byte[0] : secret;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2 + 8 + 1 + n.length + 1 + s.length);
        b.putShort((short) VERSION).putLong(pid).put((byte) n.length).put(n).put((byte) s.length).put(s);
        return b.array();
    }

    static byte[] welcome(int childId, int maxFrameBytes, String format, boolean readOnly, String name,
            java.util.List<? extends Peer> peers) {
        byte[] f = format.getBytes(StandardCharsets.US_ASCII);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream tail = new java.io.ByteArrayOutputStream();
        for (Peer p : peers) {
            tail.writeBytes(peer(p)); // the same (u32 id, u8 n, name) as a PEER frame after its first byte
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2 + 4 + 4 + 1 + f.length + 1 + 1 + n.length + 2 + tail.size());
        b.putShort((short) VERSION).putInt(childId).putInt(maxFrameBytes).put((byte) f.length).put(f);
        b.put((byte) (readOnly ? 1 : 0)).put((byte) n.length).put(n).putShort((short) peers.size()).put(tail.toByteArray());
        return b.array();
    }

    /** u32 id, u8 n, n bytes name. */
    static byte[] peer(Peer p) {
        byte[] n = p.name().getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[5 + n.length];
        putInt(b, 0, p.id());
        b[4] = (byte) n.length;
        System.arraycopy(n, 0, b, 5, n.length);
        return b;
    }

    /** A PEER frame's body: u8 joined, then {@link #peer}. */
    static byte[] peerEvent(Peer p, boolean joined) {
        byte[] one = peer(p);
        byte[] b = new byte[1 + one.length];
        b[0] = (byte) (joined ? 1 : 0);
        System.arraycopy(one, 0, b, 1, one.length);
        return b;
    }

    /** {@code text} as UTF-8, cut to at most {@code max} bytes (on a character boundary). */
    static byte[] utf8(String text, int max) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) {
            return b;
        }
        int end = max;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--;
        }
        return java.util.Arrays.copyOf(b, end);
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
