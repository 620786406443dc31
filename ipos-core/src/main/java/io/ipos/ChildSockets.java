package io.ipos;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The private sockets of the children a parent spawns: a directory only the owner can enter, made
 * at the first spawn and removed when the parent closes (or its JVM ends), holding one socket per
 * child while that child connects. A child finds its socket, with a one-time secret, in its
 * environment variable {@value #ENV}; its stdin, stdout and stderr stay the user's.
 *
 * <p>Where Unix domain sockets are unavailable (or {@code -Dipos.childLink=stdio}), children link
 * over their stdin and stdout as in the first version of the protocol; that is said once.
 */
final class ChildSockets implements AutoCloseable {
    /** The environment variable that gives a spawned child its parent's address. */
    static final String ENV = "IPOS_ADDRESS";
    private static volatile boolean toldStdio;

    private final Path dir;
    private final AtomicInteger next = new AtomicInteger();
    private final Thread cleanup;

    private ChildSockets(Path dir) {
        this.dir = dir;
        this.cleanup = new Thread(this::delete, "ipos-socket-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** A new private directory; null (said once on stderr) if this JVM can't use Unix domain sockets. */
    static ChildSockets open() {
        if ("stdio".equals(System.getProperty("ipos.childLink"))) {
            return null;
        }
        try {
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                // available
            }
            Path dir;
            try {
                dir = Files.createTempDirectory("ipos-", PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException notPosix) {
                dir = Files.createTempDirectory("ipos-");
            }
            return new ChildSockets(dir);
        } catch (IOException | UnsupportedOperationException e) {
            if (!toldStdio) {
                toldStdio = true;
                System.err.println("[ipos] Unix domain sockets are unavailable here (" + e
                        + "): spawned children link over their stdin and stdout instead");
            }
            return null;
        }
    }

    /** A socket for the next child, listening; the caller closes it once the child connected. */
    Acceptor newSocket() throws IOException {
        return new Acceptor(new Address(true, dir.resolve("child-" + next.incrementAndGet() + ".sock"), null, 0, null));
    }

    @Override
    public void close() {
        delete();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException exiting) {
            // the hook runs anyway
        }
    }

    private void delete() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // left in the temp directory
                }
            });
        } catch (IOException ignored) {
            // gone already
        }
    }
}
