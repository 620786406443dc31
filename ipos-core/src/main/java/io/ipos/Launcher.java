package io.ipos;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * The main class of a child JVM started by {@link IPOS#javaProcess} from the class path:
 * {@code io.ipos.Launcher <main class> <args>...} loads the main class itself, so that a child
 * whose class path lacks it (or whose main class has no main method) says so for certain: it prints
 * the java launcher's own words and its class path on stderr and exits with {@link #NO_MAIN_CLASS},
 * which the parent's error turns into "its main class could not be loaded" (see {@link ChildExit})
 * instead of a guess.
 *
 * <p>It finds {@code main} as Java 25's launcher does (JEP 512), on every JDK: a non-private
 * {@code main(String[])}, else a non-private {@code main()}, declared or inherited, static or an
 * instance method (then on an instance made with the class's non-private no-argument constructor).
 * What {@code main} throws ends the JVM as it would without the launcher (the stack trace on
 * stderr, exit code 1); its stack trace shows reflection's and the launcher's frames below
 * {@code main}.
 *
 * <p><b>Warm start.</b> A child that {@code spawn} links over a socket (it finds the address in
 * {@value ChildSockets#ENV}) needs the JDK's socket and selector classes, whose loading is about a
 * third of what {@code connect()} adds to a JVM's start ({@code connect.overhead}); a daemon thread
 * loads them, and the classes {@code connect()} needs first, while this thread loads the main
 * class and runs it until it calls {@code connect()} ({@code -Dipos.warmStart=false} turns it off).
 * It opens no connection: it makes a socket and a selector and closes them and asks this
 * process's pid, which initializes those JDK classes; ipos's and msgpack's own classes it only
 * loads and links (their bytecode verified), without running their static initializers, so two
 * threads never initialize them in opposite orders. What it can't load is left for
 * {@code connect()} to report.
 */
final class Launcher {
    /** The exit code of a child whose main class, or its {@code main} method, can't be loaded. */
    static final int NO_MAIN_CLASS = 86;

    private Launcher() {
    }

    /**
     * Runs {@code args[0]}'s {@code main} with the other arguments.
     *
     * @param args the main class's binary name, then its arguments
     * @throws Throwable what {@code main} throws
     */
    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            fail("Error: no main class given to io.ipos.Launcher (it is started by IPOS.javaProcess)", null);
            return;
        }
        String name = args[0];
        String address = System.getenv(ChildSockets.ENV);
        if (address != null && !address.isEmpty() && !"false".equals(System.getProperty("ipos.warmStart"))) {
            Thread warm = new Thread(() -> warmUp(address), "ipos-warm-up");
            warm.setDaemon(true);
            warm.start();
        }
        Entry main;
        try {
            main = entry(Class.forName(name, false, ClassLoader.getSystemClassLoader()));
        } catch (ClassNotFoundException e) {
            fail("Error: Could not find or load main class " + name, e);
            return;
        } catch (LinkageError e) {
            fail("Error: Unable to initialize main class " + name, e);
            return;
        } catch (NoSuchMethodException e) {
            fail("Error: " + e.getMessage(), null);
            return;
        }
        main.run(Arrays.copyOfRange(args, 1, args.length));
    }

    /**
     * A {@code main} to run: static when {@code make} is null, else on an instance it makes.
     * Reflection, not method handles: they cost a cold JVM about 8 ms more to set up (measured).
     */
    /** Loads what a socket child's {@code connect()} needs: see "Warm start". */
    static void warmUp(String address) {
        try {
            Address to = Address.parse(address, true);
            try (java.nio.channels.SocketChannel probe = to.unix() ? java.nio.channels.SocketChannel.open(to.family())
                    : java.nio.channels.SocketChannel.open(); java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
                probe.configureBlocking(false);
                probe.register(selector, java.nio.channels.SelectionKey.OP_READ);
                selector.selectNow();
            }
            ProcessHandle.current(); // the HELLO's pid: its class starts the JDK's process reaper pool
            for (String c : WARM_CLASSES) {
                // loaded and linked (reflection links a class: its bytecode is verified), not initialized
                Class.forName(c, false, Launcher.class.getClassLoader()).getDeclaredConstructors();
            }
        } catch (Throwable ignored) {
            // connect() loads it again and says what went wrong
        }
    }

    /** Classes of the link and the codec that a child's {@code connect()} initializes first. */
    static final String[] WARM_CLASSES = {"io.ipos.ParentLink", "io.ipos.FrameReader", "io.ipos.Outbox",
        "io.ipos.Hub", "io.ipos.FrameDescriptor", "io.ipos.Replica", "io.ipos.serialization.MsgpackWriter",
        "io.ipos.serialization.MsgpackReader", "org.msgpack.core.MessagePacker", "org.msgpack.core.MessageUnpacker",
        "org.msgpack.core.buffer.MessageBufferU", "io.ipos.serialization.ValueCodec", "io.ipos.serialization.ClassRegistry",
        "io.ipos.ChangeFeed", "io.ipos.MapNode", "io.ipos.LinkedTable", "io.ipos.Membership", "io.ipos.OpCodec",
        "io.ipos.Talk", "io.ipos.Messages", "io.ipos.OutgoingCalls", "io.ipos.IncomingCalls"};

    record Entry(Method main, Constructor<?> make) {
        /** Calls {@code main}, throwing what it (or the constructor) throws as it is. */
        void run(String[] args) throws Throwable {
            try {
                Object self = make == null ? null : make.newInstance();
                if (main.getParameterCount() == 1) {
                    main.invoke(self, (Object) args);
                } else {
                    main.invoke(self);
                }
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    /**
     * The {@code main} to run.
     *
     * @throws NoSuchMethodException if there is none, or it is an instance method and the class has
     *     no non-private constructor without parameters; its message says so as the java launcher does
     */
    static Entry entry(Class<?> type) throws NoSuchMethodException {
        Method main = find(type, String[].class);
        if (main == null) {
            main = find(type);
        }
        if (main == null) {
            throw new NoSuchMethodException("Main method not found in class " + type.getName()
                    + ", please define the main method as:\n   public static void main(String[] args)");
        }
        main.setAccessible(true); // the class path is the unnamed module: open to this one
        if (Modifier.isStatic(main.getModifiers())) {
            return new Entry(main, null);
        }
        Constructor<?> make = null;
        try {
            make = type.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            // said below
        }
        if (make == null || Modifier.isPrivate(make.getModifiers())) {
            throw new NoSuchMethodException("no non-private zero argument constructor found in class "
                    + type.getName() + " (its main is an instance method)");
        }
        make.setAccessible(true);
        return new Entry(main, make);
    }

    /** The non-private {@code void main(params)} that {@code type} declares or inherits, nearest first. */
    private static Method find(Class<?> type, Class<?>... params) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod("main", params);
                return !Modifier.isPrivate(m.getModifiers()) && m.getReturnType() == void.class ? m : null;
            } catch (NoSuchMethodException e) {
                // look in the superclass
            }
        }
        return null;
    }

    private static void fail(String message, Throwable cause) {
        System.err.println(message);
        if (cause != null) {
            System.err.println("Caused by: " + cause);
        }
        System.err.println("(io.ipos.Launcher, started by IPOS.javaProcess; this JVM's class path: "
                + System.getProperty("java.class.path") + ")");
        System.exit(NO_MAIN_CLASS);
    }
}
