package io.ipos.benchmarks;

import io.ipos.IPOS;
import io.ipos.SharedMap;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ipos child that the throughput, round-trip and diff benchmarks drive. It connects to the
 * parent that started it ({@code IPOS.connect()}: the private socket {@code spawn} gave it, else its
 * stdin and stdout), or, when the environment variable {@value #JOIN} holds an address, joins the
 * parent there ({@code IPOS.join}: a joiner, not a child). It then takes commands through the shared map {@code ctl}: the parent puts the arguments, then
 * {@code op}, then a new {@code seq}; since a process's writes arrive in order, the arguments are
 * here when {@code seq} changes. The child answers with {@code result.<seq>} (a number, or a
 * string starting with {@code error:}).
 *
 * <ul>
 *   <li>{@code size(field)}: the size of the map or collection in field {@code field};</li>
 *   <li>{@code c2p(field, n)}: puts {@code i -> i} for {@code i < n} into the map in
 *       {@code field}, then waits for {@code flush()}; answers the nanoseconds from the first put
 *       until the flush completed (every put applied at the parent);</li>
 *   <li>{@code rtt(from, to, wait)}: for {@code i = from..to}, waits until field {@code ping}
 *       holds {@code i}, then sets field {@code pong} to {@code i};</li>
 *   <li>{@code link}: what carries its link: {@code "unix"}, {@code "tcp"} or {@code "stdio"};</li>
 *   <li>{@code expose}: exposes {@link Talking.Bench} as {@code bench} ({@code next(x)} returns {@code x + 1});</li>
 *   <li>{@code messages(n)}: counts the messages on topic {@code m} until {@code n} came (after
 *       putting {@code listening.<seq>}), and answers {@code n};</li>
 *   <li>{@code exit}: answers and returns from {@code main}.</li>
 * </ul>
 */
public final class WorkChild {
    /** The environment variable that makes this process join that address instead of connecting. */
    static final String JOIN = "IPOS_BENCH_JOIN";

    private WorkChild() {
    }

    /**
     * Connects and serves commands until {@code exit} or until the parent goes.
     *
     * @param args ignored
     * @throws Exception if the link fails
     */
    public static void main(String[] args) throws Exception {
        String join = System.getenv(JOIN);
        String spawned = System.getenv("IPOS_ADDRESS");
        IPOS ipos = join != null ? IPOS.join(join, Duration.ofSeconds(60)) : IPOS.connect(Duration.ofSeconds(60));
        String address = join != null ? join : spawned;
        String link = address == null ? "stdio" : address.startsWith("unix:") ? "unix" : "tcp";
        SharedMap<String, Object> ctl = ipos.get("ctl");
        int done = 0;
        while (ipos.isConnected()) {
            if (!(ctl.get("seq") instanceof Integer seq) || seq <= done) {
                Thread.sleep(1);
                continue;
            }
            done = seq;
            String op = (String) ctl.get("op");
            Object result;
            try {
                result = op.equals("link") ? link : run(ipos, ctl, op);
            } catch (RuntimeException | Error e) {
                e.printStackTrace();
                result = "error: " + op + " failed in the child: " + e;
            }
            ctl.put("result." + seq, result);
            ipos.flush().get(60, TimeUnit.SECONDS);
            if ("exit".equals(op)) {
                break;
            }
        }
        ipos.close();
    }

    private static Object run(IPOS ipos, SharedMap<String, Object> ctl, String op) throws Exception {
        switch (op) {
            case "size" -> {
                Object value = ipos.get((String) ctl.get("field"));
                return value instanceof Map<?, ?> m ? m.size() : ((Collection<?>) value).size();
            }
            case "c2p" -> {
                SharedMap<Integer, Integer> map = ipos.get((String) ctl.get("field"));
                int n = (Integer) ctl.get("n");
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    map.put(i, i);
                }
                ipos.flush().get(120, TimeUnit.SECONDS);
                return System.nanoTime() - t0;
            }
            case "rtt" -> {
                int from = (Integer) ctl.get("from");
                int to = (Integer) ctl.get("to");
                Spin wait = Spin.valueOf((String) ctl.get("wait"));
                for (int i = from; i <= to; i++) {
                    while (!(ipos.get("ping") instanceof Integer v && v == i)) {
                        wait.pause();
                    }
                    ipos.create("pong", i);
                }
                return to - from + 1;
            }
            case "listenerRtt" -> {
                int from = (Integer) ctl.get("from");
                int to = (Integer) ctl.get("to");
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                io.ipos.Subscription sub = ipos.onChange(c -> {
                    if (c instanceof io.ipos.FieldChange f && f.added().get("ping") instanceof Integer v && v >= from) {
                        ipos.create("pong", v); // answered from the event thread
                        if (v == to) {
                            done.countDown();
                        }
                    }
                });
                ctl.put("listening." + from, true);
                if (!done.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("listener round trips " + from + ".." + to + " did not finish");
                }
                sub.close();
                return to - from + 1;
            }
            case "expose" -> {
                ipos.expose("bench", Talking.Bench.class, x -> x + 1);
                return 0;
            }
            case "messages" -> {
                int n = (Integer) ctl.get("n");
                int[] count = new int[1];
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                io.ipos.Subscription sub = ipos.on("m", Integer.class, (from, v) -> {
                    if (++count[0] == n) {
                        done.countDown();
                    }
                });
                ctl.put("listening." + ctl.get("seq"), true);
                if (!done.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("only " + count[0] + " of " + n + " messages arrived");
                }
                sub.close();
                return count[0];
            }
            case "exit" -> {
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown command op=" + op);
        }
    }
}
