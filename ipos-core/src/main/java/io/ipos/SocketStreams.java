package io.ipos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A connected socket (Unix domain or TCP) as the two streams a link reads and writes, each usable
 * from its own thread at once.
 *
 * <p>Why not {@code Channels.newInputStream}: on JDK 17 its streams hold the channel's blocking
 * lock while they read, so a reader blocked waiting for input blocks the writer, and two processes
 * deadlock. Why non-blocking: the link polls {@link InputStream#available()} before it sleeps
 * (see {@link FrameReader}), and a blocking {@code SocketChannel} can't say what is available. The
 * channel is non-blocking, each direction waits on a selector of its own, and {@code available()}
 * reads ahead into a small buffer.
 */
final class SocketStreams {
    private final SocketChannel channel;
    private final Input input;
    private final Output output;
    private boolean inputClosed;
    private boolean outputClosed;

    SocketStreams(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.input = new Input();
        this.output = new Output();
    }

    InputStream input() {
        return input;
    }

    OutputStream output() {
        return output;
    }

    /** Both streams closed: the socket closes (each direction's close only shuts its half before that). */
    private synchronized void closed(boolean in) {
        if (in) {
            inputClosed = true;
        } else {
            outputClosed = true;
        }
        try {
            if (inputClosed && outputClosed) {
                channel.close();
            } else if (in) {
                channel.shutdownInput();
            } else {
                channel.shutdownOutput();
            }
        } catch (IOException ignored) {
            // already closed by the peer: nothing left to shut
        }
    }

    /**
     * Waits for {@code selector}'s key to be ready, at most a second. The other thread may close
     * the stream meanwhile (a link dropped from outside): that is the IOException a closed
     * stream gives, never the unchecked {@link ClosedSelectorException}, which the link threads
     * would report as an internal error.
     */
    private static void await(Selector selector) throws IOException {
        try {
            selector.select(1_000);
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException closed) {
            throw new IOException("the link's socket was closed here");
        }
    }

    private final class Input extends InputStream {
        private final Selector selector;
        private final ByteBuffer ahead = ByteBuffer.allocate(64 << 10).flip();
        private volatile boolean closed;

        Input() throws IOException {
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (ahead.hasRemaining()) {
                int n = Math.min(len, ahead.remaining());
                ahead.get(b, off, n);
                return n;
            }
            ByteBuffer into = ByteBuffer.wrap(b, off, len);
            while (true) {
                if (closed) {
                    throw new IOException("the link's socket was closed here");
                }
                int n = channel.read(into);
                if (n != 0) {
                    return n;
                }
                await(selector);
            }
        }

        @Override
        public int available() throws IOException {
            if (!ahead.hasRemaining() && !closed) {
                ahead.clear();
                int n;
                try {
                    n = channel.read(ahead);
                } finally {
                    ahead.flip(); // also when the read failed (a reset): never serve stale bytes
                }
                if (n < 0) {
                    return 1; // the end of stream is there to read: a read returns -1 at once
                }
            }
            return ahead.remaining();
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                selector.wakeup();
                selector.close();
                closed(true);
            }
        }
    }

    private final class Output extends OutputStream {
        private final Selector selector;
        private volatile boolean closed;

        Output() throws IOException {
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_WRITE);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer from = ByteBuffer.wrap(b, off, len);
            while (from.hasRemaining()) {
                if (closed) {
                    throw new IOException("the link's socket was closed here");
                }
                if (channel.write(from) == 0) {
                    await(selector);
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                selector.wakeup();
                selector.close();
                closed(false);
            }
        }
    }
}
