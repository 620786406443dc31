package io.ipos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A hand-driven peer on a parent's socket (a {@code listen} address or a spawned child's
 * {@code IPOS_ADDRESS}): a plain {@link SocketChannel} that sends whatever bytes a test chooses and
 * keeps all it receives, with the time the stream ended. For strangers that never say HELLO, send
 * garbage or forge frames, without any ipos code between the test and the wire.
 */
final class RawSocketPeer implements AutoCloseable {
    /** One frame received: its type byte and body. */
    record Frame(int type, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return FrameDescriptor.typeName(type) + "(" + body.length + " bytes)";
        }
    }

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
    private final long openedNanos = System.nanoTime();
    private long endedNanos = -1;

    private RawSocketPeer(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** Connects to {@code address}; a secret in it, if any, is not sent (see {@link #secretOf}). */
    static RawSocketPeer connect(String address) throws IOException {
        int hash = address.indexOf('#');
        Address a = Address.parse(hash < 0 ? address : address.substring(0, hash), false);
        SocketChannel c = a.unix() ? SocketChannel.open(a.family()) : SocketChannel.open();
        try {
            c.connect(a.socketAddress());
            return new RawSocketPeer(c);
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    /** The secret in {@code address} (after '#'), or null. */
    static byte[] secretOf(String address) {
        int hash = address.indexOf('#');
        return hash < 0 ? null : Base64.getUrlDecoder().decode(address.substring(hash + 1));
    }

    /** The magic and a HELLO from this process's pid. */
    static byte[] hello(String name, byte[] secret) {
        return BadInputProcessTest.concat(FrameDescriptor.MAGIC,
                BadInputProcessTest.frame(FrameDescriptor.HELLO, FrameDescriptor.hello(ProcessHandle.current().pid(), name, secret)));
    }

    /** Writes all of {@code bytes}; false if the parent has closed the socket. */
    boolean send(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    Thread.onSpinWait();
                }
            }
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    /** Reads what is there without waiting. @return whether the stream has ended */
    boolean poll() {
        if (endedNanos >= 0) {
            return true;
        }
        try {
            while (true) {
                chunk.clear();
                int n = channel.read(chunk);
                if (n < 0) {
                    endedNanos = System.nanoTime();
                    return true;
                }
                if (n == 0) {
                    return false;
                }
                received.write(chunk.array(), 0, n);
            }
        } catch (IOException reset) {
            endedNanos = System.nanoTime();
            return true;
        }
    }

    /** Waits up to {@code patience} for the stream to end. @return whether it ended */
    boolean awaitEnd(Duration patience) throws IOException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!poll()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            selector.select(Math.max(1, Math.min(100, left / 1_000_000)));
            selector.selectedKeys().clear();
        }
        return true;
    }

    /**
     * Waits until {@code n} whole frames after the magic are in, or the stream ends, or
     * {@code patience} passes.
     *
     * @return the frames received so far (fewer than {@code n} if it ended or the time passed)
     * @throws AssertionError if what came first is not the magic
     */
    List<Frame> awaitFrames(int n, Duration patience) throws IOException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            boolean ended = poll();
            List<Frame> frames = frames();
            if (frames.size() >= n || ended || System.nanoTime() > deadline) {
                return frames;
            }
            selector.select(20);
            selector.selectedKeys().clear();
        }
    }

    /** Every whole frame received so far, after the magic. */
    List<Frame> frames() {
        byte[] all = received.toByteArray();
        List<Frame> out = new ArrayList<>();
        if (all.length < FrameDescriptor.MAGIC.length) {
            return out;
        }
        if (!Arrays.equals(Arrays.copyOf(all, FrameDescriptor.MAGIC.length), FrameDescriptor.MAGIC)) {
            throw new AssertionError("the parent's stream does not start with the magic: " + all.length + " bytes");
        }
        int at = FrameDescriptor.MAGIC.length;
        while (at + FrameDescriptor.HEADER_LENGTH <= all.length) {
            int length = FrameDescriptor.getInt(all, at);
            if (at + 4 + length > all.length) {
                break;
            }
            out.add(new Frame(all[at + 4] & 0xFF, Arrays.copyOfRange(all, at + FrameDescriptor.HEADER_LENGTH, at + 4 + length)));
            at += 4 + length;
        }
        return out;
    }

    /** How many bytes the parent sent. */
    int receivedBytes() {
        return received.size();
    }

    /** Milliseconds from connecting until the stream ended; -1 while it has not. */
    long endedAfterMillis() {
        return endedNanos < 0 ? -1 : (endedNanos - openedNanos) / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
