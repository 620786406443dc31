package io.ipos;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads frames ({@link FrameDescriptor}) from a stream into one reusable buffer. A frame's body is
 * valid until the next read. {@link #hasBufferedFrame()} tells, without blocking, whether a whole
 * frame is already buffered, so a reader can apply a batch of frames under one lock without ever
 * waiting on the stream while holding it.
 *
 * <p>Memory follows the bytes that arrive, not the lengths that are announced: the buffer starts
 * at {@link #START_BYTES} and doubles only when it is full of bytes read and the frame needs more
 * (a bare header announcing 64 MiB costs nothing until 64 MiB come), and once the frames that
 * needed a bigger buffer are consumed it goes back to {@link #START_BYTES}. Receiving a frame of
 * n bytes allocates at most about 3n bytes of buffer on the way, all of it garbage once the frame
 * has been read past.
 *
 * <p>A header that can't be a frame (a length out of bounds, a type no peer sends) is corrupt
 * input. On a child's stdout it is almost always text that something in the child wrote to the
 * real stdout after {@code connect()}: the error then quotes it and says what to do.
 */
final class FrameReader {
    /** The buffer's size at the start and whenever no bigger frame is in it. */
    /**
     * How long a link thread polls for work before it sleeps (both directions, both sides): a
     * sleeping thread takes tens of microseconds to wake, so polling briefly after each frame keeps
     * a conversation near the pipe's own latency. 0 turns it off; it is off by default on a single
     * core, where a polling thread can only take time from the one it waits for.
     */
    static final long SPIN_NANOS = Long.getLong("ipos.spinMicros",
            Runtime.getRuntime().availableProcessors() > 1 ? 100L : 0L) * 1_000L;
    /**
     * The most frames a reader applies under one hold of the replica's lock; it also lets go as
     * soon as another thread waits for the lock. Without a bound, a peer that sends faster than
     * this process applies (the parent's writes over TCP, measured) kept the lock with the reader
     * for good, and this process's own writers never got it.
     */
    static final int MAX_BATCH = 1_024;

    static final int START_BYTES = 64 << 10;
    /** How many bytes of stray text a bad-header error quotes at most (it shows up to {@link #QUOTE_CHARS}). */
    static final int QUOTE_BYTES = 320;
    static final int QUOTE_CHARS = 80;
    /** What to do about text on a child's stdout: part of the parent's error and of the child's. */
    static final String STRAY_TEXT_ADVICE = "After connect(), print with System.out or System.err (ipos points "
            + "System.out at stderr); nothing may write to the real stdout: not FileDescriptor.out, not a PrintStream "
            + "or logger made before connect(), not a program the child starts that inherits it "
            + "(ProcessBuilder.inheritIO() and redirectOutput(Redirect.INHERIT) are not safe: use Redirect.to(file), "
            + "Redirect.DISCARD or a pipe you read)";
    /** What a peer's ERROR text is cut to before it is reported. */
    static final int REPORT_BYTES = FrameDescriptor.MAX_REASON_BYTES;

    private final InputStream in;
    private final String peer;
    /** Whether this reads a child's stdout (the parent's side), where a bad header is explained as stray text. */
    private final boolean childStdout;
    private int maxFrameBytes;
    private byte[] buf = new byte[START_BYTES];
    private int pos;
    private int lim;
    private long offset;

    private int type;
    private int bodyOffset;
    private int bodyLength;
    private long frameOffset;

    FrameReader(InputStream in, String peer, int maxFrameBytes) {
        this(in, peer, maxFrameBytes, false);
    }

    /**
     * @param childStdout whether {@code in} is a child's stdout: a bad frame header that reads as
     *     text is then reported as text the child wrote to its stdout after {@code connect()}
     */
    FrameReader(InputStream in, String peer, int maxFrameBytes, boolean childStdout) {
        this.in = in;
        this.peer = peer;
        this.maxFrameBytes = maxFrameBytes;
        this.childStdout = childStdout;
    }

    void maxFrameBytes(int max) {
        this.maxFrameBytes = max;
    }

    /** Stream offset of the current frame's length field. */
    long frameOffset() {
        return frameOffset;
    }

    int type() {
        return type;
    }

    byte[] buffer() {
        return buf;
    }

    int bodyOffset() {
        return bodyOffset;
    }

    int bodyLength() {
        return bodyLength;
    }

    /**
     * Reads the magic, echoing whatever comes before it to {@code echo}, line by line, each line
     * prefixed with {@code prefix}.
     *
     * @return false if the stream ended first
     */
    boolean skipToMagic(PrintStream echo, String prefix) throws IOException {
        byte[] magic = FrameDescriptor.MAGIC;
        StringBuilderLine line = new StringBuilderLine(echo, prefix);
        int matched = 0;
        while (true) {
            if (pos == lim && !fill(1, true)) {
                line.flushPartial();
                return false;
            }
            byte b = buf[pos++];
            offset++;
            if (b == magic[matched]) {
                if (++matched == magic.length) {
                    line.flushPartial();
                    return true;
                }
                continue;
            }
            // the magic's first byte occurs nowhere else in it, so a mismatch restarts the match here
            for (int i = 0; i < matched; i++) {
                line.add(magic[i]);
            }
            matched = b == magic[0] ? 1 : 0;
            if (matched == 0) {
                line.add(b);
            }
        }
    }

    /**
     * Garbage before the magic, copied out a line at a time: a line that arrives in pieces is
     * still echoed whole (a partial line goes out at the magic, at the end of the stream, or once
     * it grows past {@link #MAX_LINE} bytes).
     */
    private static final class StringBuilderLine {
        static final int MAX_LINE = 8 << 10;
        private final PrintStream echo;
        private final String prefix;
        private byte[] bytes = new byte[128];
        private int n;

        StringBuilderLine(PrintStream echo, String prefix) {
            this.echo = echo;
            this.prefix = prefix;
        }

        void add(byte b) {
            if (b == '\n') {
                emit();
                return;
            }
            if (n == bytes.length) {
                bytes = Arrays.copyOf(bytes, n * 2);
            }
            bytes[n++] = b;
            if (n >= MAX_LINE) {
                emit();
            }
        }

        void flushPartial() {
            if (n > 0) {
                emit();
            }
        }

        private void emit() {
            echo.println(prefix + new String(bytes, 0, n, StandardCharsets.UTF_8));
            n = 0;
        }
    }

    /**
     * Reads exactly the magic.
     *
     * @throws IposException if other bytes come first
     * @throws EOFException if the stream ends first
     */
    void expectMagic() throws IOException {
        if (!fill(FrameDescriptor.MAGIC.length, true)) {
            throw new EOFException("stream ended before the ipos magic");
        }
        byte[] got = Arrays.copyOfRange(buf, pos, pos + FrameDescriptor.MAGIC.length);
        if (!Arrays.equals(got, FrameDescriptor.MAGIC)) {
            throw new IposException(peer + " does not speak the ipos protocol: expected the magic "
                    + hex(FrameDescriptor.MAGIC) + " but read " + hex(got)
                    + "; start this program with IPOS.spawn(...) or IPOS.addProcess(...)");
        }
        pos += FrameDescriptor.MAGIC.length;
        offset += FrameDescriptor.MAGIC.length;
    }

    /**
     * Reads the next frame, blocking as needed.
     *
     * @return false at a clean end of stream (between frames)
     * @throws IposException if the stream ends inside a frame, or a header can't be a frame's
     *     (its length out of bounds, or a type no peer sends)
     */
    boolean next() throws IOException {
        if (!fill(FrameDescriptor.HEADER_LENGTH - 1, true)) {
            if (pos == lim) {
                return false;
            }
            throw truncated(lim - pos, -1);
        }
        int length = FrameDescriptor.getInt(buf, pos);
        if (length < 1 || length > maxFrameBytes) {
            throw badHeader("frame at offset " + offset + " has length=" + (length & 0xFFFFFFFFL)
                    + " outside [1, maxFrameBytes=" + maxFrameBytes + "]");
        }
        if (!fill(FrameDescriptor.HEADER_LENGTH, true)) {
            throw truncated(lim - pos, 4 + length);
        }
        int t = buf[pos + FrameDescriptor.TYPE_OFFSET] & 0xFF;
        if (!FrameDescriptor.isFrameType(t)) {
            // known at once: waiting for a body of {@code length} bytes that is no frame would only hold memory
            throw badHeader("unexpected or malformed " + FrameDescriptor.typeName(t) + " frame (frame at stream offset "
                    + offset + ", a type no ipos peer sends)");
        }
        if (!fill(4 + length, true)) {
            throw truncated(lim - pos, 4 + length);
        }
        frameOffset = offset;
        type = t;
        bodyOffset = pos + FrameDescriptor.HEADER_LENGTH;
        bodyLength = length - 1;
        pos += 4 + length;
        offset += 4 + length;
        return true;
    }

    /** Whether a whole frame is buffered, so that {@link #next()} won't block. */
    boolean hasBufferedFrame() throws IOException {
        if (lim - pos < FrameDescriptor.HEADER_LENGTH && !fill(FrameDescriptor.HEADER_LENGTH, false)) {
            return lim - pos >= 4 && outOfBounds(FrameDescriptor.getInt(buf, pos)); // next() reports it
        }
        int length = FrameDescriptor.getInt(buf, pos);
        if (outOfBounds(length) || !FrameDescriptor.isFrameType(buf[pos + FrameDescriptor.TYPE_OFFSET] & 0xFF)) {
            return true; // next() reports it
        }
        return lim - pos >= 4 + length || fill(4 + length, false);
    }

    private boolean outOfBounds(int length) {
        return length < 1 || length > maxFrameBytes;
    }

    /**
     * The error for a header at {@code pos} that can't be a frame's. If its bytes read as text on a
     * child's stdout, the error says so, quotes the text (with whatever more of it has arrived:
     * read without blocking) and says what to do; else it is {@code problem}.
     */
    private IposException badHeader(String problem) throws IOException {
        if (childStdout) {
            fill(QUOTE_BYTES, false); // the rest of the line, if it is there already
            int n = Math.min(lim - pos, QUOTE_BYTES);
            if (looksLikeText(buf, pos, n)) {
                return new IposException(peer + " wrote text to its stdout after IPOS.connect(): "
                        + quote(buf, pos, n, QUOTE_CHARS) + " at stream offset " + offset + ", where a frame belongs ("
                        + problem + "); dropped the link, the other processes carry on. " + STRAY_TEXT_ADVICE);
            }
        }
        return new IposException(peer + ": " + problem + "; the stream can't be trusted");
    }

    private IposException truncated(int have, int want) {
        return new IposException(peer + ": stream ended inside a frame at offset " + offset + " (" + have
                + (want > 0 ? " of " + want : "") + " bytes); the partial frame was discarded");
    }

    /**
     * Makes {@code need} bytes available from {@code pos}. The buffer grows (doubling, up to
     * {@code need}) only when it is full of bytes actually read, and goes back to
     * {@link #START_BYTES} once what is left in it fits there.
     *
     * @param block whether to wait for the stream; if false, only reads what is available
     * @return false if the stream ended (block) or not enough is available (no block)
     */
    private boolean fill(int need, boolean block) throws IOException {
        if (lim - pos >= need) {
            return true;
        }
        int kept = lim - pos;
        if (buf.length > START_BYTES && kept <= START_BYTES) {
            byte[] small = new byte[START_BYTES];
            System.arraycopy(buf, pos, small, 0, kept);
            buf = small;
            pos = 0;
            lim = kept;
        } else if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, kept);
            lim = kept;
            pos = 0;
        }
        while (lim < need) {
            if (!block && in.available() <= 0) {
                return false;
            }
            if (block) {
                spinForInput();
            }
            if (lim == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(need, 2L * buf.length));
            }
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                return false;
            }
            lim += n;
        }
        return true;
    }

    /**
     * Polls the stream for up to {@link #SPIN_NANOS} before a blocking read, so a
     * frame that comes soon is read without waking a sleeping thread.
     */
    private void spinForInput() throws IOException {
        long spin = SPIN_NANOS;
        if (spin <= 0) {
            return;
        }
        long until = System.nanoTime() + spin;
        while (in.available() <= 0 && System.nanoTime() < until) {
            Thread.yield();
        }
    }

    /** Closes the stream, quietly: the peer can't write to this link any more. */
    void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing more to read from it either way
        }
    }

    // ---------------------------------------------------------------- text from the peer

    /**
     * Whether {@code n} bytes at {@code off}, a header already known to be bad, look like text:
     * at least four bytes, all of them UTF-8 (a sequence cut at the end allowed) with no control
     * character but tab, line breaks, form feed and escape (terminal colours). Any frame length
     * below 512 MiB starts with a byte under 0x20, which text does not.
     */
    static boolean looksLikeText(byte[] b, int off, int n) {
        if (n < 4) {
            return false;
        }
        int i = off;
        int end = off + n;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B || c == 0x7F) {
                    return false;
                }
                i++;
                continue;
            }
            int more = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
            if (more < 0) {
                return false;
            }
            for (int k = 1; k <= more; k++) {
                if (i + k >= end) {
                    return true; // cut at the end of what arrived
                }
                if ((b[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += more + 1;
        }
        return true;
    }

    /**
     * {@code n} bytes of UTF-8 text as a quoted, escaped Java string literal of at most
     * {@code maxChars} characters (then {@code ...}): {@code "KID hello\n"}.
     */
    static String quote(byte[] b, int off, int n, int maxChars) {
        String text = new String(b, off, n, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(Math.min(text.length(), maxChars) + 8).append('"');
        int shown = 0;
        for (int i = 0; i < text.length(); i++) {
            if (shown == maxChars) {
                return sb.append("\"...").toString();
            }
            escape(text.charAt(i), sb);
            shown++;
        }
        return sb.append('"').toString();
    }

    /**
     * The text of a peer's ERROR (or REJECT) frame, as it is reported: control characters escaped
     * (a peer can't move the cursor of the terminal that shows the report) and cut to
     * {@link #REPORT_BYTES} bytes, saying how long it was: a peer can't make a report huge.
     */
    static String peerText(byte[] b, int off, int len) {
        int n = Math.min(len, REPORT_BYTES);
        if (n < len) {
            while (n > 0 && (b[off + n] & 0xC0) == 0x80) {
                n--; // cut on a character boundary
            }
        }
        String text = new String(b, off, n, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(text.length() + 32);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append(c); // only quote() needs them escaped
            } else {
                escape(c, sb);
            }
        }
        if (n < len) {
            sb.append("... (truncated, ").append(len).append(" bytes)");
        }
        return sb.toString();
    }

    private static void escape(char c, StringBuilder sb) {
        switch (c) {
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            default -> {
                if (c < 0x20 || c == 0x7F || c >= 0x80 && c < 0xA0 || c == '\u2028' || c == '\u2029'
                        || c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069') {
                    sb.append(String.format("\\u%04x", (int) c)); // controls, line separators, bidi overrides
                } else {
                    sb.append(c);
                }
            }
        }
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }
}
