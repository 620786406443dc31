package io.ipos;

import io.ipos.serialization.ValueReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The parent's link to one child: a reader thread on the child's stdout and an {@link Outbox}
 * writing to its stdin. Bytes the child prints before its handshake are copied to the parent's
 * stderr, prefixed with the child's name.
 */
final class ChildLink implements Runnable {
    final Hub hub;
    final Process process;
    final String name;
    final FrameReader frames;
    final Outbox outbox;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    int childId;
    private volatile boolean admitted;
    private boolean removed;

    ChildLink(Hub hub, InputStream fromChild, OutputStream toChild, Process process, String name) {
        this.hub = hub;
        this.process = process;
        this.name = name;
        this.frames = new FrameReader(fromChild, name, hub.maxFrameBytes);
        this.outbox = new Outbox(toChild, name, Hub.SOFT_LIMIT, Hub.HARD_LIMIT, e -> hub.lost(this, e), e -> hub.outputGone(this));
    }

    void start() {
        outbox.start("ipos-writer-" + name);
        Thread reader = new Thread(this, "ipos-reader-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    boolean admitted() {
        return admitted;
    }

    /** Under the replica's lock, when the hub takes the child in. */
    void markAdmitted() {
        admitted = true;
    }

    /** Under the replica's lock. @return false if it was removed already */
    boolean markRemoved() {
        if (removed) {
            return false;
        }
        removed = true;
        admitted = false;
        return true;
    }

    IposException corrupt(String frame, long offset, Throwable cause) {
        String what = cause == null ? "unexpected or malformed " + frame + " frame"
                : cause instanceof StackOverflowError ? frame + " frame nested too deeply" : cause.getMessage();
        return new IposException(name + ": " + what + " (frame at stream offset " + offset
                + "); dropped the link, the other processes carry on", cause);
    }

    @Override
    public void run() {
        try {
            handshake();
            ValueReader reader = hub.format.newReader();
            List<Runnable> after = new ArrayList<>();
            while (frames.next()) {
                hub.receive(this, reader, after);
                if (!after.isEmpty()) {
                    after.forEach(Runnable::run);
                    after.clear();
                }
                if (!admitted) {
                    return; // removed: the child sees its stdin end and leaves
                }
            }
            hub.lost(this, admitted ? null : new IposException(name + " ended before the ipos handshake" + exitInfo()));
        } catch (IposException e) {
            hub.lost(this, e);
        } catch (IOException e) {
            hub.lost(this, admitted ? null : new IposException(name + ": reading failed: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            hub.lost(this, new IposException(name + ": internal error while reading: " + e, e));
        } finally {
            frames.close();
        }
    }

    private void handshake() throws IOException {
        if (!frames.skipToMagic(System.err, "[" + name + " stdout] ")) {
            throw new IposException(name + " ended before the ipos handshake" + exitInfo()
                    + "; does its main call IPOS.connect()?");
        }
        if (!frames.next()) {
            throw new IposException(name + " ended inside the ipos handshake" + exitInfo());
        }
        if (frames.type() != FrameDescriptor.HELLO || frames.bodyLength() < 2) {
            throw corrupt(FrameDescriptor.typeName(frames.type()) + " (expected HELLO)", frames.frameOffset(), null);
        }
        int version = FrameDescriptor.getShort(frames.buffer(), frames.bodyOffset());
        if (version != FrameDescriptor.VERSION) {
            String message = "protocol version mismatch: the parent speaks ipos protocol " + FrameDescriptor.VERSION
                    + ", " + name + " speaks " + version + "; use the same ipos version in both";
            outbox.raw(FrameDescriptor.MAGIC);
            outbox.frame(FrameDescriptor.ERROR, message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            throw new IposException(message);
        }
        hub.admit(this);
    }

    private String exitInfo() {
        if (process == null) {
            return "";
        }
        try {
            if (process.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return " (exit code " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }
}
