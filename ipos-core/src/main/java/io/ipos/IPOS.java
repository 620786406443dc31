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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * the error handler ({@link #onError}) hears why. Link threads are daemons: a child ends when its
 * {@code main} returns (what it wrote is sent first), and the parent never hangs on exit.
 *
 * <p><b>Threads.</b> An instance and its shared collections may be used from any number of
 * threads. Functions passed to {@code compute}, {@code removeIf}, {@code sort}... run while the
 * instance's lock is held: keep them short and don't wait in them for other threads.
 */
public final class IPOS implements AutoCloseable {
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DEFAULT_SPAWN_TIMEOUT = Duration.ofSeconds(30);
    private static IPOS stdioChild;

    private final Replica replica;
    private final Hub hub;
    private final ParentLink parent;
    private volatile Consumer<? super IposException> errorHandler = IPOS::printError;

    private IPOS(Replica replica, Hub hub, ParentLink parent) {
        this.replica = replica;
        this.hub = hub;
        this.parent = parent;
    }

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

        private Options() {
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
            Hub hub = new Hub(replica, wire, maxFrame, e -> self[0].report(e));
            replica.replicator = hub;
            self[0] = new IPOS(replica, hub, null);
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
                    + (maxFrameBytes != null ? maxFrameBytes : "unset") + "]";
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
     * Joins the parent over this process's stdin and stdout and returns once the parent's whole
     * state is held here. From here on {@code System.out} prints to stderr and {@code System.in}
     * reads nothing: the real descriptors carry the link.
     *
     * @param timeout how long to wait for the parent's handshake
     * @return the child's instance
     * @throws IposException if stdin is a terminal or ends, carries something other than an ipos
     *     parent, speaks another protocol version, or the handshake does not come within {@code timeout}
     * @throws IllegalStateException if this process already connected (there is one stdin)
     */
    public static synchronized IPOS connect(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (stdioChild != null) {
            throw new IllegalStateException("this process already called IPOS.connect(); there is one stdin, so keep "
                    + "and reuse the instance it returned");
        }
        if (System.console() != null) {
            throw new IposException("no ipos parent: stdin and stdout are a terminal; start this program with "
                    + "IPOS.spawn(...) or IPOS.addProcess(...) from a parent that called IPOS.start()");
        }
        System.out.flush();
        InputStream in = new FileInputStream(FileDescriptor.in);
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        System.setIn(InputStream.nullInputStream());
        stdioChild = connect(in, out, timeout);
        return stdioChild;
    }

    /** Joins a parent over the given streams (in-process tests and custom transports). */
    static IPOS connect(InputStream in, OutputStream out, Duration timeout) {
        IPOS[] self = new IPOS[1];
        ParentLink link = ParentLink.connect(in, out, timeout, e -> {
            if (self[0] != null) {
                self[0].report(e);
            } else {
                printError(e);
            }
        });
        self[0] = new IPOS(link.replica(), null, link);
        return self[0];
    }

    /**
     * Closes this instance; idempotent. In the parent, every child's link is closed (each child
     * sees its parent leave; the children keep running). In a child, what it wrote is sent first,
     * then its link closes (the parent drops it). The state stays readable and later writes stay local.
     */
    @Override
    public void close() {
        if (hub != null) {
            hub.close();
        } else {
            parent.close();
        }
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
        replica.acquire();
        try {
            Object stored = replica.internalizeValue(value);
            replica.submit(new MapOps.Put(replica.root, new Object[] {key, stored}), replica.root);
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
        replica.acquire();
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
     * Links a started child process to this parent over its stdin and stdout. The child must call
     * {@link #connect()}.
     *
     * @param child a process started with piped stdin and stdout
     * @return completes when the child holds the state; fails with {@link IposException} if it
     *     exits or breaks the protocol first
     * @throws IllegalStateException if called in a child, or after {@link #close()}
     */
    public CompletableFuture<Void> addProcess(Process child) {
        Objects.requireNonNull(child, "child");
        requireParent("addProcess");
        ChildLink link = new ChildLink(hub, child.getInputStream(), child.getOutputStream(), child, "child pid " + child.pid());
        link.start();
        return link.ready;
    }

    /** Links a child over the given streams (in-process tests and custom transports). */
    CompletableFuture<Void> addLink(InputStream fromChild, OutputStream toChild, String name) {
        requireParent("addLink");
        ChildLink link = new ChildLink(hub, fromChild, toChild, null, name);
        link.start();
        return link.ready;
    }

    /**
     * Starts a child, links it, and waits (up to 30 seconds) until it holds the state. Its stderr
     * is inherited unless the builder redirects it elsewhere.
     *
     * @param builder the child's command; stdin and stdout must stay pipes
     * @return the running child
     * @throws IOException if the process can't be started
     * @throws IposException if it exits or fails the handshake, or doesn't connect in time (it is
     *     then destroyed)
     * @throws IllegalArgumentException if the builder redirects stdin or stdout
     */
    public Process spawn(ProcessBuilder builder) throws IOException {
        return spawn(builder, DEFAULT_SPAWN_TIMEOUT);
    }

    /**
     * Like {@link #spawn(ProcessBuilder)}, waiting up to {@code timeout} for the handshake.
     *
     * @param builder the child's command; stdin and stdout must stay pipes
     * @param timeout how long the child may take to connect
     * @return the running child
     * @throws IOException if the process can't be started
     * @throws IposException if it exits or fails the handshake, or doesn't connect in time
     */
    public Process spawn(ProcessBuilder builder, Duration timeout) throws IOException {
        requireParent("spawn");
        if (builder.redirectInput() != Redirect.PIPE || builder.redirectOutput() != Redirect.PIPE) {
            throw new IllegalArgumentException("the child's stdin and stdout carry the ipos link: leave them as "
                    + "Redirect.PIPE (they are " + builder.redirectInput() + " and " + builder.redirectOutput() + ")");
        }
        if (builder.redirectError() == Redirect.PIPE) {
            builder.redirectError(Redirect.INHERIT);
        }
        Process child = builder.start();
        try {
            addProcess(child).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
     * The children linked now (the parent's view; empty in a child).
     *
     * @return the linked child processes
     */
    public List<Process> processes() {
        if (hub == null) {
            return List.of();
        }
        List<Process> out = new ArrayList<>();
        for (ChildLink link : hub.children()) {
            if (link.process != null) {
                out.add(link.process);
            }
        }
        return out;
    }

    /**
     * A builder for a child JVM that runs {@code mainClass} with this JVM's java and class path:
     * the usual way to start a child, {@code ipos.spawn(IPOS.javaProcess(Worker.class, "3"))}.
     *
     * @param mainClass the class whose {@code main} calls {@link #connect()}
     * @param args its arguments
     * @return a builder with piped stdin and stdout
     */
    public static ProcessBuilder javaProcess(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command);
    }

    private void requireParent(String what) {
        if (hub == null) {
            throw new IllegalStateException(what + " is for the parent (an instance from IPOS.start()); this is a child");
        }
        if (hub.isClosed()) {
            throw new IllegalStateException(what + " after close(): start a new IPOS");
        }
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
        return hub != null ? hub.flush() : parent.flush();
    }

    @Override
    public String toString() {
        return (hub != null ? "IPOS[parent, " + hub.children().length + " children, " : "IPOS[child, ")
                + "fields=" + keys() + "]";
    }
}
