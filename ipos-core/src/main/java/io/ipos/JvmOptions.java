package io.ipos;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which of this JVM's own options {@link IPOS#javaProcess} passes on to a child JVM: what the child
 * needs to run the same program the same way, and nothing that would clash with the parent or
 * belongs to its diagnostics.
 *
 * <p>Passed on, from {@code RuntimeMXBean.getInputArguments()} (the JVM's options as given, with
 * {@code @argfiles} and {@code JDK_JAVA_OPTIONS} expanded, the launcher's {@code --opt value}
 * written {@code --opt=value}):
 * <ul>
 * <li>system properties ({@code -Dname=value}), except the ones the launcher sets from its own
 *     arguments ({@code java.class.path}, {@code jdk.module.*}, {@code sun.java.*}), the JMX agent's
 *     ({@code com.sun.management.*}: a second JVM on the same port fails to start), and a
 *     {@code java.security.manager} that names a class (a test runner's own, such as Gradle's
 *     worker, which is not on the child's class path; {@code allow}, {@code disallow} and
 *     {@code default} are passed);
 * <li>heap and stack sizes: {@code -Xmx}, {@code -Xms}, {@code -Xss}, and
 *     {@code -XX:MaxHeapSize}, {@code InitialHeapSize}, {@code MinHeapSize}, {@code ThreadStackSize},
 *     {@code MaxRAMPercentage}, {@code InitialRAMPercentage}, {@code MinRAMPercentage};
 * <li>module and access options: {@code --add-opens}, {@code --add-exports}, {@code --add-reads},
 *     {@code --add-modules}, {@code --patch-module}, {@code --limit-modules},
 *     {@code --upgrade-module-path}, {@code --enable-preview}, {@code --enable-native-access},
 *     {@code --illegal-native-access}, {@code --sun-misc-unsafe-memory-access};
 * <li>assertions: {@code -ea}, {@code -da}, {@code -esa}, {@code -dsa} and their long forms,
 *     with or without {@code :package...} or {@code :class}.
 * </ul>
 *
 * <p>Everything else stays with the parent: debugger and agents ({@code -agentlib},
 * {@code -agentpath}, {@code -javaagent}, {@code -Xdebug}, {@code -Xrunjdwp}: a second debugger on
 * the same port, a second agent writing the same files), Flight Recorder
 * ({@code -XX:StartFlightRecording}, {@code -XX:+FlightRecorder}), logging to files ({@code -Xlog}),
 * and every other {@code -X}/{@code -XX} option (garbage collector, JIT, heap dumps, error files,
 * class data sharing, {@code -verbose}): tuning and diagnostics are chosen per JVM; add the ones a
 * child needs to its builder's command.
 */
final class JvmOptions {
    private static final Set<String> ACCESS_OPTIONS = Set.of("--add-opens", "--add-exports", "--add-reads",
            "--add-modules", "--patch-module", "--limit-modules", "--upgrade-module-path", "--enable-preview",
            "--enable-native-access", "--illegal-native-access", "--sun-misc-unsafe-memory-access");
    private static final Set<String> SIZE_OPTIONS = Set.of("MaxHeapSize", "InitialHeapSize", "MinHeapSize",
            "ThreadStackSize", "MaxRAMPercentage", "InitialRAMPercentage", "MinRAMPercentage");
    private static final Set<String> ASSERTION_OPTIONS = Set.of("-ea", "-da", "-esa", "-dsa", "-enableassertions",
            "-disableassertions", "-enablesystemassertions", "-disablesystemassertions");
    private static final Set<String> SECURITY_MANAGER_WORDS = Set.of("", "allow", "disallow", "default");

    private JvmOptions() {
    }

    /** This JVM's options to pass on, read once: they don't change while it runs. */
    static List<String> ofThisJvm() {
        return Holder.PASSED;
    }

    private static final class Holder {
        static final List<String> PASSED = passedOn(ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /**
     * The options of {@code inputArguments} that a child gets, in their order.
     *
     * @param inputArguments a JVM's options, as {@code RuntimeMXBean.getInputArguments()} gives them
     * @return an unmodifiable list
     */
    static List<String> passedOn(List<String> inputArguments) {
        List<String> out = new ArrayList<>();
        for (String option : inputArguments) {
            if (passes(option)) {
                out.add(option);
            }
        }
        return List.copyOf(out);
    }

    /** The rule for one option (see the class comment). */
    static boolean passes(String option) {
        if (option.startsWith("-D")) {
            return passesProperty(option.substring(2));
        }
        if (option.startsWith("-Xmx") || option.startsWith("-Xms") || option.startsWith("-Xss")) {
            return true;
        }
        if (option.startsWith("-XX:")) {
            int eq = option.indexOf('=');
            return eq > 0 && SIZE_OPTIONS.contains(option.substring(4, eq));
        }
        if (option.startsWith("--")) {
            int eq = option.indexOf('=');
            return ACCESS_OPTIONS.contains(eq < 0 ? option : option.substring(0, eq));
        }
        int colon = option.indexOf(':');
        return ASSERTION_OPTIONS.contains(colon < 0 ? option : option.substring(0, colon));
    }

    private static boolean passesProperty(String property) {
        int eq = property.indexOf('=');
        String name = eq < 0 ? property : property.substring(0, eq);
        String value = eq < 0 ? "" : property.substring(eq + 1);
        if (name.equals("java.class.path") || name.startsWith("jdk.module.") || name.startsWith("sun.java.")
                || name.startsWith("com.sun.management.")) {
            return false;
        }
        return !name.equals("java.security.manager") || SECURITY_MANAGER_WORDS.contains(value);
    }
}
