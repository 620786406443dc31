package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The socket streams a link uses carry every byte in order, both ways at once, with available() polled between reads. */
@Timeout(60)
class SocketStreamsTest {
    @Test
    void bytesArriveInOrderBothWaysAtOnceWhileTheReaderPollsAvailable(@TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        System.out.println("[socket streams] seed " + seed);
        Path file = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(file));
            SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file));
            SocketChannel accepted = server.accept();
            SocketStreams a = new SocketStreams(client);
            SocketStreams b = new SocketStreams(accepted);
            int total = 8 << 20;
            CompletableFuture<Void> ab = pump(a.output(), b.input(), total, seed);
            CompletableFuture<Void> ba = pump(b.output(), a.input(), total, seed + 1);
            ab.get(50, TimeUnit.SECONDS);
            ba.get(50, TimeUnit.SECONDS);
            a.output().close();
            assertEquals(-1, b.input().read(), "the end of stream after the writer closed");
        }
    }

    /**
     * A peer that closes with bytes it never read makes the next read fail with a reset: what it
     * sent before is read whole, and no byte comes twice (a failed read-ahead once served its
     * stale buffer again, which a link read as a frame of garbage).
     */
    @Test
    void aResetAfterThePeersLastBytesNeverServesABufferAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(file));
            SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(file));
            SocketStreams here = new SocketStreams(server.accept());
            here.output().write(new byte[100]); // the peer never reads these
            byte[] sent = new byte[1_000];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = (byte) i;
            }
            peer.write(java.nio.ByteBuffer.wrap(sent));
            peer.close();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[300];
            try {
                while (true) {
                    here.input().available();
                    int n = here.input().read(buf, 0, buf.length);
                    if (n < 0) {
                        break;
                    }
                    got.write(buf, 0, n);
                }
            } catch (java.io.IOException reset) {
                try { // a second look after the failure must not bring bytes back
                    assertEquals(true, here.input().read(buf, 0, buf.length) <= 0, "no bytes after the reset");
                } catch (java.io.IOException again) {
                    // failing again is fine
                }
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(sent, got.toByteArray());
        }
    }

    private static CompletableFuture<Void> pump(OutputStream out, InputStream in, int total, long seed) {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            Random r = new Random(seed);
            try {
                int sent = 0;
                while (sent < total) {
                    int n = Math.min(total - sent, 1 + r.nextInt(100_000));
                    byte[] chunk = new byte[n];
                    for (int i = 0; i < n; i++) {
                        chunk[i] = (byte) (sent + i);
                    }
                    out.write(chunk, 0, n);
                    sent += n;
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            Random r = new Random(seed ^ 0x5DEECE66DL);
            try {
                int got = 0;
                byte[] buf = new byte[70_000];
                while (got < total) {
                    if (r.nextBoolean()) {
                        in.available();
                    }
                    int n = in.read(buf, 0, 1 + r.nextInt(buf.length - 1));
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != (byte) (got + i)) {
                            throw new AssertionError("byte " + (got + i) + " is wrong");
                        }
                    }
                    got += n;
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        return CompletableFuture.allOf(writer, reader);
    }
}
