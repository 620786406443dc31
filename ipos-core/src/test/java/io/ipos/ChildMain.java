package io.ipos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The child program of the multi-process tests: {@code ChildMain <class> <static method> args...}
 * runs {@code class.method(String[] args)}, so each test keeps its child's logic as a static
 * method beside it. A method that throws ends the child with exit code 3 (its stack trace on
 * stderr); one that returns ends it normally, without {@code System.exit}, as a user's main would.
 *
 * <p>Also the small toolkit the tests and their children share: starting children ({@link Kids}),
 * polling ({@link #await}), signals through files ({@link #signal}, {@link #awaitFile}), and a
 * canonical rendering of values and whole states ({@link #canon}, {@link #dump}) that names every
 * value's type, so two processes' states compare as strings, independent of the mechanism under test.
 */
public final class ChildMain {
    /** How long a test or child waits for anything before failing. */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    private ChildMain() {
    }

    /**
     * Runs a child program.
     *
     * @param args the class name, the static method name, then that method's arguments
     * @throws Exception if the class or method can't be found
     */
    public static void main(String[] args) throws Exception {
        if (System.getProperty("ipos.format") != null) {
            // children follow the format the parent announces; a test child must never pick one itself
            System.err.println("[child " + ProcessHandle.current().pid() + "] ipos.format is set to "
                    + System.getProperty("ipos.format") + ": a child must take its format from the handshake only");
            System.exit(4);
        }
        Class<?> owner = Class.forName(args[0]);
        Method method = owner.getDeclaredMethod(args[1], String[].class);
        method.setAccessible(true);
        try {
            method.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        } catch (InvocationTargetException e) {
            System.err.println("[child " + ProcessHandle.current().pid() + "] " + args[0] + "." + args[1] + " failed:");
            e.getCause().printStackTrace();
            System.exit(3);
        }
    }

    // ---------------------------------------------------------------- starting parents and children

    /**
     * The parent of a multi-process test: {@code IPOS.start()} when {@code format} is null (the
     * default format, or {@code -Dipos.format}), else {@code IPOS.options().format(format).start()}.
     */
    static IPOS startParent(String format) {
        return format == null ? IPOS.start() : IPOS.options().format(format).start();
    }

    /** The name of the format {@link #startParent} picks for {@code format}. */
    static String formatName(String format) {
        return format != null ? format : System.getProperty("ipos.format", "msgpack");
    }

    /** A builder for a child JVM that runs {@code owner.method(args)}, with JVM flags for a quick start. */
    static ProcessBuilder childProcess(Class<?> owner, String method, String... args) {
        List<String> all = new ArrayList<>(List.of(owner.getName(), method));
        all.addAll(Arrays.asList(args));
        ProcessBuilder b = IPOS.javaProcess(ChildMain.class, all.toArray(new String[0]));
        b.command().addAll(1, List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"));
        return b;
    }

    /**
     * A builder for a process that is nobody's child as far as ipos goes: it joins a listening
     * parent by the address it is given ({@code IPOS.join}) itself. Its stdout is discarded unless
     * the caller redirects it (a joiner's {@code System.out} is its own), its stderr inherited.
     * Start it with {@link Kids#start}.
     */
    static ProcessBuilder joinerProcess(Class<?> owner, String method, String... args) {
        return childProcess(owner, method, args).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    /** {@code b} with the JVM flag {@code -Dkey=value}, before the main class. */
    static ProcessBuilder withProperty(ProcessBuilder b, String key, String value) {
        b.command().add(1, "-D" + key + "=" + value);
        return b;
    }

    /** The processes a test started; {@link #close()} kills whatever still runs. */
    static final class Kids implements AutoCloseable {
        private final List<ProcessHandle> started = new ArrayList<>();

        /** Starts {@code owner.method(args)} as a child of {@code ipos} and waits until it holds the state. */
        Process spawn(IPOS ipos, Class<?> owner, String method, String... args) throws IOException {
            return spawn(ipos, childProcess(owner, method, args));
        }

        /** Spawns {@code b} as a child of {@code ipos} ({@link IPOS#spawn}) and tracks it. */
        Process spawn(IPOS ipos, ProcessBuilder b) throws IOException {
            return spawn(ipos, b, Access.READ_WRITE);
        }

        /** Spawns {@code b} as a child of {@code ipos} with {@code access} and tracks it. */
        Process spawn(IPOS ipos, ProcessBuilder b, Access access) throws IOException {
            Process p = ipos.spawn(b, access);
            track(p.toHandle());
            return p;
        }

        /**
         * Starts {@code owner.method(args)} linked over its stdin and stdout ({@link IPOS#addProcess}),
         * as a process the user started is: for what only that transport shows (banners, stray stdout).
         */
        Process spawnOverStdio(IPOS ipos, Class<?> owner, String method, String... args) throws Exception {
            return addOverStdio(ipos, childProcess(owner, method, args), Access.READ_WRITE);
        }

        /** Starts {@code b} with piped stdin and stdout and links it with {@code addProcess(p, access)}. */
        Process addOverStdio(IPOS ipos, ProcessBuilder b, Access access) throws Exception {
            b.redirectInput(ProcessBuilder.Redirect.PIPE).redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p = b.start();
            track(p.toHandle());
            ipos.addProcess(p, access).get(30, TimeUnit.SECONDS);
            return p;
        }

        /** Starts a process without linking it (it may link to something else itself). */
        Process start(ProcessBuilder b) throws IOException {
            Process p = b.start();
            track(p.toHandle());
            return p;
        }

        synchronized void track(ProcessHandle p) {
            started.add(p);
        }

        /** Tracks a process known by pid only (a grandchild), if it runs. */
        void track(long pid) {
            ProcessHandle.of(pid).ifPresent(this::track);
        }

        @Override
        public synchronized void close() {
            for (ProcessHandle p : started) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            for (ProcessHandle p : started) {
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("[test] process " + p.pid() + " did not end: " + e);
                }
            }
            started.clear();
        }
    }

    // ---------------------------------------------------------------- waiting and signals

    /** Polls {@code condition} every 2 ms until it holds; fails after {@link #PATIENCE}. */
    static void await(String what, BooleanSupplier condition) {
        await(what, condition, PATIENCE);
    }

    static void await(String what, BooleanSupplier condition, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + patience.toMillis() + " ms waiting for: " + what);
            }
            sleep(2);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Writes {@code content} to {@code file} atomically: a reader sees all of it or no file. */
    static void signal(Path file, String content) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid());
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The content of {@code file}, or null if there is none yet. */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for {@code file} (written with {@link #signal}) and returns its content. */
    static String awaitFile(Path file) {
        return awaitFile(file, PATIENCE);
    }

    static String awaitFile(Path file, Duration patience) {
        String[] got = new String[1];
        await("file " + file, () -> (got[0] = read(file)) != null, patience);
        return got[0];
    }

    // ---------------------------------------------------------------- canonical form

    /**
     * Every field and its value, one per line, sorted; each value rendered by {@link #canon}. A
     * field whose value can't be read here (an unregistered class) renders as the error's class.
     */
    static String dump(IPOS ipos) {
        StringBuilder sb = new StringBuilder();
        for (String key : new TreeSet<>(ipos.keys())) {
            sb.append(key).append(" = ");
            try {
                sb.append(canon(ipos.get(key)));
            } catch (IposException e) {
                sb.append("!IposException");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * A deterministic rendering that names each value's type: {@code Integer(0)}, {@code Long(0)},
     * {@code byte[](00ff)}, maps and sets sorted by their rendered members, lists in order. Shared
     * and plain collections render alike ({@code Map{...}}, {@code List[...]}, {@code Set{...}}).
     */
    static String canon(Object v) {
        StringBuilder sb = new StringBuilder();
        canon(v, sb);
        return sb.toString();
    }

    private static void canon(Object v, StringBuilder sb) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Map<?, ?> m) {
            TreeSet<String> entries = new TreeSet<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                entries.add(canon(e.getKey()) + "=" + canon(e.getValue()));
            }
            sb.append("Map{").append(String.join(", ", entries)).append('}');
        } else if (v instanceof List<?> l) {
            sb.append("List[");
            boolean first = true;
            for (Object e : l) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                canon(e, sb);
            }
            sb.append(']');
        } else if (v instanceof Set<?> s) {
            sb.append("Set{").append(String.join(", ", sortedCanon(s))).append('}');
        } else if (v instanceof byte[] b) {
            sb.append("byte[](");
            for (byte x : b) {
                sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
            }
            sb.append(')');
        } else if (v instanceof String s) {
            sb.append("String(\"");
            s.codePoints().forEach(cp -> {
                if (cp < 0x20 || cp > 0x7E || cp == '"' || cp == '\\') {
                    sb.append("\\u{").append(Integer.toHexString(cp)).append('}');
                } else {
                    sb.appendCodePoint(cp);
                }
            });
            sb.append("\")");
        } else if (v instanceof BigDecimal d) {
            sb.append("BigDecimal(").append(d.unscaledValue()).append(" scale ").append(d.scale()).append(')');
        } else if (v instanceof Float f) {
            sb.append("Float(").append(f).append('/').append(Integer.toHexString(Float.floatToRawIntBits(f))).append(')');
        } else if (v instanceof Double d) {
            sb.append("Double(").append(d).append('/').append(Long.toHexString(Double.doubleToRawLongBits(d))).append(')');
        } else if (v instanceof Character c) {
            sb.append("Character(").append(Integer.toHexString(c)).append(')');
        } else if (v instanceof BigInteger || v instanceof Number || v instanceof Boolean) {
            sb.append(v.getClass().getSimpleName()).append('(').append(v).append(')');
        } else {
            sb.append(v.getClass().getName()).append('(').append(v).append(')');
        }
    }

    private static List<String> sortedCanon(Collection<?> c) {
        List<String> out = new ArrayList<>();
        for (Object e : c) {
            out.add(canon(e));
        }
        out.sort(null);
        return out;
    }
}
