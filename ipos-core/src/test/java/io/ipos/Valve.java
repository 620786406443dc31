package io.ipos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that can be closed like a valve: while shut, writes are held back; opening it
 * lets them through in order. Put between a parent and a child, it lets a test decide exactly when
 * the child sees the parent's stream, so a child's write is pending when a foreign op arrives.
 */
final class Valve extends OutputStream {
    private final OutputStream out;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private boolean shut;

    Valve(OutputStream out) {
        this.out = out;
    }

    synchronized void shut() {
        shut = true;
    }

    synchronized void open() throws IOException {
        shut = false;
        held.writeTo(out);
        held.reset();
        out.flush();
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (shut) {
            held.write(b, off, len);
        } else {
            out.write(b, off, len);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        if (!shut) {
            out.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        open();
        out.close();
    }
}
