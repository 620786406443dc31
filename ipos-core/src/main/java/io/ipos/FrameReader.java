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
 */
final class FrameReader {
    private final InputStream in;
    private final String peer;
    private int maxFrameBytes;
    private byte[] buf = new byte[64 << 10];
    private int pos;
    private int lim;
    private long offset;

    private int type;
    private int bodyOffset;
    private int bodyLength;
    private long frameOffset;

    FrameReader(InputStream in, String peer, int maxFrameBytes) {
        this.in = in;
        this.peer = peer;
        this.maxFrameBytes = maxFrameBytes;
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
     * @throws IposException if the stream ends inside a frame or a length is out of bounds
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
            throw new IposException(peer + ": frame at offset " + offset + " has length=" + (length & 0xFFFFFFFFL)
                    + " outside [1, maxFrameBytes=" + maxFrameBytes + "]; the stream can't be trusted");
        }
        if (!fill(4 + length, true)) {
            throw truncated(lim - pos, 4 + length);
        }
        frameOffset = offset;
        type = buf[pos + 4] & 0xFF;
        bodyOffset = pos + FrameDescriptor.HEADER_LENGTH;
        bodyLength = length - 1;
        pos += 4 + length;
        offset += 4 + length;
        return true;
    }

    /** Whether a whole frame is buffered, so that {@link #next()} won't block. */
    boolean hasBufferedFrame() throws IOException {
        if (lim - pos < 4 && !fill(4, false)) {
            return false;
        }
        int length = FrameDescriptor.getInt(buf, pos);
        if (length < 1 || length > maxFrameBytes) {
            return true; // next() reports it
        }
        return lim - pos >= 4 + length || fill(4 + length, false);
    }

    private IposException truncated(int have, int want) {
        return new IposException(peer + ": stream ended inside a frame at offset " + offset + " (" + have
                + (want > 0 ? " of " + want : "") + " bytes); the partial frame was discarded");
    }

    /**
     * Makes {@code need} bytes available from {@code pos}.
     *
     * @param block whether to wait for the stream; if false, only reads what is available
     * @return false if the stream ended (block) or not enough is available (no block)
     */
    private boolean fill(int need, boolean block) throws IOException {
        if (lim - pos >= need) {
            return true;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, Math.min(buf.length * 2, maxFrameBytes + 4)));
        }
        while (lim < need) {
            if (!block && in.available() <= 0) {
                return false;
            }
            if (block) {
                spinForInput();
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
     * Polls the stream for up to {@link Hub#SPIN_NANOS} before a blocking read, so a
     * frame that comes soon is read without waking a sleeping thread.
     */
    private void spinForInput() throws IOException {
        long spin = Hub.SPIN_NANOS;
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

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }
}
