package io.ipos.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demos on the module path, as {@code java -p <modules> -m io.ipos.examples/...} runs them:
 * their workers, started with {@code IPOS.javaProcess}, must find their main class there too.
 */
class ModulePathTest {
    /** The classes whose jars or directories make the demo's module path, named so none is loaded here. */
    static final List<String> MODULES = List.of("io.ipos.examples.WorkQueueDemo", "io.ipos.IPOS",
            "io.ipos.serialization.ClassRegistry", "org.msgpack.core.MessagePack", "com.fasterxml.jackson.core.JsonFactory",
            "com.fasterxml.jackson.databind.ObjectMapper", "com.fasterxml.jackson.annotation.JsonProperty");

    @Test
    @Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theWorkQueueDemoRunsOnTheModulePath(@TempDir Path dir) throws Exception {
        String modulePath = MODULES.stream().map(ModulePathTest::location).distinct()
                .collect(Collectors.joining(File.pathSeparator));
        Path output = dir.resolve("output");
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-p", modulePath, "-m", "io.ipos.examples/io.ipos.examples.WorkQueueDemo", "6", "2")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = demo.waitFor(150, TimeUnit.SECONDS);
        if (!ended) {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly().waitFor();
        }
        String said = Files.readString(output, StandardCharsets.UTF_8);
        assertTrue(ended, "the demo did not end:\n" + said);
        assertEquals(0, demo.exitValue(), said);
        assertTrue(said.contains("6 of 6 jobs done"), said);
        assertTrue(said.contains("every job has exactly one result"), said);
    }

    private static String location(String className) {
        try {
            return Path.of(Class.forName(className, false, ModulePathTest.class.getClassLoader())
                    .getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new AssertionError(className + " is not on the test class path", e);
        }
    }
}
