package io.ipos.serialization;

/**
 * Chronicle Wire's {@code BinaryWire} encoding, for applications already built on Chronicle: every
 * frame body is a BinaryWire document that Chronicle's own {@code ValueIn} reads. The subset of
 * BinaryWire codes used, and how the element model maps onto them, is in {@code docs/protocol.md},
 * section "Values / chronicle".
 *
 * <p>{@code net.openhft:chronicle-wire} is an optional dependency of ipos-serialization. This
 * class refers to none of its classes: {@link ChronicleWriter}, which does, is loaded only when a
 * writer is first created, after the system properties that keep Chronicle quiet are set.
 * {@link ChronicleReader} decodes the bytes itself, bounds-checking every length, and needs no
 * Chronicle class at all; the format as a whole still requires the jar, so that a child that
 * follows a parent's choice fails as early as the parent would.
 *
 * <p>Nothing here needs {@code --add-opens}: values are written with BinaryWire's fixed-width
 * {@code ValueOut} calls and Chronicle {@code Bytes}, never with reflection-based marshalling.
 * Chronicle's own start-up prints one line on JDK 17 ("Unable to determine max direct memory"),
 * which cannot be avoided without {@code --add-exports}.
 */
final class ChronicleFormat implements WireFormat {
    static final String NAME = "chronicle";
    /** The chronicle-wire version this module is built and tested with (the root pom pins it). */
    static final String CHRONICLE_WIRE_VERSION = "2026.7";
    static final String DEPENDENCY = "net.openhft:chronicle-wire:" + CHRONICLE_WIRE_VERSION;
    /** A class of chronicle-wire whose absence means the jar is missing. */
    static final String PROBE_CLASS = "net.openhft.chronicle.wire.BinaryWire";

    private static volatile ChronicleFormat instance;

    private ChronicleFormat() {
    }

    /**
     * Returns the format, checking once that chronicle-wire can be loaded.
     *
     * @throws IllegalArgumentException if it cannot; the message names the dependency to add
     */
    static ChronicleFormat instance() {
        ChronicleFormat f = instance;
        if (f == null) {
            synchronized (ChronicleFormat.class) {
                f = instance;
                if (f == null) {
                    checkAvailable(ChronicleFormat.class.getClassLoader());
                    f = new ChronicleFormat();
                    instance = f;
                }
            }
        }
        return f;
    }

    static void checkAvailable(ClassLoader loader) {
        try {
            Class.forName(PROBE_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(missingMessage(), e);
        }
    }

    static String missingMessage() {
        return "the wire format 'chronicle' needs Chronicle Wire, which is not on the class path: add the Maven "
                + "dependency " + DEPENDENCY + " (<dependency><groupId>net.openhft</groupId>"
                + "<artifactId>chronicle-wire</artifactId><version>" + CHRONICLE_WIRE_VERSION
                + "</version></dependency>); on the module path also pass --add-modules chronicle.wire";
    }

    /**
     * Sets, unless the application already did, the system properties that keep Chronicle's
     * start-up quiet: no analytics, and no SLF4J "no providers" warning (three lines on stderr when
     * the application has no SLF4J binding; chronicle-wire brings slf4j-api along).
     */
    static void quietStartup() {
        setIfAbsent("chronicle.analytics.disable", "true");
        setIfAbsent("slf4j.internal.verbosity", "ERROR");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The first writer of a process loads and initializes Chronicle, several hundred
     * milliseconds.
     */
    @Override
    public ValueWriter newWriter() {
        quietStartup();
        try {
            return new ChronicleWriter();
        } catch (LinkageError e) {
            throw new IllegalStateException(missingMessage(), e);
        }
    }

    @Override
    public ValueReader newReader() {
        return new ChronicleReader();
    }

    @Override
    public String toString() {
        return NAME;
    }
}
