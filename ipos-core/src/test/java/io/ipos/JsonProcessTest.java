package io.ipos;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;

/**
 * A representative set of the multi-process tests with the parent on the {@code json} format:
 * human-readable JSON text in every frame body. Every value kind both ways, every mutator from the parent and from a child, sibling relay
 * in program order, {@code flush()} from both sides, and randomized convergence with fewer rounds.
 * The children are the same programs as under msgpack, started without any format setting
 * ({@link ChildMain} refuses to run one that has {@code ipos.format}): they follow the format the
 * parent's WELCOME names, and every write they make is decoded by the parent in that format.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JsonProcessTest {
    static final String FORMAT = "json";
    static final int CONVERGENCE_ROUNDS = 6;

    @Nested
    class Values extends ValuesProcessTest {
        @Override
        String format() {
            return FORMAT;
        }
    }

    @Nested
    class Mutations extends MutationsProcessTest {
        @Override
        String format() {
            return FORMAT;
        }
    }

    @Nested
    class Ordering extends OrderingProcessTest {
        @Override
        String format() {
            return FORMAT;
        }
    }

    @Nested
    class Convergence extends ConvergenceProcessTest {
        @Override
        String format() {
            return FORMAT;
        }

        @Override
        int rounds() {
            return Integer.getInteger("ipos.convergence.rounds", CONVERGENCE_ROUNDS);
        }
    }
}
