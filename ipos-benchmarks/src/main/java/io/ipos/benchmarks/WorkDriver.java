package io.ipos.benchmarks;

import io.ipos.IPOS;
import io.ipos.IposException;
import io.ipos.SharedMap;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** The parent's end of a {@link WorkChild}: an ipos root with one child (or joiner), and its command channel. */
final class WorkDriver implements AutoCloseable {
    final IPOS ipos;
    final Process child;
    final SharedMap<String, Object> ctl;
    /** What carries the link, as the child reports it: {@code "unix"}, {@code "tcp"} or {@code "stdio"}. */
    String link;
    private int seq;

    private WorkDriver(IPOS ipos, Process child, SharedMap<String, Object> ctl) {
        this.ipos = ipos;
        this.child = child;
        this.ctl = ctl;
    }

    /**
     * How the {@link WorkChild} is linked: the per-transport figures ({@code rtt.p50.unix},
     * {@code p2c.put.tcp}...) are named by what the child reports it got.
     */
    enum Transport {
        /** {@code spawn}: the link a spawned child gets by default, its private Unix socket (stdio where sockets are unavailable). */
        SPAWN,
        /** {@code addProcess} over the child's stdin and stdout: what {@code spawn} does under {@code -Dipos.childLink=stdio}. */
        STDIO,
        /** A joiner: the parent listens at {@code tcp://127.0.0.1:0}, the process is started by hand and calls {@code IPOS.join}. */
        TCP
    }

    /** Starts a root instance with field {@code ctl} and links one {@link WorkChild} over {@code transport}. */
    static WorkDriver start(Transport transport) throws Exception {
        IPOS ipos = transport == Transport.TCP ? IPOS.options().listen("tcp://127.0.0.1:0").start() : IPOS.start();
        try {
            SharedMap<String, Object> ctl = ipos.create("ctl", new HashMap<String, Object>());
            ProcessBuilder builder = IPOS.javaProcess(WorkChild.class).redirectError(Redirect.INHERIT);
            Process child = switch (transport) {
                case SPAWN -> Children.track(ipos.spawn(builder, Duration.ofSeconds(60)));
                case STDIO -> addProcess(ipos, builder.redirectOutput(Redirect.PIPE), p -> p);
                case TCP -> {
                    builder.environment().put(WorkChild.JOIN, ipos.address());
                    yield Children.start(builder.redirectInput(Redirect.PIPE).redirectOutput(Redirect.DISCARD));
                }
            };
            WorkDriver d = new WorkDriver(ipos, child, ctl);
            try {
                d.link = (String) d.call("link", Map.of(), Duration.ofSeconds(60)); // a joiner is linked once it answers
            } catch (Exception e) {
                Children.end(child, 0);
                throw e;
            }
            return d;
        } catch (Exception e) {
            ipos.close();
            throw e;
        }
    }

    /**
     * Over stdio, handing {@code addProcess} whatever {@code wrap} makes of the started process
     * (the diff benchmark counts the bytes written to the child's stdin this way).
     */
    static WorkDriver start(UnaryOperator<Process> wrap) throws Exception {
        IPOS ipos = IPOS.start();
        try {
            SharedMap<String, Object> ctl = ipos.create("ctl", new HashMap<String, Object>());
            Process child = addProcess(ipos, IPOS.javaProcess(WorkChild.class).redirectOutput(Redirect.PIPE), wrap);
            WorkDriver d = new WorkDriver(ipos, child, ctl);
            d.link = "stdio";
            return d;
        } catch (Exception e) {
            ipos.close();
            throw e;
        }
    }

    private static Process addProcess(IPOS ipos, ProcessBuilder builder, UnaryOperator<Process> wrap) throws Exception {
        Process child = Children.start(builder);
        try {
            ipos.addProcess(wrap.apply(child)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            Children.end(child, 0);
            throw e;
        }
        return child;
    }

    /** Sends a command; its result is {@link #await}ed separately. */
    int send(String op, Map<String, Object> args) {
        ctl.putAll(args);
        ctl.put("op", op);
        ctl.put("seq", ++seq);
        return seq;
    }

    /** Waits for the child's answer to command {@code id}. */
    Object await(int id, Duration timeout) throws InterruptedException {
        String key = "result." + id;
        long deadline = System.nanoTime() + timeout.toNanos();
        Object result;
        while ((result = ctl.get(key)) == null) {
            if (!child.isAlive()) {
                throw new IposException("the work child (pid " + child.pid() + ") exited with code " + child.exitValue()
                        + " before answering command " + id);
            }
            if (System.nanoTime() > deadline) {
                throw new IposException("the work child did not answer command " + id + " within " + timeout.toMillis()
                        + " ms (its map shows " + ctl.keySet() + ")");
            }
            Thread.sleep(1);
        }
        ctl.remove(key);
        if (result instanceof String s && s.startsWith("error")) {
            throw new IposException(s);
        }
        return result;
    }

    /** Sends a command and waits for its answer. */
    Object call(String op, Map<String, Object> args, Duration timeout) throws InterruptedException {
        return await(send(op, args), timeout);
    }

    /** Flushes, failing after {@code seconds}. */
    void flush(long seconds) throws Exception {
        ipos.flush().get(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        try {
            if (child.isAlive()) {
                send("exit", Map.of());
            }
            Children.end(child, 5_000);
        } finally {
            ipos.close();
        }
    }
}
