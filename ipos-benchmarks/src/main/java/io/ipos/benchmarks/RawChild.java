package io.ipos.benchmarks;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The child of the raw baselines: no ipos, just its stdin and stdout (the raw pipe), or with an
 * argument {@code unix:PATH} a Unix domain socket it connects to at {@code PATH} (the raw socket).
 * It reads a command header ({@code u8 command, u64 count}, big-endian) and then:
 * <ul>
 *   <li>{@code 'P'}: echoes {@code count} 32-byte messages, each written back (one system call)
 *       as soon as it is read, blocking in {@code read} while it waits;</li>
 *   <li>{@code 'Y'}, {@code 'B'}: the same, but waiting for each message by polling
 *       ({@link RawLink#ready}: {@code available()} on the pipe, a non-blocking read on the
 *       socket), with {@link Thread#yield()} ({@code 'Y'}) or {@link Thread#onSpinWait()}
 *       ({@code 'B'}) between polls: the ipos round trip's way of waiting ({@link Spin});</li>
 *   <li>{@code 'S'}: reads {@code count} 32-byte messages through a 64 KiB buffer, sums the
 *       {@code u64} at the start of each, and answers with that sum (8 bytes) after the last;</li>
 *   <li>{@code 'Q'}: exits.</li>
 * </ul>
 */
public final class RawChild {
    static final int MESSAGE = 32;
    static final int HEADER = 9;

    private RawChild() {
    }

    /**
     * Serves commands until {@code 'Q'} or the end of the link.
     *
     * @param args none for stdin/stdout, or {@code unix:PATH}
     * @throws IOException if the link fails
     */
    public static void main(String[] args) throws IOException {
        RawLink link;
        if (args.length > 0 && args[0].startsWith("unix:")) {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(args[0].substring("unix:".length())));
            link = RawLink.socket(channel);
        } else {
            link = RawLink.pipes(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
        }
        byte[] header = new byte[HEADER];
        while (true) {
            link.polling(false);
            try {
                link.readFully(header);
            } catch (java.io.EOFException end) {
                return;
            }
            long count = ByteBuffer.wrap(header, 1, 8).getLong();
            switch (header[0]) {
                case 'P' -> echo(link, count, null);
                case 'Y' -> echo(link, count, Spin.YIELD);
                case 'B' -> echo(link, count, Spin.SPIN);
                case 'S' -> sink(link, count);
                case 'Q' -> {
                    link.close();
                    return;
                }
                default -> throw new IOException("unknown command " + header[0]);
            }
        }
    }

    private static void echo(RawLink link, long count, Spin wait) throws IOException {
        link.polling(wait != null);
        byte[] message = new byte[MESSAGE];
        for (long i = 0; i < count; i++) {
            if (wait != null) {
                while (!link.ready(MESSAGE)) {
                    wait.pause();
                }
            }
            link.readFully(message);
            link.write(message, 0, MESSAGE);
            link.flush();
        }
    }

    private static void sink(RawLink link, long count) throws IOException {
        byte[] buf = new byte[1 << 16];
        ByteBuffer view = ByteBuffer.wrap(buf);
        long remaining = count * MESSAGE;
        long sum = 0;
        int fill = 0;
        while (remaining > 0) {
            int n = link.read(buf, fill, (int) Math.min(buf.length - fill, remaining));
            if (n < 0) {
                throw new IOException("the link ended with " + remaining + " bytes of the stream missing");
            }
            remaining -= n;
            fill += n;
            int pos = 0;
            for (; pos + MESSAGE <= fill; pos += MESSAGE) {
                sum += view.getLong(pos);
            }
            System.arraycopy(buf, pos, buf, 0, fill - pos);
            fill -= pos;
        }
        byte[] answer = ByteBuffer.allocate(8).putLong(sum).array();
        link.write(answer, 0, answer.length);
        link.flush();
    }
}
