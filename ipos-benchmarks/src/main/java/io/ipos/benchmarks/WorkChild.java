package io.ipos.benchmarks;

import io.ipos.IPOS;
import io.ipos.SharedMap;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ipos child that the throughput, round-trip and diff benchmarks drive. It connects, then
 * takes commands through the shared map {@code ctl}: the parent puts the arguments, then
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
 *   <li>{@code exit}: answers and returns from {@code main}.</li>
 * </ul>
 */
public final class WorkChild {
    private WorkChild() {
    }

    /**
     * Connects and serves commands until {@code exit} or until the parent goes.
     *
     * @param args ignored
     * @throws Exception if the link fails
     */
    public static void main(String[] args) throws Exception {
        IPOS ipos = IPOS.connect(Duration.ofSeconds(60));
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
                result = run(ipos, ctl, op);
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
            case "exit" -> {
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown command op=" + op);
        }
    }
}
