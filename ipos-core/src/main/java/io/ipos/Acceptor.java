package io.ipos;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;

/**
 * A listening socket: the parent's {@code listen} address, or one spawned child's private socket.
 * A Unix socket's file is made readable and writable by its owner only (its directory too, when
 * this creates it) and removed on {@link #close()}.
 */
final class Acceptor implements AutoCloseable {
    private final ServerSocketChannel server;
    /** Where it listens, the real port included (a TCP listen at port 0 picks one). No secret. */
    final Address address;

    Acceptor(Address at) throws IOException {
        ServerSocketChannel s = null;
        try {
            if (at.unix()) {
                prepareSocketFile(at.path());
                s = ServerSocketChannel.open(at.family());
                s.bind(at.socketAddress());
                ownerOnly(at.path(), "rw-------");
                address = at.withSecret(null);
            } else {
                s = ServerSocketChannel.open();
                s.bind(at.socketAddress());
                address = at.withSecret(null).withPort(((InetSocketAddress) s.getLocalAddress()).getPort());
            }
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            throw e;
        }
        server = s;
    }

    /** A stale socket file (its parent died without removing it) is removed; a live one is an error. */
    private static void prepareSocketFile(Path file) throws IOException {
        Path dir = file.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            ownerOnly(dir, "rwx------");
        }
        if (Files.exists(file)) {
            try (SocketChannel probe = SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                probe.connect(java.net.UnixDomainSocketAddress.of(file));
                throw new BindException("another process listens at unix:" + file + "; choose another path");
            } catch (BindException e) {
                throw e;
            } catch (IOException refused) {
                Files.deleteIfExists(file); // nobody listens: left by a process that died
            }
        }
    }

    static void ownerOnly(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file's ACL is the user's by default
        }
    }

    /** Accepts connections on a daemon thread until closed, handing each to {@code accepted}. */
    void serve(String threadName, Consumer<Connection> accepted, Consumer<IOException> failed) {
        Thread t = new Thread(() -> {
            while (true) {
                SocketChannel c;
                try {
                    c = server.accept();
                } catch (ClosedChannelException closed) {
                    return;
                } catch (IOException e) {
                    if (!server.isOpen()) {
                        return;
                    }
                    failed.accept(e);
                    continue;
                }
                try {
                    accepted.accept(Connection.socket(c, address.unix()));
                } catch (IOException e) {
                    closeQuietly(c);
                    failed.accept(e);
                }
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Waits for one connection, while {@code child} lives, for up to {@code timeoutNanos}.
     *
     * @return the connection, or null if the child ended or the time passed first
     */
    Connection acceptOne(Process child, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        server.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            while (System.nanoTime() < deadline) {
                SocketChannel c = server.accept();
                if (c != null) {
                    c.configureBlocking(true);
                    return Connection.socket(c, address.unix());
                }
                if (child != null && !child.isAlive()) {
                    return null;
                }
                selector.select(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
                selector.selectedKeys().clear();
            }
            return null;
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // it carried nothing yet
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (address.unix()) {
            try {
                Files.deleteIfExists(address.path());
            } catch (IOException ignored) {
                // a file left in a private directory, removed with it
            }
        }
    }
}
