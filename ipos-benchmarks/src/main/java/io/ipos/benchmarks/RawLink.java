package io.ipos.benchmarks;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One end of a raw baseline link, with no ipos: a pipe pair (a child's stdin and stdout, or this
 * process's own) or a connected Unix domain socket. Both baselines ({@link PipeBaseline}) read
 * and write through this, so they are driven, and wait, the same way.
 *
 * <p>A reader waits either by blocking in {@link #read} or by polling {@link #ready} between
 * pauses, as the ipos link threads and the round trip's pollers do: on a pipe that asks
 * {@code available()} (one {@code ioctl}); on a socket, which can't say what is available, it is a
 * non-blocking read into a read-ahead buffer (one {@code read}), which is also how ipos's own socket
 * streams poll.
 */
abstract class RawLink {
    private RawLink() {
    }

    /** The ends of a pipe pair: what to read, what to write (flushed by {@link #flush}). */
    static RawLink pipes(InputStream in, OutputStream out) {
        return new Pipes(in, out);
    }

    /** A connected socket channel, blocking until {@link #polling} says otherwise. */
    static RawLink socket(SocketChannel channel) {
        return new Socket(channel);
    }

    /** Whether {@code n} bytes can be read now without waiting; call only while {@link #polling}. */
    abstract boolean ready(int n) throws IOException;

    /** Reads up to {@code len} bytes, at least one (waiting for it unless polling): -1 at the end of the stream. */
    abstract int read(byte[] b, int off, int len) throws IOException;

    /** Writes all of {@code b[off, off + len)}. */
    abstract void write(byte[] b, int off, int len) throws IOException;

    /** Sends what {@link #write} buffered. */
    abstract void flush() throws IOException;

    /** Makes this end wait by polling ({@link #ready} before {@link #read}) or by blocking in {@link #read}. */
    abstract void polling(boolean on) throws IOException;

    abstract void close() throws IOException;

    /** Reads exactly {@code b.length} bytes. */
    final void readFully(byte[] b) throws IOException {
        for (int at = 0; at < b.length;) {
            int n = read(b, at, b.length - at);
            if (n < 0) {
                throw new EOFException("the raw link ended after " + at + " of " + b.length + " bytes");
            }
            at += n;
        }
    }

    /** This end's writing side as a stream (for a {@code BufferedOutputStream} in front of it). */
    final OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                RawLink.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                RawLink.this.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                RawLink.this.flush();
            }
        };
    }

    private static final class Pipes extends RawLink {
        private final InputStream in;
        private final OutputStream out;

        Pipes(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        @Override
        boolean ready(int n) throws IOException {
            return in.available() >= n;
        }

        @Override
        int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }

        @Override
        void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        void flush() throws IOException {
            out.flush();
        }

        @Override
        void polling(boolean on) {
            // a pipe answers available() in either mode
        }

        @Override
        void close() throws IOException {
            try {
                out.close();
            } finally {
                in.close();
            }
        }
    }

    private static final class Socket extends RawLink {
        private final SocketChannel channel;
        private final ByteBuffer ahead = ByteBuffer.allocate(64 << 10).flip();

        Socket(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        boolean ready(int n) throws IOException {
            if (ahead.remaining() < n) {
                ahead.compact();
                int r;
                try {
                    r = channel.read(ahead);
                } finally {
                    ahead.flip();
                }
                if (r < 0) {
                    throw new EOFException("the raw socket ended with " + ahead.remaining() + " of " + n + " bytes there");
                }
            }
            return ahead.remaining() >= n;
        }

        @Override
        int read(byte[] b, int off, int len) throws IOException {
            if (ahead.hasRemaining()) {
                int n = Math.min(len, ahead.remaining());
                ahead.get(b, off, n);
                return n;
            }
            ByteBuffer into = ByteBuffer.wrap(b, off, len);
            int n;
            while ((n = channel.read(into)) == 0) {
                Thread.yield(); // polling mode, read before ready(): wait for a byte
            }
            return n;
        }

        @Override
        void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer from = ByteBuffer.wrap(b, off, len);
            while (from.hasRemaining()) {
                if (channel.write(from) == 0) {
                    Thread.yield(); // polling mode and the socket's buffer is full
                }
            }
        }

        @Override
        void flush() {
            // every write went to the socket
        }

        @Override
        void polling(boolean on) throws IOException {
            channel.configureBlocking(!on);
        }

        @Override
        void close() throws IOException {
            channel.close();
        }
    }
}
