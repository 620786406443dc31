package io.ipos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A byte stream each way between this process and one other, whatever carries it: a child's
 * pipes, this process's own stdin/stdout, a Unix domain socket or TCP. The sequencer ({@link Hub},
 * {@link ChildLink}) and the follower ({@link ParentLink}) read {@link #in} and write {@link #out}
 * and never ask which.
 */
final class Connection {
    /** What carries a connection; stdio-like ones may carry a banner before the handshake. */
    enum Kind {
        PIPES("pipes"), STDIO("stdin/stdout"), UNIX("Unix socket"), TCP("TCP");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    final InputStream in;
    final OutputStream out;
    final Kind kind;

    private Connection(InputStream in, OutputStream out, Kind kind) {
        this.in = in;
        this.out = out;
        this.kind = kind;
    }

    /** A started child's stdout (to read) and stdin (to write). */
    static Connection pipes(Process child) {
        return new Connection(child.getInputStream(), child.getOutputStream(), Kind.PIPES);
    }

    /** Any two streams: this process's stdin/stdout, or in-process tests' piped streams. */
    static Connection streams(InputStream in, OutputStream out, Kind kind) {
        return new Connection(in, out, kind);
    }

    /** A connected socket channel. */
    static Connection socket(SocketChannel channel, boolean unix) throws IOException {
        if (!unix) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        SocketStreams s = new SocketStreams(channel);
        return new Connection(s.input(), s.output(), unix ? Kind.UNIX : Kind.TCP);
    }

    /**
     * Connects to a parent's address.
     *
     * @throws IposException if nothing listens there or it can't be reached within {@code timeout}
     */
    static Connection open(Address to, Duration timeout) {
        SocketChannel channel = null;
        try {
            channel = to.unix() ? SocketChannel.open(to.family()) : SocketChannel.open();
            if (to.unix()) {
                channel.connect(to.socketAddress());
            } else {
                channel.socket().connect(to.socketAddress(), (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            }
            return socket(channel, to.unix());
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // it never carried anything
                }
            }
            throw new IposException("cannot reach an ipos parent at " + to.describe() + ": " + e
                    + "; is the parent running, and did it listen there (IPOS.options().listen(...))?", e);
        }
    }

    /** Closes both directions, quietly (a connection refused before its link starts). */
    void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
