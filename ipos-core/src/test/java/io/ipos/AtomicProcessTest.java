package io.ipos;

import static io.ipos.ChildMain.awaitFile;
import static io.ipos.ChildMain.dump;
import static io.ipos.ChildMain.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IPOS#atomic} across real processes: three children and the parent move amounts between
 * two keys in atomic units at once; in every process, a listener reads the two keys after each
 * change and a reader thread reads them in a loop, and neither may ever see the sum off. A unit that
 * throws in a child leaves nothing in any process.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AtomicProcessTest {
    static final int TOTAL = 10_000;
    static final int TRANSFERS = 400;

    @Test
    void unitsMovingAmountsFromEveryProcessAreNeverSeenHalfApplied(@TempDir Path dir) throws Exception {
        List<IposException> errors = new CopyOnWriteArrayList<>();
        try (IPOS ipos = IPOS.start().onError(errors::add); ChildMain.Kids kids = new ChildMain.Kids()) {
            SharedMap<String, Integer> accounts = ipos.create("accounts", Map.of("a", TOTAL / 2, "b", TOTAL / 2));
            for (int i = 0; i < 3; i++) {
                kids.spawn(ipos, AtomicProcessTest.class, "transferer", dir.toString(), Integer.toString(i));
            }
            Observer here = new Observer(accounts);
            signal(dir.resolve("go"), "");
            transfer(ipos, accounts, 1);
            String[] reports = new String[3];
            for (int i = 0; i < 3; i++) {
                reports[i] = awaitFile(dir.resolve("report-" + i));
            }
            ipos.flush().get(30, TimeUnit.SECONDS);
            signal(dir.resolve("dump"), "");
            here.stop();
            System.out.println("[atomic] real processes, parent + 3 children x " + TRANSFERS + " units each; parent: "
                    + here.report() + "; children: " + String.join(" | ", reports));
            assertEquals("0 bad sums", here.problems());
            for (String r : reports) {
                assertTrue(r.startsWith("0 bad sums"), r);
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(dump(ipos), awaitFile(dir.resolve("dump-" + i)));
            }
            assertEquals(TOTAL, accounts.get("a") + accounts.get("b"));
            assertEquals(List.of(), errors);
        }
    }

    static void transfer(IPOS ipos, SharedMap<String, Integer> accounts, int direction) {
        for (int i = 0; i < TRANSFERS; i++) {
            int amount = 1 + i % 13;
            ipos.atomic(() -> {
                accounts.put("a", accounts.get("a") - direction * amount);
                accounts.put("b", accounts.get("b") + direction * amount);
            });
        }
    }

    static void transferer(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int index = Integer.parseInt(args[1]);
        IPOS ipos = IPOS.connect();
        SharedMap<String, Integer> accounts = ipos.get("accounts");
        Observer here = new Observer(accounts);
        awaitFile(dir.resolve("go"));
        transfer(ipos, accounts, index % 2 == 0 ? -1 : 1);
        // a unit that throws: none of it stays, anywhere
        try {
            ipos.atomic(() -> {
                accounts.put("a", -1_000_000);
                throw new IllegalStateException("abandoned");
            });
        } catch (IllegalStateException expected) {
            // the unit was rolled back
        }
        ipos.flush().get(30, TimeUnit.SECONDS);
        signal(dir.resolve("report-" + index), here.problems() + "; " + here.report());
        awaitFile(dir.resolve("dump"));
        ipos.flush().get(30, TimeUnit.SECONDS);
        here.stop();
        signal(dir.resolve("dump-" + index), dump(ipos));
        ipos.close();
    }

    /** Checks a + b after every change (from the listener) and in a loop (from a reader thread). */
    static final class Observer {
        final SharedMap<String, Integer> accounts;
        final AtomicInteger bad = new AtomicInteger();
        final AtomicInteger changes = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final Subscription subscription;
        final Thread reader;
        volatile boolean stopped;

        Observer(SharedMap<String, Integer> accounts) {
            this.accounts = accounts;
            subscription = accounts.onChange(c -> {
                changes.incrementAndGet();
                check();
            });
            reader = new Thread(() -> {
                while (!stopped) {
                    check();
                    reads.incrementAndGet();
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        void check() {
            Replica r = ((Node) accounts).replica();
            r.acquire();
            try {
                if (accounts.get("a") + accounts.get("b") != TOTAL) {
                    bad.incrementAndGet();
                }
            } finally {
                r.release();
            }
        }

        String problems() {
            return bad.get() + " bad sums";
        }

        String report() {
            return changes.get() + " changes and " + reads.get() + " reads checked";
        }

        void stop() throws InterruptedException {
            stopped = true;
            reader.join();
            subscription.close();
        }
    }
}
