package io.ipos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A parent and children in one JVM, linked over OS pipes instead of process stdio: the same
 * protocol and threads as real processes, fast enough for many small tests.
 */
final class InProcessPair implements AutoCloseable {
    final IPOS parent;
    final List<IPOS> children = new ArrayList<>();
    /** Per child, the valve on the parent's stream to it. */
    final List<Valve> valves = new ArrayList<>();
    /** Per child, the valve on its stream to the parent. */
    final List<Valve> upValves = new ArrayList<>();
    final List<IposException> parentErrors = new CopyOnWriteArrayList<>();
    final List<IposException> childErrors = new CopyOnWriteArrayList<>();

    InProcessPair(int childCount) {
        parent = IPOS.start().onError(parentErrors::add);
        for (int i = 0; i < childCount; i++) {
            addChild();
        }
    }

    static InProcessPair withParent(IPOS parent) {
        return new InProcessPair(parent);
    }

    private InProcessPair(IPOS parent) {
        this.parent = parent;
    }

    IPOS addChild() {
        try {
            Pipe down = Pipe.open();
            Pipe up = Pipe.open();
            InputStream childIn = Channels.newInputStream(down.source());
            Valve valve = new Valve(Channels.newOutputStream(down.sink()));
            OutputStream parentOut = valve;
            InputStream parentIn = Channels.newInputStream(up.source());
            Valve upValve = new Valve(Channels.newOutputStream(up.sink()));
            OutputStream childOut = upValve;
            CompletableFuture<Void> ready = parent.addLink(parentIn, parentOut, "child " + (children.size() + 1));
            IPOS child = IPOS.connect(childIn, childOut, Duration.ofSeconds(10)).onError(childErrors::add);
            ready.join();
            children.add(child);
            valves.add(valve);
            upValves.add(upValve);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    IPOS child(int i) {
        return children.get(i);
    }

    /** Waits until every write so far, from every process, is applied everywhere. */
    void settle() {
        for (IPOS c : children) {
            if (c.isConnected()) {
                c.flush().join();
            }
        }
        parent.flush().join();
    }

    @Override
    public void close() {
        for (IPOS c : children) {
            c.close();
        }
        parent.close();
    }
}
