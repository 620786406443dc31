package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@link Launcher} picks the {@code main} of a child's main class: as Java 25's launcher does. */
class LauncherTest {
    static final List<String> CALLS = new ArrayList<>();

    @Test
    void aStaticMainWithArgumentsGetsThem() throws Throwable {
        run(StaticWithArgs.class, "a", "b");
        assertEquals(List.of("static [a, b]"), CALLS);
    }

    @Test
    void mainWithArgumentsWinsOverMainWithout() throws Throwable {
        run(Both.class, "x");
        assertEquals(List.of("with [x]"), CALLS);
    }

    @Test
    void anInstanceMainWithoutArgumentsRunsOnANewInstance() throws Throwable {
        run(InstanceNoArgs.class, "ignored");
        assertEquals(List.of("constructed", "instance main()"), CALLS);
    }

    @Test
    void anInheritedMainIsFound() throws Throwable {
        run(Heir.class, "y");
        assertEquals(List.of("constructed", "instance [y] in Heir"), CALLS);
    }

    @Test
    void aClassWithoutAUsableMainIsRefusedInTheJavaLaunchersWords() {
        for (Class<?> type : List.of(PrivateMain.class, NoMain.class)) {
            NoSuchMethodException e = assertThrows(NoSuchMethodException.class, () -> Launcher.entry(type));
            assertEquals("Main method not found in class " + type.getName() + ", please define the main method as:\n"
                    + "   public static void main(String[] args)", e.getMessage());
        }
        NoSuchMethodException e = assertThrows(NoSuchMethodException.class,
                () -> Launcher.entry(InstanceMainWithoutConstructor.class));
        assertEquals("no non-private zero argument constructor found in class "
                + InstanceMainWithoutConstructor.class.getName() + " (its main is an instance method)", e.getMessage());
    }

    @Test
    void whatMainThrowsComesOutAsItIs() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(Throws.class));
        assertEquals("from main", e.getMessage());
    }

    /** A rename must not leave the warm start loading nothing: each class it names is there. */
    @Test
    void everyClassTheWarmStartLoadsExists() throws ClassNotFoundException {
        for (String name : Launcher.WARM_CLASSES) {
            Class.forName(name, false, Launcher.class.getClassLoader());
        }
    }

    @Test
    void theWarmStartNeitherThrowsNorPrintsOnAnAddressItCannotParse() {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(printed, true));
        try {
            Launcher.warmUp("not an address");
            Launcher.warmUp("unix:/nonexistent/socket#" + "00".repeat(16));
        } finally {
            System.setErr(err);
        }
        assertEquals("", printed.toString(), "connect() is the one that reports a bad address");
    }

    private static void run(Class<?> type, String... args) throws Throwable {
        CALLS.clear();
        Launcher.entry(type).run(args);
    }

    static final class StaticWithArgs {
        public static void main(String[] args) {
            CALLS.add("static " + Arrays.toString(args));
        }
    }

    static final class Both {
        static void main() {
            CALLS.add("without");
        }

        void main(String[] args) {
            CALLS.add("with " + Arrays.toString(args));
        }
    }

    static final class InstanceNoArgs {
        InstanceNoArgs() {
            CALLS.add("constructed");
        }

        void main() {
            CALLS.add("instance main()");
        }
    }

    static class Base {
        Base() {
            CALLS.add("constructed");
        }

        protected void main(String[] args) {
            CALLS.add("instance " + Arrays.toString(args) + " in " + getClass().getSimpleName());
        }
    }

    static final class Heir extends Base {
    }

    static final class PrivateMain {
        private static void main(String[] args) {
        }
    }

    static final class Throws {
        public static void main(String[] args) {
            throw new IllegalStateException("from main");
        }
    }

    static final class NoMain {
    }

    static final class InstanceMainWithoutConstructor {
        InstanceMainWithoutConstructor(int x) {
        }

        void main() {
        }
    }
}
