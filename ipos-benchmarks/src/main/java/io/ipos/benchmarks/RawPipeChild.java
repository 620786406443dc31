package io.ipos.benchmarks;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * The child of the raw-pipe baseline: no ipos, just its stdin and stdout. It reads a command
 * header ({@code u8 command, u64 count}, big-endian) and then:
 * <ul>
 *   <li>{@code 'P'}: echoes {@code count} 32-byte messages, each written back (one system call)
 *       as soon as it is read, blocking in {@code read} while it waits;</li>
 *   <li>{@code 'Y'}, {@code 'B'}: the same, but waiting for each message by polling
 *       {@code available()}, with {@link Thread#yield()} ({@code 'Y'}) or
 *       {@link Thread#onSpinWait()} ({@code 'B'}) between polls: the ipos round trip's way of
 *       waiting ({@link Spin});</li>
 *   <li>{@code 'S'}: reads {@code count} 32-byte messages through a 64 KiB buffer, sums the
 *       {@code u64} at the start of each, and answers with that sum (8 bytes) after the last;</li>
 *   <li>{@code 'Q'}: exits.</li>
 * </ul>
 */
public final class RawPipeChild {
    static final int MESSAGE = 32;
    static final int HEADER = 9;

    private RawPipeChild() {
    }

    /**
     * Serves commands until {@code 'Q'} or the end of stdin.
     *
     * @param args ignored
     * @throws IOException if a pipe fails
     */
    public static void main(String[] args) throws IOException {
        InputStream in = new FileInputStream(FileDescriptor.in);
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        byte[] header = new byte[HEADER];
        while (in.readNBytes(header, 0, HEADER) == HEADER) {
            long count = ByteBuffer.wrap(header, 1, 8).getLong();
            switch (header[0]) {
                case 'P' -> echo(in, out, count, null);
                case 'Y' -> echo(in, out, count, Spin.YIELD);
                case 'B' -> echo(in, out, count, Spin.SPIN);
                case 'S' -> sink(in, out, count);
                case 'Q' -> {
                    return;
                }
                default -> throw new IOException("unknown command " + header[0]);
            }
        }
    }

    private static void echo(InputStream in, OutputStream out, long count, Spin wait) throws IOException {
        byte[] message = new byte[MESSAGE];
        for (long i = 0; i < count; i++) {
            if (wait != null) {
                while (in.available() < MESSAGE) {
                    wait.pause();
                }
            }
            if (in.readNBytes(message, 0, MESSAGE) != MESSAGE) {
                throw new IOException("stdin ended after " + i + " of " + count + " ping messages");
            }
            out.write(message, 0, MESSAGE);
        }
    }

    private static void sink(InputStream in, OutputStream out, long count) throws IOException {
        byte[] buf = new byte[1 << 16];
        ByteBuffer view = ByteBuffer.wrap(buf);
        long remaining = count * MESSAGE;
        long sum = 0;
        int fill = 0;
        while (remaining > 0) {
            int n = in.read(buf, fill, (int) Math.min(buf.length - fill, remaining));
            if (n < 0) {
                throw new IOException("stdin ended with " + remaining + " bytes of the stream missing");
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
        out.write(ByteBuffer.allocate(8).putLong(sum).array());
    }
}
