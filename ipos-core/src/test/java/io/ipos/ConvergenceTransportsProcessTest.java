package io.ipos;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;

/**
 * Randomized convergence ({@link ConvergenceProcessTest}: the parent and three children writing at
 * random at once, every state compared) over the other carriers of a link: children linked by their
 * stdin and stdout ({@code addProcess}), and processes of their own that joined the parent's TCP
 * address. The default run links spawned children over their private Unix sockets. Fewer rounds:
 * what differs here is only what carries the frames. Seeds and counts are printed as there.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConvergenceTransportsProcessTest {
    static final int ROUNDS = 20;

    /** {@link #ROUNDS} rounds unless {@code -Dipos.convergence.rounds} says otherwise. */
    abstract class FewerRounds extends ConvergenceProcessTest {
        @Override
        int rounds() {
            return Integer.getInteger("ipos.convergence.rounds", ROUNDS);
        }
    }

    @Nested
    class OverStdio extends FewerRounds {
        @Override
        String transport() {
            return "stdio";
        }
    }

    @Nested
    class TcpJoiners extends FewerRounds {
        @Override
        String transport() {
            return "tcp";
        }
    }
}
