package io.ipos.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Properties only a fresh JVM shows: which classes a format loads, what Chronicle prints, and
 * what happens without the optional jar. Each test starts {@link FirstUseMain} with the test
 * class path and no JVM flags beyond the one it names.
 */
class FreshJvmTest {
    private static final String DATABIND = "com.fasterxml.jackson.databind";

    record Run(int exit, List<String> stdout, List<String> stderr) { }

    private static Run java(String classPath, List<String> flags, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("-cp");
        command.add(classPath);
        command.add(FirstUseMain.class.getName());
        command.addAll(Arrays.asList(args));
        Path out = Files.createTempFile("ipos-fresh-jvm", ".out");
        Path err = Files.createTempFile("ipos-fresh-jvm", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the child JVM did not finish in 120 s: " + command);
            }
            return new Run(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
                    Files.readAllLines(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String classPath() {
        return System.getProperty("java.class.path");
    }

    private static void assertOk(Run run) {
        assertEquals(0, run.exit(), () -> "exit code; stderr: " + run.stderr() + "; stdout tail: " + tail(run.stdout()));
        assertTrue(run.stdout().contains("OK"), () -> "stdout tail: " + tail(run.stdout()));
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static List<String> loaded(Run run, String prefix) {
        return run.stdout().stream().filter(l -> l.contains("[class,load] " + prefix)).collect(Collectors.toList());
    }

    private static void report(String what, Run run) {
        run.stdout().stream().filter(l -> l.startsWith("first encode")).forEach(l -> System.out.println(what + ": " + l));
    }

    @Test
    void encodingARecordInMsgpackOrJsonNeverLoadsJacksonDatabind() throws Exception {
        for (String format : List.of("msgpack", "json")) {
            Run run = java(classPath(), List.of("-Xlog:class+load=info:stdout"), format, "record");
            assertOk(run);
            assertEquals(List.of(), loaded(run, DATABIND), format);
            report(format, run);
        }
    }

    @Test
    void msgpackNeverLoadsJacksonOrChronicle() throws Exception {
        Run run = java(classPath(), List.of("-Xlog:class+load=info:stdout"), "msgpack", "record");
        assertOk(run);
        assertEquals(List.of(), loaded(run, "com.fasterxml.jackson"));
        assertEquals(List.of(), loaded(run, "net.openhft"));
    }

    @Test
    void mappingABeanLoadsJacksonDatabind() throws Exception {
        Run run = java(classPath(), List.of("-Xlog:class+load=info:stdout"), "msgpack", "bean");
        assertOk(run);
        assertFalse(loaded(run, DATABIND).isEmpty(), "the class-loading probe sees databind when a bean is mapped");
    }

    @Test
    void chronicleRunsWithoutJvmFlagsAndPrintsAtMostOneLine() throws Exception {
        Run run = java(classPath(), List.of(), "chronicle", "record");
        assertOk(run);
        assertTrue(run.stderr().size() <= 1, () -> "stderr: " + String.join("\n", run.stderr()));
        report("chronicle", run);
    }

    @Test
    void chronicleWithoutItsJarFailsNamingTheDependency() throws Exception {
        String withoutChronicle = Arrays.stream(classPath().split(File.pathSeparator))
                .filter(entry -> !entry.contains("openhft") && !entry.contains("chronicle"))
                .collect(Collectors.joining(File.pathSeparator));
        Run run = java(withoutChronicle, List.of(), "chronicle", "missing");
        assertEquals(0, run.exit(), () -> "stderr: " + run.stderr());
        assertEquals(List.of("IAE " + ChronicleFormat.missingMessage(), "msgpack still works: [Point[x=1, y=2], text, 1.5, 2.5]"),
                run.stdout());
        assertTrue(ChronicleFormat.missingMessage().contains("net.openhft:chronicle-wire:2026.7"));
    }

    @Test
    void chronicleVersionInTheMessageIsThePinnedOne() throws IOException {
        Path rootPom = Path.of("..", "pom.xml");
        String pom = Files.readString(rootPom);
        assertTrue(pom.contains("<chronicle-wire.version>" + ChronicleFormat.CHRONICLE_WIRE_VERSION
                + "</chronicle-wire.version>"), "the root pom pins chronicle-wire " + ChronicleFormat.CHRONICLE_WIRE_VERSION);
    }
}
