package io.ipos;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Where a parent accepts joiners, and the secret that lets one in. The syntax, with the secret as
 * the fragment:
 *
 * <pre>
 * unix:/absolute/path/to/ipos.sock#SECRET     a Unix domain socket
 * tcp://127.0.0.1:4711#SECRET                 TCP; a host name or [IPv6] literal; port 0 in listen() = any free
 * </pre>
 *
 * <p>{@code SECRET} is 32 random bytes from {@link SecureRandom} (256 bits) in unpadded base64url
 * (43 characters). {@code Options.listen} takes the address without a secret; {@code address()}
 * gives it with one.
 */
record Address(boolean unix, Path path, String host, int port, byte[] secret) {
    static final int SECRET_BYTES = 32;
    /** Made when a parent first needs a secret: a child never does, and seeding one costs a JVM about 20 ms. */
    private static final class Random {
        static final SecureRandom SOURCE = new SecureRandom();
    }

    /**
     * Parses {@code text}.
     *
     * @param withSecret whether the text must carry a secret (join) or must not (listen)
     * @throws IllegalArgumentException naming the text and the syntax, if it is not an address
     */
    static Address parse(String text, boolean withSecret) {
        String rest = text;
        byte[] secret = null;
        int hash = text.indexOf('#');
        if (hash >= 0) {
            rest = text.substring(0, hash);
            try {
                secret = Base64.getUrlDecoder().decode(text.substring(hash + 1));
            } catch (IllegalArgumentException e) {
                throw invalid(text, "its secret (after '#') is not base64url");
            }
            if (secret.length == 0) {
                throw invalid(text, "its secret (after '#') is empty");
            }
        }
        if (withSecret && secret == null) {
            throw invalid(text, "it has no secret: join with the whole string the parent's address() returns, "
                    + "secret (after '#') included");
        }
        if (!withSecret && secret != null) {
            throw invalid(text, "a listen address takes no secret: the parent makes one, and address() returns it");
        }
        if (rest.startsWith("unix:")) {
            String file = rest.substring(5);
            if (file.startsWith("//")) {
                file = file.substring(2);
            }
            if (file.isEmpty()) {
                throw invalid(text, "it names no socket file");
            }
            return new Address(true, Path.of(file).toAbsolutePath(), null, 0, secret);
        }
        if (rest.startsWith("tcp://")) {
            String hostPort = rest.substring(6);
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || colon == hostPort.length() - 1) {
                throw invalid(text, "it needs a host and a port, as tcp://127.0.0.1:4711");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw invalid(text, "its port is not a number");
            }
            if (port < 0 || port > 65_535) {
                throw invalid(text, "its port is outside 0..65535");
            }
            return new Address(false, null, host, port, secret);
        }
        throw invalid(text, "it starts with neither unix: nor tcp://");
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("not an ipos address: '" + redacted(text) + "': " + why
                + " (use unix:/path/to/x.sock or tcp://127.0.0.1:0 to listen; join with what address() returns)");
    }

    /** {@code text} with its secret, if any, replaced by "…": addresses appear in messages and logs. */
    static String redacted(String text) {
        int hash = text.indexOf('#');
        return hash < 0 ? text : text.substring(0, hash) + "#…";
    }

    static byte[] newSecret() {
        byte[] b = new byte[SECRET_BYTES];
        Random.SOURCE.nextBytes(b);
        return b;
    }

    /** Whether {@code presented} is {@code expected}, in time that doesn't depend on where they differ. */
    static boolean sameSecret(byte[] expected, byte[] presented) {
        return expected != null && presented != null && MessageDigest.isEqual(expected, presented);
    }

    Address withSecret(byte[] s) {
        return new Address(unix, path, host, port, s);
    }

    Address withPort(int p) {
        return new Address(unix, path, host, p, secret);
    }

    StandardProtocolFamily family() {
        return unix ? StandardProtocolFamily.UNIX : null;
    }

    SocketAddress socketAddress() {
        return unix ? UnixDomainSocketAddress.of(path) : new InetSocketAddress(host, port);
    }

    /** The address as a string, with its secret if it has one. */
    @Override
    public String toString() {
        String base = unix ? "unix:" + path : "tcp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        return secret == null ? base : base + "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** The address without its secret, for messages. */
    String describe() {
        return withSecret(null).toString();
    }
}
