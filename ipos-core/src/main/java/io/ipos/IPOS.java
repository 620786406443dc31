package io.ipos;

import io.ipos.serialization.ClassRegistry;
import io.ipos.serialization.ValueCodec;
import io.ipos.serialization.WireFormat;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Live objects shared between a parent JVM and the child processes it starts.
 *
 * <p>The parent calls {@link #start()}, creates fields with {@code create}, and starts children
 * with {@link #spawn(ProcessBuilder)} (or {@link #addProcess(Process)}). A child calls
 * {@link #connect()}, which returns once it holds the parent's whole state. From then on every
 * process reads its own copy, and every write, in any process, is applied there at once and sent to
 * the others as a small operation. The parent orders all writes; every process ends with the same
 * state once writes stop, and each process's writes apply everywhere in the order it made them.
 *
 * <pre>{@code
 * // parent                                          // child (its main)
 * try (IPOS ipos = IPOS.start()) {                   IPOS ipos = IPOS.connect();
 *     SharedList<String> jobs =                      SharedList<String> jobs = ipos.get("jobs");
 *         ipos.create("jobs", List.of("a", "b"));    SharedMap<String, Integer> done = ipos.get("done");
 *     SharedMap<String, Integer> done =              done.put(jobs.get(0), 42);
 *         ipos.create("done", Map.of());             ipos.flush().join();
 *     ipos.spawn(IPOS.javaProcess(Child.class));
 * }
 * }</pre>
 *
 * <p><b>Links.</b> A child talks to its parent over its own stdin and stdout; after
 * {@code connect()}, {@code System.out} prints to stderr, so a stray {@code println} can't corrupt
 * the link, and anything a child prints to stdout before {@code connect()} is copied to the
 * parent's stderr. {@link #spawn} lets the child inherit the parent's stderr.
 *
 * <p><b>When a process goes.</b> A child that exits, is killed or is removed is dropped; the parent
 * and the other children carry on with nothing lost: every frame it sent whole is applied (also
 * when it exits while the parent is writing to it), and a frame it was writing when it died is
 * discarded, never half-applied. When the parent closes or dies, each child's
 * {@link #isConnected()} turns false, its state stays readable, its later writes stay local, and
 * the error handler ({@link #onError}) hears why.
 *
 * <p><b>When a process ends.</b> A process that ends normally (its {@code main} returns, it calls
 * {@code System.exit}, or it called {@link #close()}) first delivers every write it made before
 * that to every process linked to it: a shutdown hook sends what is still queued for each link
 * before the JVM goes. It waits at most 10 seconds for all links together
 * ({@code -Dipos.exitDrainMillis}), so a peer that stopped reading delays the exit by that much and
 * never hangs it. Link threads are daemons. A process that is killed, or halts, sends nothing more.
 *
 * <p><b>Threads.</b> An instance and its shared collections may be used from any number of
 * threads. Functions passed to {@code compute}, {@code removeIf}, {@code sort}... run while the
 * instance's lock is held: keep them short and don't wait in them for other threads.
 */
public final class IPOS implements AutoCloseable {
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DEFAULT_SPAWN_TIMEOUT = Duration.ofSeconds(30);
    /** The instance this process's {@link #connect()} returned: a process has one parent link. */
    private static IPOS connectedChild;

    private final Replica replica;
    private final Hub hub;
    private final ParentLink parent;
    private volatile Consumer<? super IposException> errorHandler = IPOS::printError;

    private final Membership membership;
    /** Messages and calls. */
    private final Talk talk;

    private IPOS(Replica replica, Hub hub, ParentLink parent, Duration callTimeout) {
        this.replica = replica;
        this.hub = hub;
        this.parent = parent;
        this.membership = hub != null ? hub.membership : parent.membership();
        replica.feed.errors(this::report);
        if (hub != null) {
            talk = new Talk(replica, membership, hub.format, hub.maxFrameBytes, hub.router, callTimeout);
            hub.router.local(talk);
        } else {
            talk = new Talk(replica, membership, parent.format(), parent.maxFrameBytes(), parent::send, callTimeout);
            parent.talk(talk);
        }
    }

    /** How long a blocking proxy call waits unless {@link Options#callTimeout} says otherwise. */
    private static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMillis(Long.getLong("ipos.callTimeoutMillis", 30_000L));

    private static void printError(IposException e) {
        System.err.println("[ipos] " + e.getMessage());
    }

    private void report(IposException e) {
        try {
            errorHandler.accept(e);
        } catch (RuntimeException handlerFailure) {
            printError(e);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts the root instance, in the parent, with the options given by system properties: the
     * wire format {@code ipos.format} ({@code msgpack} unless set) and the largest frame
     * {@code ipos.maxFrameBytes} (64 MiB unless set). The same as {@code IPOS.options().start()}.
     *
     * @return a new root instance with no fields
     * @throws IllegalArgumentException if {@code ipos.format} names no known format (the message
     *     lists the valid names) or a format whose optional dependency is missing (the message names
     *     it), or {@code ipos.maxFrameBytes} is not an integer in range
     * @see #options()
     */
    public static IPOS start() {
        return options().start();
    }

    /**
     * Options for starting a parent, set in code rather than through system properties:
     * {@code IPOS.options().format("json").start()}. An option left unset falls back to its system
     * property, then to its default.
     *
     * @return new options, none set yet
     */
    public static Options options() {
        return new Options();
    }

    /**
     * How a parent is started: the wire format its links use and the largest frame they carry.
     * Children need no options: they follow what the parent announces in the handshake.
     *
     * <pre>{@code
     * try (IPOS ipos = IPOS.options().format("json").maxFrameBytes(1 << 20).start()) { ... }
     * }</pre>
     *
     * <p>The format name is checked by {@link #start()}, the frame limit when it is set. One
     * {@code Options} may start any number of parents.
     */
    public static final class Options {
        /** The smallest frame limit accepted: room for the handshake and an empty state with margin. */
        public static final int MIN_FRAME_BYTES = 1 << 10;
        /** The largest frame limit accepted (1 GiB). */
        public static final int MAX_FRAME_BYTES = 1 << 30;

        private String format;
        private Integer maxFrameBytes;
        private Duration stallTimeout;
        private String name;
        private String listen;
        private Duration callTimeout;

        private Options() {
        }

        /**
         * Sets how long a blocking proxy call ({@link IPOS#proxy}) waits for its result, and
         * {@link IPOS#expose} for the parent's answer, before it throws an {@link IposException}
         * (the call is then cancelled in the process that runs it): 30 s unless set here or by
         * {@code -Dipos.callTimeoutMillis}. Calls whose method returns a {@code CompletableFuture}
         * are not timed out (use its {@code orTimeout}).
         *
         * @param timeout at least 1 ms
         * @return these options
         * @throws IllegalArgumentException if {@code timeout} is shorter than 1 ms
         */
        public Options callTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("callTimeout=" + timeout + " is shorter than 1 ms");
            }
            this.callTimeout = timeout;
            return this;
        }

        private Duration resolveCallTimeout() {
            return callTimeout != null ? callTimeout : DEFAULT_CALL_TIMEOUT;
        }

        /**
         * Sets this process's peer name, overriding {@code -Dipos.name} and the environment
         * variable {@code IPOS_NAME}. Names are unique among connected peers; a process that joins
         * under the name of one that left gets that peer's id back. Used by {@link #connect()} and
         * {@link #join(String)}; the parent is always {@code "parent"}.
         *
         * @param name 1 to 255 UTF-8 bytes, no control characters, not {@code "parent"}
         * @return these options
         * @throws IllegalArgumentException if the name is empty, too long or has control characters
         */
        public Options name(String name) {
            this.name = checkName(name, "name");
            return this;
        }

        /**
         * Makes the parent accept processes it did not start, at {@code address}:
         * {@code "unix:/path/to/x.sock"} (a Unix domain socket; the file is made readable by its
         * owner only, its directory too if this creates it) or {@code "tcp://127.0.0.1:0"} (TCP,
         * bound where named; port 0 picks a free one). {@link IPOS#address()} then returns what a
         * joiner passes to {@link IPOS#join(String)}, secret included.
         *
         * @param address where to listen, without a secret
         * @return these options
         * @throws IllegalArgumentException if {@code address} is not such an address (the message gives the syntax)
         */
        public Options listen(String address) {
            Objects.requireNonNull(address, "address");
            Address.parse(address, false);
            this.listen = address;
            return this;
        }

        /**
         * Joins the parent that started this process, with these options (the name): over the
         * private socket the parent passed in the environment, else over stdin and stdout. See
         * {@link IPOS#connect()}.
         *
         * @return the child's instance
         * @throws IposException as {@link IPOS#connect()} does, or if the name is taken
         */
        public IPOS connect() {
            return IPOS.connect(this, DEFAULT_CONNECT_TIMEOUT);
        }

        /**
         * Joins a parent by its address, with these options (the name); waits up to 10 seconds.
         *
         * @param address what the parent's {@link IPOS#address()} returned
         * @return the joiner's instance, holding the parent's whole state
         * @throws IposException if nothing listens there, the secret is missing or wrong, the name
         *     is taken, or the handshake does not come in time
         * @throws IllegalArgumentException if {@code address} is not an ipos address with a secret
         */
        public IPOS join(String address) {
            return join(address, DEFAULT_CONNECT_TIMEOUT);
        }

        /**
         * Joins a parent by its address, with these options, waiting up to {@code timeout}.
         *
         * @param address what the parent's {@link IPOS#address()} returned
         * @param timeout how long to wait for the connection and the handshake
         * @return the joiner's instance
         * @throws IposException if nothing listens there, the secret is missing or wrong, the name
         *     is taken, or the handshake does not come in time
         * @throws IllegalArgumentException if {@code address} is not an ipos address with a secret
         */
        public IPOS join(String address, Duration timeout) {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(timeout, "timeout");
            Address to = Address.parse(address, true);
            return IPOS.linkTo(Connection.open(to, timeout), resolveName(), to.secret(), timeout, resolveCallTimeout());
        }

        private String resolveName() {
            if (name != null) {
                return name;
            }
            String property = System.getProperty("ipos.name");
            if (property != null && !property.isEmpty()) {
                return checkName(property, "system property ipos.name");
            }
            String env = System.getenv("IPOS_NAME");
            return env != null && !env.isEmpty() ? checkName(env, "environment variable IPOS_NAME") : null;
        }

        private static String checkName(String name, String setting) {
            Objects.requireNonNull(name, setting);
            int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (name.isEmpty() || bytes > FrameDescriptor.MAX_NAME_BYTES || name.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException(setting + "='" + name + "' is not a peer name: use 1 to "
                        + FrameDescriptor.MAX_NAME_BYTES + " UTF-8 bytes without control characters");
            }
            if (name.equals("parent")) {
                throw new IllegalArgumentException(setting + "='parent' is the parent's name (peer 0): choose another");
            }
            return name;
        }

        /**
         * Sets how long a child may take nothing while data waits for it (or leave a
         * {@link IPOS#flush()} unanswered) before the parent drops it, overriding
         * {@code -Dipos.stallTimeoutMillis} (30 s unless set). A child that merely falls behind is
         * not dropped: it stops being fed and is re-synced with a snapshot once it reads again.
         *
         * @param timeout at least 1 ms
         * @return these options
         * @throws IllegalArgumentException if {@code timeout} is shorter than 1 ms
         */
        public Options stallTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("stallTimeout=" + timeout + " is shorter than 1 ms");
            }
            this.stallTimeout = timeout;
            return this;
        }

        /**
         * Sets the wire format of op and snapshot bodies, overriding {@code -Dipos.format}.
         *
         * @param name {@code "msgpack"} (the default), {@code "json"} or {@code "chronicle"}
         *     (see {@link WireFormat#names()})
         * @return these options
         * @throws NullPointerException if {@code name} is null
         */
        public Options format(String name) {
            this.format = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Sets the largest frame, in bytes, that the parent sends or accepts, overriding
         * {@code -Dipos.maxFrameBytes}. One op, and the whole state sent to a joining child, must
         * fit in a frame.
         *
         * @param max the limit, in [{@value #MIN_FRAME_BYTES}, {@value #MAX_FRAME_BYTES}]
         * @return these options
         * @throws IllegalArgumentException if {@code max} is out of that range
         */
        public Options maxFrameBytes(int max) {
            this.maxFrameBytes = checkFrameBytes(max, "maxFrameBytes");
            return this;
        }

        private static int checkFrameBytes(int max, String setting) {
            if (max < MIN_FRAME_BYTES || max > MAX_FRAME_BYTES) {
                throw new IllegalArgumentException(setting + "=" + max + " is outside [" + MIN_FRAME_BYTES + ", "
                        + MAX_FRAME_BYTES + "]");
            }
            return max;
        }

        /**
         * Starts a root instance with these options.
         *
         * @return a new root instance with no fields
         * @throws IllegalArgumentException if the format (set here or by {@code ipos.format}) is
         *     unknown, with the valid names in the message, or needs an optional dependency that is
         *     missing, with the dependency in the message; or {@code ipos.maxFrameBytes} is invalid
         */
        public IPOS start() {
            WireFormat wire = resolveFormat();
            int maxFrame = resolveMaxFrameBytes();
            Replica replica = new Replica(new ValueCodec(ClassRegistry.global()), 0);
            IPOS[] self = new IPOS[1];
            Hub hub = new Hub(replica, wire, maxFrame, e -> self[0].report(e),
                    stallTimeout != null ? stallTimeout.toNanos() : Hub.STALL_NANOS);
            replica.replicator = hub;
            self[0] = new IPOS(replica, hub, null, resolveCallTimeout());
            if (listen != null) {
                Address at = Address.parse(listen, false);
                try {
                    hub.listen(at);
                } catch (java.io.IOException e) {
                    hub.close();
                    throw new IposException("cannot listen at " + at.describe() + ": " + e.getMessage(), e);
                }
            }
            return self[0];
        }

        private WireFormat resolveFormat() {
            if (format != null) {
                return WireFormat.byName(format);
            }
            String property = System.getProperty("ipos.format");
            if (property == null) {
                return WireFormat.msgpack();
            }
            try {
                return WireFormat.byName(property);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("system property ipos.format=" + property + ": " + e.getMessage(), e);
            }
        }

        private int resolveMaxFrameBytes() {
            if (maxFrameBytes != null) {
                return maxFrameBytes;
            }
            String property = System.getProperty("ipos.maxFrameBytes");
            if (property == null) {
                return FrameDescriptor.DEFAULT_MAX_FRAME_BYTES;
            }
            try {
                return checkFrameBytes(Integer.parseInt(property.trim()), "system property ipos.maxFrameBytes");
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("system property ipos.maxFrameBytes=" + property + " is not an integer", e);
            }
        }

        @Override
        public String toString() {
            return "IPOS.Options[format=" + (format != null ? format : "unset") + ", maxFrameBytes="
                    + (maxFrameBytes != null ? maxFrameBytes : "unset") + ", stallTimeout="
                    + (stallTimeout != null ? stallTimeout : "unset") + ", name=" + (name != null ? name : "unset")
                    + ", listen=" + (listen != null ? listen : "unset") + ", callTimeout="
                    + (callTimeout != null ? callTimeout : "unset") + "]";
        }
    }

    /**
     * Joins the parent over this process's stdin and stdout, waiting up to 10 seconds.
     *
     * @return the child's instance, holding the parent's whole state
     * @throws IposException if there is no parent, the handshake fails, or it times out
     * @throws IllegalStateException if this process already connected
     * @see #connect(Duration)
     */
    public static IPOS connect() {
        return connect(DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Joins the parent that started this process and returns once the parent's whole state is held
     * here. A child that {@link #spawn} started finds its parent's private socket in the
     * environment ({@code IPOS_ADDRESS}) and links over it: its stdin, stdout and stderr stay its
     * own. Otherwise (a process linked with {@link #addProcess}) the link is this process's stdin
     * and stdout: from here on {@code System.out} prints to stderr and {@code System.in} reads
     * nothing, since the real descriptors carry the link. The peer name comes from
     * {@code -Dipos.name}, else {@code IPOS_NAME}, else the parent gives one ({@link #options()}
     * sets it in code).
     *
     * @param timeout how long to wait for the parent's handshake
     * @return the child's instance
     * @throws IposException if there is no parent (stdin is a terminal or ends, or the socket is
     *     gone), it speaks another protocol version, refuses the name, or the handshake does not
     *     come within {@code timeout}
     * @throws IllegalStateException if this process already connected (it has one parent link)
     */
    public static IPOS connect(Duration timeout) {
        return connect(new Options(), timeout);
    }

    private static synchronized IPOS connect(Options options, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (connectedChild != null) {
            throw new IllegalStateException("this process already called IPOS.connect(); it has one link to its parent, so "
                    + "keep and reuse the instance it returned");
        }
        String name = options.resolveName();
        String address = System.getProperty("ipos.address", System.getenv(ChildSockets.ENV));
        if (address != null && !address.isEmpty()) {
            Address to = Address.parse(address, true);
            connectedChild = linkTo(Connection.open(to, timeout), name, to.secret(), timeout, options.resolveCallTimeout());
            return connectedChild;
        }
        if (System.console() != null) {
            throw new IposException("no ipos parent: stdin and stdout are a terminal; start this program with "
                    + "IPOS.spawn(...) or IPOS.addProcess(...) from a parent that called IPOS.start(), or IPOS.join(address)");
        }
        System.out.flush();
        InputStream in = new FileInputStream(FileDescriptor.in);
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        System.setIn(InputStream.nullInputStream());
        connectedChild = linkTo(Connection.streams(in, out, Connection.Kind.STDIO), name, null, timeout, options.resolveCallTimeout());
        return connectedChild;
    }

    /**
     * Joins a parent that listens ({@link Options#listen}) by the address its {@link #address()}
     * returned, waiting up to 10 seconds; the peer name as for {@link #connect()}. Any process on
     * the host may join a Unix-socket address, any host that reaches it a TCP one, if it holds the
     * secret in the address: without it, or with a wrong one, it is refused before it sees any
     * state. A joiner is a peer like a child, with the same state and guarantees; it leaves when
     * it closes, its process ends, or its socket breaks.
     *
     * @param address the parent's address, secret included
     * @return the joiner's instance, holding the parent's whole state
     * @throws IposException if nothing listens there, the secret is missing or wrong, the name is
     *     taken, or the handshake does not come in time
     * @throws IllegalArgumentException if {@code address} is not an ipos address with a secret
     */
    public static IPOS join(String address) {
        return new Options().join(address);
    }

    /**
     * Like {@link #join(String)}, waiting up to {@code timeout}.
     *
     * @param address the parent's address, secret included
     * @param timeout how long to wait for the connection and the handshake
     * @return the joiner's instance
     * @throws IposException if nothing listens there, the secret is missing or wrong, the name is
     *     taken, or the handshake does not come in time
     * @throws IllegalArgumentException if {@code address} is not an ipos address with a secret
     */
    public static IPOS join(String address, Duration timeout) {
        return new Options().join(address, timeout);
    }

    /** Joins a parent over the given streams (in-process tests and custom transports). */
    static IPOS connect(InputStream in, OutputStream out, Duration timeout) {
        return linkTo(Connection.streams(in, out, Connection.Kind.STDIO), null, null, timeout, DEFAULT_CALL_TIMEOUT);
    }

    private static IPOS linkTo(Connection connection, String name, byte[] secret, Duration timeout, Duration callTimeout) {
        IPOS[] self = new IPOS[1];
        ParentLink link = ParentLink.connect(connection, name, secret, timeout, e -> {
            if (self[0] != null) {
                self[0].report(e);
            } else {
                printError(e);
            }
        });
        self[0] = new IPOS(link.replica(), null, link, callTimeout);
        return self[0];
    }

    /**
     * Closes this instance; idempotent. In the parent, every child's link is closed (each child
     * sees its parent leave; the children keep running). In a child, its link closes (the parent
     * drops it). Either way every write made here before {@code close()} began is sent first:
     * {@code close()} returns once each link's stream has taken it, or after at most 10 seconds for
     * all links together ({@code -Dipos.exitDrainMillis}) when a peer stopped reading. The state
     * stays readable and later writes stay local.
     */
    @Override
    public void close() {
        if (hub != null) {
            hub.close();
        } else {
            parent.close();
        }
        talk.close();
    }

    /**
     * In a child, whether its link to the parent is up; in the parent, true until {@link #close()}.
     *
     * @return whether writes made here still reach other processes
     */
    public boolean isConnected() {
        return hub != null ? !hub.isClosed() : parent.isConnected();
    }

    /**
     * Sets what hears about failures that happen on the link threads: a child dropped for a bad
     * frame, a parent that vanished, a child that stopped reading. The default prints to stderr.
     *
     * @param handler the new handler
     * @return this instance
     */
    public IPOS onError(Consumer<? super IposException> handler) {
        this.errorHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    // ---------------------------------------------------------------- class registry

    /**
     * Allows values of {@code type} to be shared, in this process. Records need no hooks (their
     * components are the serialized form); enums travel by name; other classes need an instance
     * method {@code serialize()} or {@code stringify()} and a static {@code from(x)}. A process
     * must register a class before it reads a value of it (a child usually before
     * {@link #connect()}); nothing is ever instantiated from a class name it did not register.
     *
     * @param type the class to allow
     * @throws IllegalArgumentException if the class has no usable hooks, or another class
     *     already uses its wire name
     */
    public static void registerClass(Class<?> type) {
        ClassRegistry.global().register(type);
    }

    /**
     * Allows values of {@code type} to be shared, with explicit hooks.
     *
     * @param type the class to allow
     * @param serialize turns an instance into a shareable value (a String, a Map...)
     * @param from turns that value back into an instance
     * @param <T> the class
     * @throws IllegalArgumentException if another class already uses its wire name
     */
    public static <T> void registerClass(Class<T> type, Function<? super T, ?> serialize, Function<Object, ? extends T> from) {
        ClassRegistry.global().register(type, serialize, from);
    }

    // ---------------------------------------------------------------- fields

    /**
     * Creates (or resets) field {@code key} with a copy of {@code value}.
     *
     * @param key the field name
     * @param value the initial entries (nested collections become nested shared containers)
     * @return the live shared map
     * @throws IllegalArgumentException if a key or value inside can't be shared
     */
    @SuppressWarnings("unchecked")
    public <K, V> SharedMap<K, V> create(String key, Map<K, V> value) {
        return (SharedMap<K, V>) createField(key, Objects.requireNonNull(value, "value"));
    }

    /**
     * Creates (or resets) field {@code key} with a copy of {@code value}.
     *
     * @param key the field name
     * @param value the initial elements (nested collections become nested shared containers)
     * @return the live shared list
     * @throws IllegalArgumentException if an element can't be shared
     */
    @SuppressWarnings("unchecked")
    public <E> SharedList<E> create(String key, List<E> value) {
        return (SharedList<E>) createField(key, Objects.requireNonNull(value, "value"));
    }

    /**
     * Creates (or resets) field {@code key} with a copy of {@code value}.
     *
     * @param key the field name
     * @param value the initial elements (immutable values)
     * @return the live shared set
     * @throws IllegalArgumentException if an element can't be shared
     */
    @SuppressWarnings("unchecked")
    public <E> SharedSet<E> create(String key, Set<E> value) {
        return (SharedSet<E>) createField(key, Objects.requireNonNull(value, "value"));
    }

    /**
     * Creates (or resets) field {@code key} with {@code value}: any shareable value (see the
     * README), or a map, list or set, which is copied in as with the typed overloads.
     *
     * @param key the field name
     * @param value the value
     * @return what is now stored: the value, or the live shared container
     * @throws IllegalArgumentException if the value can't be shared; nothing is stored then
     */
    @SuppressWarnings("unchecked")
    public <T> T create(String key, T value) {
        return (T) createField(key, value);
    }

    private Object createField(String key, Object value) {
        Objects.requireNonNull(key, "key");
        replica.acquireWrite();
        try {
            Object name = replica.internalizeKey(key); // a field name is a String that must travel exactly
            Object stored = replica.internalizeValue(value);
            replica.submit(new MapOps.Put(replica.root, new Object[] {name, stored}), replica.root);
            return Node.of(stored) != null ? stored : value;
        } finally {
            replica.releaseWrite();
        }
    }

    /**
     * The value of field {@code key}: a value, or a live {@link SharedMap}, {@link SharedList} or
     * {@link SharedSet}.
     *
     * @param key the field name
     * @return the value, or null when there is no such field
     * @throws IposException if the value is of a class not registered in this process (it is kept:
     *     register the class and read again)
     * @throws ClassCastException at the caller if {@code T} is not the value's type
     */
    @SuppressWarnings("unchecked")
    public <T> T get(String key) {
        return (T) replica.root.get(key);
    }

    /**
     * Deletes field {@code key} everywhere; a container it held becomes detached.
     *
     * @param key the field name
     * @return whether there was such a field
     */
    public boolean delete(String key) {
        replica.acquireWrite();
        try {
            if (!replica.root.containsKey(key)) {
                return false;
            }
            replica.submit(new MapOps.Remove(replica.root, new Object[] {key}), replica.root);
            return true;
        } finally {
            replica.releaseWrite();
        }
    }

    /**
     * The names of the fields, as of now.
     *
     * @return an unmodifiable snapshot
     */
    public Set<String> keys() {
        Object[] kv = replica.root.snapshot();
        Set<String> keys = new LinkedHashSet<>();
        for (int i = 0; i < kv.length; i += 2) {
            keys.add((String) kv[i]);
        }
        return Collections.unmodifiableSet(keys);
    }

    // ---------------------------------------------------------------- processes

    /**
     * Links a started child process to this parent over its stdin and stdout, with full access.
     * The child must call {@link #connect()}.
     *
     * @param child a process started with piped stdin and stdout
     * @return completes when the child holds the state; fails with {@link IposException} if it
     *     exits or breaks the protocol first
     * @throws IllegalStateException if called in a child, or after {@link #close()}
     */
    public CompletableFuture<Void> addProcess(Process child) {
        return addProcess(child, Access.READ_WRITE);
    }

    /**
     * Links a started child process to this parent over its stdin and stdout, with {@code access}.
     * The child must call {@link #connect()}.
     *
     * @param child a process started with piped stdin and stdout
     * @param access what the child may do ({@link Access#READ_ONLY}: read and observe only)
     * @return completes when the child holds the state; fails with {@link IposException} if it
     *     exits or breaks the protocol first
     * @throws IllegalStateException if called in a child, or after {@link #close()}
     */
    public CompletableFuture<Void> addProcess(Process child, Access access) {
        Objects.requireNonNull(child, "child");
        Objects.requireNonNull(access, "access");
        requireParent("addProcess");
        if (child.getInputStream().getClass().getName().endsWith("NullInputStream")
                || child.getOutputStream().getClass().getName().endsWith("NullOutputStream")) {
            throw new IllegalArgumentException("addProcess links child pid " + child.pid() + " over its stdin and stdout, "
                    + "but they are not pipes: start it with redirectInput(Redirect.PIPE) and redirectOutput(Redirect.PIPE) "
                    + "(IPOS.javaProcess inherits stdout), or start it with spawn(builder), which needs neither");
        }
        return link(Connection.pipes(child), child, "child pid " + child.pid(), ChildLink.Gate.trusted(access));
    }

    /** Links a child over the given streams (in-process tests and custom transports). */
    CompletableFuture<Void> addLink(InputStream fromChild, OutputStream toChild, String name) {
        return addLink(fromChild, toChild, name, Access.READ_WRITE);
    }

    /** Links a child over the given streams with {@code access} (in-process tests). */
    CompletableFuture<Void> addLink(InputStream fromChild, OutputStream toChild, String name, Access access) {
        requireParent("addLink");
        return link(Connection.streams(fromChild, toChild, Connection.Kind.PIPES), null, name, ChildLink.Gate.trusted(access));
    }

    private CompletableFuture<Void> link(Connection c, Process child, String name, ChildLink.Gate gate) {
        ChildLink link = new ChildLink(hub, c, child, name, gate);
        link.start();
        return link.ready;
    }

    /**
     * Starts a child with full access, links it, and waits (up to 30 seconds) until it holds the
     * state. See {@link #spawn(ProcessBuilder, Access, Duration)}.
     *
     * @param builder the child's command
     * @return the running child
     * @throws IOException if the process can't be started
     * @throws IposException if it exits or fails the handshake, or doesn't connect in time (it is
     *     then destroyed)
     */
    public Process spawn(ProcessBuilder builder) throws IOException {
        return spawn(builder, Access.READ_WRITE, DEFAULT_SPAWN_TIMEOUT);
    }

    /**
     * Starts a child with full access, waiting up to {@code timeout} for it to connect. See
     * {@link #spawn(ProcessBuilder, Access, Duration)}.
     *
     * @param builder the child's command
     * @param timeout how long the child may take to connect
     * @return the running child
     * @throws IOException if the process can't be started
     * @throws IposException if it exits or fails the handshake, or doesn't connect in time
     */
    public Process spawn(ProcessBuilder builder, Duration timeout) throws IOException {
        return spawn(builder, Access.READ_WRITE, timeout);
    }

    /**
     * Starts a child with {@code access}, waiting up to 30 seconds for it to connect. See
     * {@link #spawn(ProcessBuilder, Access, Duration)}.
     *
     * @param builder the child's command
     * @param access what the child may do
     * @return the running child
     * @throws IOException if the process can't be started
     * @throws IposException if it exits or fails the handshake, or doesn't connect in time
     */
    public Process spawn(ProcessBuilder builder, Access access) throws IOException {
        return spawn(builder, access, DEFAULT_SPAWN_TIMEOUT);
    }

    /**
     * Starts a child, links it, and waits until it holds the state. The child links over a Unix
     * domain socket of its own, in a directory only this user can enter, passed to it with a
     * one-time secret in the environment variable {@code IPOS_ADDRESS} (its {@link #connect()}
     * finds it): the child's stdin, stdout and stderr are the builder's to set, so a child may
     * print, read its stdin and start programs with {@code inheritIO()}. Its stderr is inherited
     * unless the builder redirects it; a stdout left as {@code PIPE} is the caller's to read.
     * Where Unix domain sockets are unavailable (or with {@code -Dipos.childLink=stdio}) the
     * child links over its stdin and stdout instead, which spawn then makes pipes.
     *
     * @param builder the child's command
     * @param access what the child may do ({@link Access#READ_ONLY}: read and observe only)
     * @param timeout how long the child may take to connect
     * @return the running child
     * @throws IOException if the process can't be started
     * @throws IposException if it exits or fails the handshake, or doesn't connect in time (it is
     *     then destroyed)
     */
    public Process spawn(ProcessBuilder builder, Access access, Duration timeout) throws IOException {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(timeout, "timeout");
        requireParent("spawn");
        if (builder.redirectError() == Redirect.PIPE) {
            builder.redirectError(Redirect.INHERIT);
        }
        ChildSockets sockets = hub.childSockets();
        if (sockets == null) {
            builder.redirectInput(Redirect.PIPE).redirectOutput(Redirect.PIPE);
            builder.environment().remove(ChildSockets.ENV);
            Process child = builder.start();
            return awaitChild(child, addProcess(child, access), timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] secret = Address.newSecret();
        Process child;
        Connection c;
        try (Acceptor socket = sockets.newSocket()) {
            builder.environment().put(ChildSockets.ENV, socket.address.withSecret(secret).toString());
            child = builder.start();
            try {
                c = socket.acceptOne(child, timeout.toNanos());
            } catch (IOException | RuntimeException e) {
                child.destroyForcibly();
                throw e;
            }
        } finally {
            builder.environment().remove(ChildSockets.ENV);
        }
        if (c == null) {
            return awaitChild(child, CompletableFuture.failedFuture(new IposException(ChildLink.notConnected(child, timeout))), timeout);
        }
        CompletableFuture<Void> ready = link(c, child, "child pid " + child.pid(), ChildLink.Gate.secret(secret, access));
        return awaitChild(child, ready, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    private static Process awaitChild(Process child, CompletableFuture<Void> ready, Duration timeout) {
        try {
            ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return child;
        } catch (TimeoutException e) {
            child.destroyForcibly();
            throw new IposException("child pid " + child.pid() + " did not connect within " + timeout.toMillis()
                    + " ms and was destroyed: does its main call IPOS.connect() early?");
        } catch (ExecutionException e) {
            child.destroyForcibly();
            Throwable cause = e.getCause();
            throw cause instanceof IposException ie ? new IposException(ie.getMessage(), ie)
                    : new IposException("child pid " + child.pid() + " failed to connect: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroyForcibly();
            throw new IposException("interrupted while waiting for child pid " + child.pid() + " to connect");
        }
    }

    /**
     * Unlinks a child: it gets no more ops and sees its parent leave. The process keeps running.
     *
     * @param child a process linked with {@link #addProcess} or {@link #spawn}
     * @return whether it was linked
     */
    public boolean removeProcess(Process child) {
        if (hub == null) {
            return false;
        }
        for (ChildLink link : hub.children()) {
            if (link.process == child) {
                hub.lost(link, null);
                return true;
            }
        }
        return false;
    }

    /**
     * The children linked now (the parent's view; empty in a child). A child that ended stays in
     * the list until every frame it sent is applied here, so once it is gone from the list all of
     * its writes are in this process's state.
     *
     * @return the linked child processes
     */
    public List<Process> processes() {
        if (hub == null) {
            return List.of();
        }
        List<Process> out = new ArrayList<>();
        for (ChildLink link : hub.linked()) {
            if (link.process != null) {
                out.add(link.process);
            }
        }
        return out;
    }

    /** In a child, the bytes queued for the parent and not yet handed to the stream: for tests in this package. */
    long queuedToParent() {
        return parent != null ? parent.queuedBytes() : 0;
    }

    /**
     * In a child: the ops sent to the parent, those sent again after a lost compute-family write
     * among them (its re-run and the writes after it), how many calls those carried, and how many
     * computes travelled inside the op before them, and its re-bases (zeros in the parent): for tests in this package.
     */
    long[] writeCounts() {
        return parent != null ? parent.writeCounts() : new long[5];
    }

    /** The parent's links to its children now (empty in a child): for tests in this package. */
    ChildLink[] links() {
        return hub != null ? hub.children() : new ChildLink[0];
    }

    /**
     * A builder for a child JVM that runs {@code mainClass} the way this JVM runs: the usual way to
     * start a child, {@code ipos.spawn(IPOS.javaProcess(Worker.class, "3"))}. Its command is
     * {@code java <options> [-p <module path>] [-cp <class path>] <main> <args>}, where:
     * <ul>
     * <li>{@code java} is this JVM's ({@code java.home});
     * <li>the options are those of this JVM's own options that a child needs to run alike:
     *     system properties ({@code -D}), heap and stack sizes ({@code -Xmx}, {@code -Xms},
     *     {@code -Xss} and their {@code -XX:} spellings, {@code -XX:MaxRAMPercentage} and its two
     *     siblings), module and access options ({@code --add-opens}, {@code --add-exports},
     *     {@code --add-reads}, {@code --add-modules}, {@code --patch-module},
     *     {@code --limit-modules}, {@code --upgrade-module-path}, {@code --enable-preview},
     *     {@code --enable-native-access}, {@code --illegal-native-access},
     *     {@code --sun-misc-unsafe-memory-access}) and assertions ({@code -ea}, {@code -da},
     *     {@code -esa}, {@code -dsa}, long forms too). Not passed on: debugger and agents
     *     ({@code -agentlib:jdwp}, {@code -javaagent}...: a second one would clash over its port
     *     or files), Flight Recorder, {@code -Xlog}, every other {@code -X}/{@code -XX} option
     *     (collector, JIT, dumps: tuning and diagnostics are per JVM), and of the properties those
     *     the java launcher sets from its own arguments ({@code java.class.path},
     *     {@code jdk.module.*}, {@code sun.java.*}), the JMX agent's ({@code com.sun.management.*},
     *     whose port would clash) and a {@code java.security.manager} naming a class;
     * <li>the module path is this JVM's, plus the location of the main class's module, ipos's and
     *     ipos-serialization's where they are named modules not on it;
     * <li>the class path holds, in this order, the file URLs of each {@code URLClassLoader} between
     *     the main class's loader and the application class loader (so a main class run by
     *     {@code mvn exec:java}, whose {@code java.class.path} is Maven's launcher, is found with
     *     its dependencies), {@code java.class.path}, and the locations of the main class, ipos,
     *     ipos-serialization and msgpack-core and jackson where they are on neither path yet. A
     *     loader that is no {@code URLClassLoader} yields only those locations (not the
     *     application's other libraries), and a class that was not loaded from a file or jar file
     *     can't be passed on: start such a child with a builder of your own;
     * <li>the main is {@code -m module/class} when {@code mainClass} is in a named module; else
     *     {@code io.ipos.Launcher <class>} (after {@code --add-modules=io.ipos} when ipos is itself
     *     on the module path), a launcher in ipos that loads the class itself and, if
     *     it can't, prints why on stderr and exits with code 86, so that {@link #spawn} says for
     *     certain that the main class could not be loaded. It runs {@code main} as Java 25's launcher
     *     does: {@code main(String[])}, else {@code main()}, static or instance, non-private.
     * </ul>
     * Relative path entries are made absolute, so the builder may get another directory. An option
     * added at index 1 of {@code command()} comes before the passed-on ones, and where it repeats
     * one of them (the same {@code -D} name, {@code -Xmx}) the JVM takes the last, the parent's:
     * to override one, remove it from the command or add yours just before {@code -p}/{@code -cp}.
     *
     * @param mainClass the class whose {@code main} calls {@link #connect()}
     * @param args its arguments
     * @return a builder whose stdout and stderr are inherited (a child that prints just prints) and
     *     whose stdin is a pipe; for {@link #addProcess}, which links over stdin and stdout, set
     *     {@code redirectOutput(Redirect.PIPE)}
     */
    public static ProcessBuilder javaProcess(Class<?> mainClass, String... args) {
        return JavaProcess.builder(Objects.requireNonNull(mainClass, "mainClass"), args);
    }

    private void requireParent(String what) {
        if (hub == null) {
            throw new IllegalStateException(what + " is for the parent (an instance from IPOS.start()); this is a child");
        }
        if (hub.isClosed()) {
            throw new IllegalStateException(what + " after close(): start a new IPOS");
        }
    }

    // ---------------------------------------------------------------- peers

    /**
     * This process as a peer: in the parent {@code 0, "parent"}, in a child or joiner the id and
     * name the parent gave it.
     *
     * @return this process's peer
     */
    public Peer self() {
        return membership.self();
    }

    /**
     * The other processes connected now, as this process knows them: in the parent its children
     * and joiners; in a child the parent first, then its siblings, in the order they joined. Empty
     * in a child whose parent is gone.
     *
     * @return a snapshot of the connected peers
     */
    public List<Peer> peers() {
        return membership.peers();
    }

    /**
     * Calls {@code listener} when a peer joins or leaves, in every process (siblings included),
     * on the event thread, in order with the changes the state goes through (a sibling's writes
     * come after its join and before its leave). A listener that throws is reported to
     * {@link #onError} and stays subscribed.
     *
     * @param listener what to call
     * @return the subscription; close it to stop (no call comes after close returns)
     */
    public Subscription onPeer(Consumer<? super PeerEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        return membership.watch(listener);
    }

    /**
     * The address a process passes to {@link #join(String)} for full access, secret included: keep
     * it as you would a password. See {@link Options#listen}.
     *
     * @return the address, e.g. {@code unix:/run/app/ipos.sock#...} or {@code tcp://127.0.0.1:40123#...}
     * @throws IllegalStateException if this is not a parent started with {@code listen}
     */
    public String address() {
        return address(Access.READ_WRITE);
    }

    /**
     * The address that admits a joiner with only {@code access}: each access has its own secret.
     *
     * @param access what a process joining with this address may do
     * @return the address, secret included
     * @throws IllegalStateException if this is not a parent started with {@code listen}
     */
    public String address(Access access) {
        Objects.requireNonNull(access, "access");
        String a = hub != null ? hub.address(access) : null;
        if (a == null) {
            throw new IllegalStateException(hub == null ? "address() is the parent's: this process joined one"
                    : "this parent does not listen: start it with IPOS.options().listen(\"unix:/path/x.sock\") or "
                    + "listen(\"tcp://127.0.0.1:0\")");
        }
        return a;
    }

    // ---------------------------------------------------------------- coordination

    /**
     * In a child: completes when every write this process made so far is applied at the parent
     * (and so ordered before anything the parent sends after). In the parent: completes when every
     * write so far is applied in every child linked now (a child that leaves meanwhile is not
     * waited for).
     *
     * @return the future; in a child whose parent is gone it fails with {@link IposException}
     */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> settled = hub != null ? hub.flush() : parent.flush();
        return settled.thenCompose(v -> replica.feed.barrier());
    }

    // ---------------------------------------------------------------- atomic units

    /**
     * Runs {@code writes} in the calling thread as one unit: every write it makes on this
     * instance is applied here at once (so its reads see its own writes), and travels as one op,
     * which every process applies all at once, between two other writes; no reader or listener
     * anywhere sees part of it, and its changes reach listeners one after another with no other
     * change between. The instance's lock is held while {@code writes} runs, so no other write is
     * applied here meanwhile: keep it short, and don't wait in it for other threads.
     *
     * <p>If {@code writes} throws, none of its writes stays (the local view is restored), no
     * listener anywhere sees any of them, and the exception propagates. A call inside
     * {@code writes} joins the outer unit (if the inner block throws, its own writes are undone).
     *
     * @param writes the writes to make as one unit
     * @return completes as {@link #flush()} would for those writes
     * @throws IllegalArgumentException if a write can't be sent, or the unit as a whole is larger
     *     than a frame (it is rolled back then)
     */
    public CompletableFuture<Void> atomic(Runnable writes) {
        Objects.requireNonNull(writes, "writes");
        Replica.UnitMark mark;
        replica.acquireWrite();
        try {
            mark = replica.openUnit();
            boolean ok = false;
            try {
                writes.run();
                ok = true;
            } finally {
                replica.closeUnit(mark, ok);
            }
        } finally {
            replica.releaseWrite();
        }
        if (!mark.outermost()) {
            return mark.done();
        }
        flush().whenComplete((v, failure) -> {
            if (failure != null) {
                mark.done().completeExceptionally(failure);
            } else {
                mark.done().complete(null);
            }
        });
        return mark.done();
    }

    // ---------------------------------------------------------------- observing

    /**
     * Calls {@code listener} with every change this process's view goes through, at any depth: a
     * {@link FieldChange} for fields created, re-created or deleted, and a {@link MapChange},
     * {@link ListChange} or {@link SetChange} for a change inside a container ({@link Change#path()}
     * says where). Changes come once each, in the order the view changed (this process's writes,
     * other processes' writes and re-base corrections alike), on the instance's event thread,
     * never on a link thread and never under the instance's lock: a listener may read and write
     * shared state (a write it makes is a new write, whose change comes later). A listener that
     * throws is reported to {@link #onError} and stays subscribed. Changes wait in memory for a
     * slow listener; {@link #flush()} completes only after the listeners were called for every
     * change applied before it completes.
     *
     * @param listener what to call
     * @return the subscription; close it to stop (no change is delivered after close returns)
     */
    @SuppressWarnings("unchecked")
    public Subscription onChange(Consumer<? super Change> listener) {
        Objects.requireNonNull(listener, "listener");
        replica.acquire();
        try {
            return replica.feed.subscribe(null, (Consumer<Object>) (Consumer<?>) listener);
        } finally {
            replica.release();
        }
    }

    // ---------------------------------------------------------------- messages

    /**
     * Calls {@code handler} with every message on {@code topic} that reaches this process, with the
     * peer that sent it, on the instance's event thread (the one that calls change listeners):
     * after the changes of every write its sender made before it, which this process has applied
     * by then. A message whose value is not a {@code type} (for a primitive type, its box; null
     * fits any other type) is reported to {@link #onError} instead, as is a handler that throws
     * (it stays subscribed). Values arrive as they would from {@code get}: collections as
     * unmodifiable plain copies, registered classes as instances if registered here.
     *
     * @param topic the topic, 1 to 255 UTF-8 bytes
     * @param type the type of value the handler takes ({@code Object.class}: any)
     * @param handler what to call, with the sender and the value
     * @param <T> the type
     * @return the subscription; close it to stop (no call comes after close returns)
     * @throws IllegalArgumentException if the topic is empty or too long
     */
    public <T> Subscription on(String topic, Class<T> type, BiConsumer<Peer, ? super T> handler) {
        return talk.messages.on(topic, type, handler);
    }

    /**
     * Sends {@code message} on {@code topic} to every other process connected now: in the parent
     * its children and joiners, in a child the parent and its siblings (through the parent). It is
     * ordered with the state: each receiver handles it after it has applied every write this
     * process made before the call. Nothing is kept for processes that join later.
     *
     * @param topic the topic, 1 to 255 UTF-8 bytes
     * @param message any shareable value (see the README; containers travel as plain copies)
     * @return false when no other process is there to receive it (nothing was sent)
     * @throws IllegalArgumentException if the value can't be shared, is larger than a frame, or
     *     the topic is empty or too long
     * @throws IllegalStateException inside {@link #atomic} or a function passed to
     *     {@code compute}, {@code merge}... (they hold the instance's lock)
     */
    public boolean emit(String topic, Object message) {
        return talk.messages.emit(null, topic, message);
    }

    /**
     * Sends {@code message} on {@code topic} to peer {@code to} only, ordered with the state as
     * {@link #emit(String, Object)}. A message to this process itself is handled here, after this
     * process's writes so far. A peer that leaves before the message reaches it does not get it.
     *
     * @param to the peer (from {@link #peers()}, {@link #onPeer}, a handler or {@link #self()})
     * @param topic the topic, 1 to 255 UTF-8 bytes
     * @param message any shareable value
     * @return false if {@code to} is not connected now, as this process knows (nothing was sent)
     * @throws IllegalArgumentException if the value can't be shared, is larger than a frame, or
     *     the topic is empty or too long
     * @throws IllegalStateException inside {@link #atomic} or a function passed to
     *     {@code compute}, {@code merge}...
     */
    public boolean emit(Peer to, String topic, Object message) {
        Objects.requireNonNull(to, "to");
        return talk.messages.emit(to, topic, message);
    }

    // ---------------------------------------------------------------- calls

    /**
     * Makes {@code implementation} callable from every process under {@code name}, through
     * {@link #proxy}. Names are unique across the peers: the parent decides, so this waits for its
     * answer (up to the call timeout). Only the methods of {@code api} (its own and inherited, not
     * those of {@code Object}, not static ones) can be called; a call naming anything else, or with
     * arguments not of the declared parameter types, is refused without running anything and
     * reported to {@link #onError}. Each call runs on a thread of its own (a daemon of a pool),
     * never on a link or the event thread, after this process has applied every write its caller
     * made before the call; calls may run concurrently. A method returning a
     * {@code CompletableFuture} answers when that future completes. Read-only peers may expose,
     * and call, like any other.
     *
     * @param name the name, 1 to 255 UTF-8 bytes
     * @param api the interface callers use
     * @param implementation what runs the calls
     * @param <T> the interface
     * @return the subscription; close it to give the name back (calls arriving later fail)
     * @throws IposException naming the process that holds it, if the name is taken; or if this
     *     process is not connected, or the parent does not answer within the call timeout
     * @throws IllegalArgumentException if {@code api} is not an interface, {@code implementation}
     *     does not implement it, or the name is empty or too long
     * @throws IllegalStateException inside {@link #atomic} or a function passed to {@code compute}...
     */
    public <T> Subscription expose(String name, Class<T> api, T implementation) {
        return talk.incoming.expose(name, api, implementation);
    }

    /**
     * An implementation of {@code api} whose methods run in the process that exposed {@code name}
     * (looked up at each call, so it may be exposed later, or again by a restarted process). A
     * method returning {@code CompletableFuture<R>} (or {@code CompletionStage<R>}) returns at once
     * and completes with the result, off the link and event threads; cancelling it cancels the
     * call there (its thread is interrupted). Any other method blocks until the result arrives or
     * the call timeout ({@link Options#callTimeout}, 30 s) passes. Arguments and results are
     * shareable values, copied (containers as plain unmodifiable copies), and checked against the
     * declared types on arrival. {@code toString}, {@code equals} (identity) and {@code hashCode}
     * are answered by the proxy itself.
     *
     * <p>A call fails with an {@link IposException} at once when no process exposes the name,
     * when the exposing process leaves before answering, and when this process loses its parent;
     * with a {@link RemoteException} (the remote class name, message and stack trace) when the
     * implementation threw. A call to a name this process exposes runs here, with the same copies.
     *
     * @param name the name the implementation was exposed under
     * @param api the interface
     * @param <T> the interface
     * @return the proxy
     * @throws IllegalArgumentException if {@code api} is not an interface or the name is empty or too long
     */
    public <T> T proxy(String name, Class<T> api) {
        Talk.name(name, "name");
        Objects.requireNonNull(api, "api");
        return CallProxy.create(talk.outgoing, name, api);
    }

    @Override
    public String toString() {
        return (hub != null ? "IPOS[parent, " + hub.children().length + " children, " : "IPOS[child, ")
                + "fields=" + keys() + "]";
    }
}
