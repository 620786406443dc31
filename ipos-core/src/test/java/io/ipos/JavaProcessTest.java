package io.ipos;

import static io.ipos.ChildMain.await;
import static io.ipos.ChildMain.awaitFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IPOS#javaProcess} with real child JVMs: what it passes on of the parent's options, where
 * its child finds a main class that is not on {@code java.class.path}, and what the parent says
 * when a child's main class can't be loaded.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JavaProcessTest {

    /**
     * A parent JVM started with a system property, a heap limit, a debugger agent and the collector
     * choice of {@link ChildMain#childProcess}: the child it starts with {@code javaProcess} runs with
     * the property and the heap limit, and neither the agent nor the collector choice.
     */
    @Test
    void aParentsPropertiesAndHeapLimitReachItsChildButNotItsDebuggerOrTuning(@TempDir Path dir) throws Exception {
        try (ChildMain.Kids kids = new ChildMain.Kids()) {
            ProcessBuilder parent = ChildMain.childProcess(JavaProcessTest.class, "parentOfAReporter", dir.toString());
            parent.command().addAll(1, List.of("-Dgreeting=hello world", "-Xmx200m",
                    "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0"));
            parent.redirectOutput(Redirect.DISCARD).redirectError(Redirect.INHERIT); // jdwp says where it listens
            Process p = kids.start(parent);
            String[] report = awaitFile(dir.resolve("report"), ChildMain.PATIENCE.multipliedBy(3)).split("\n--\n");
            List<String> options = List.of(report[0].split("\n"));
            assertTrue(options.contains("-Dgreeting=hello world"), report[0]);
            assertTrue(options.contains("-Xmx200m"), report[0]);
            assertFalse(options.stream().anyMatch(o -> o.startsWith("-agentlib") || o.startsWith("-XX:")), report[0]);
            assertEquals("hello world", report[1]);
            assertTrue(Long.parseLong(report[2]) <= 200L << 20, "the child's max heap: " + report[2]);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the parent did not end");
            assertEquals(0, p.exitValue());
        }
    }

    static void parentOfAReporter(String[] args) throws Exception {
        try (IPOS ipos = IPOS.start()) {
            Process child = ipos.spawn(IPOS.javaProcess(ChildMain.class, JavaProcessTest.class.getName(), "reportOptions"));
            await("the child's report", () -> ipos.get("options") != null);
            List<String> options = ipos.get("options");
            ChildMain.signal(Path.of(args[0], "report"), String.join("\n", options) + "\n--\n" + ipos.get("greeting")
                    + "\n--\n" + ipos.get("maxMemory"));
            child.waitFor(20, TimeUnit.SECONDS);
        }
    }

    static void reportOptions(String[] args) {
        IPOS ipos = IPOS.connect();
        ipos.create("greeting", System.getProperty("greeting"));
        ipos.create("maxMemory", Runtime.getRuntime().maxMemory());
        ipos.create("options", List.copyOf(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        ipos.flush().join();
    }

    /**
     * A main class loaded by a {@code URLClassLoader} from a directory that is not on
     * {@code java.class.path} (as {@code mvn exec:java} loads the project's classes) runs in the
     * child: the loader's URLs come first on its class path.
     */
    @Test
    void aMainClassFromAUrlClassLoaderIsFoundByTheChild(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("src/loaded/LoadedChild.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package loaded;\n"
                + "public class LoadedChild {\n"
                + "    public static void main(String[] args) {\n"
                + "        io.ipos.IPOS ipos = io.ipos.IPOS.connect();\n"
                + "        ipos.create(\"loadedFrom\", args[0]);\n"
                + "        ipos.flush().join();\n"
                + "    }\n"
                + "}\n", StandardCharsets.UTF_8);
        Path classes = dir.resolve("classes");
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(), "-d",
                classes.toString(), "-cp", System.getProperty("java.class.path"), source.toString()).inheritIO().start();
        assertTrue(javac.waitFor(60, TimeUnit.SECONDS) && javac.exitValue() == 0, "javac failed");
        assertFalse(System.getProperty("java.class.path").contains(classes.toString()));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
                IPOS ipos = IPOS.start();
                ChildMain.Kids kids = new ChildMain.Kids()) {
            Class<?> main = loader.loadClass("loaded.LoadedChild");
            ProcessBuilder b = IPOS.javaProcess(main, "the loader's directory");
            String classPath = b.command().get(b.command().indexOf("-cp") + 1);
            assertTrue(classPath.startsWith(classes.toAbsolutePath().normalize() + File.pathSeparator), classPath);
            kids.track(ipos.spawn(b).toHandle());
            await("the child's field", () -> ipos.get("loadedFrom") != null);
            assertEquals("the loader's directory", ipos.get("loadedFrom"));
        }
    }

    /**
     * A child whose class path lacks its main class ends before the handshake, and the parent's
     * error says that its main class could not be loaded, while its stderr names the class.
     */
    @Test
    void aChildWhoseClassPathLacksItsMainClassIsReportedAsSuch(@TempDir Path dir) throws Exception {
        try (IPOS ipos = IPOS.start().onError(e -> { })) {
            ProcessBuilder b = IPOS.javaProcess(ChildMain.class, JavaProcessTest.class.getName(), "reportOptions");
            List<String> command = b.command();
            int at = command.indexOf("-cp") + 1;
            Path testClasses = JavaProcess.root(getClass().getClassLoader(), "io/ipos/ChildMain.class");
            assertNotNull(testClasses);
            command.set(at, Arrays.stream(command.get(at).split(File.pathSeparator))
                    .filter(entry -> !Path.of(entry).equals(testClasses))
                    .collect(Collectors.joining(File.pathSeparator)));
            Path stderr = dir.resolve("stderr");
            b.redirectError(stderr.toFile());
            IposException e = assertThrows(IposException.class, () -> ipos.spawn(b));
            assertTrue(e.getMessage().matches("child pid \\d+ exited with code 86 before the ipos handshake: its main"
                    + " class could not be loaded, or has no main method to run \\(.*"), e.getMessage());
            String said = Files.readString(stderr, StandardCharsets.UTF_8);
            assertTrue(said.startsWith("Error: Could not find or load main class io.ipos.ChildMain\n"
                    + "Caused by: java.lang.ClassNotFoundException: io.ipos.ChildMain\n"), said);
            assertEquals(List.of(), ipos.processes());
        }
    }

    /**
     * A child that the java launcher itself can't start (here a builder of the user's whose class
     * path lacks the class) exits with code 1: the parent's error names the launcher's words to
     * look for on its stderr before suggesting that its main forgot {@code IPOS.connect()}.
     */
    @Test
    void aChildTheJavaLauncherCouldNotStartIsToldToCheckItsPaths(@TempDir Path dir) throws Exception {
        try (IPOS ipos = IPOS.start().onError(e -> { })) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder b = new ProcessBuilder(java, "-cp", dir.toString(), "io.ipos.NoSuchMain");
            Path stderr = dir.resolve("stderr");
            b.redirectError(stderr.toFile());
            IposException e = assertThrows(IposException.class, () -> ipos.spawn(b));
            assertTrue(e.getMessage().matches("child pid \\d+ exited with code 1 before the ipos handshake: if its stderr"
                    + " says \"Could not find or load main class\", .* its class path or module path lacks that class or"
                    + " module .*; otherwise its main failed before calling IPOS.connect\\(\\)"), e.getMessage());
            String said = Files.readString(stderr, StandardCharsets.UTF_8);
            assertTrue(said.startsWith("Error: Could not find or load main class io.ipos.NoSuchMain"), said);
        }
    }

    /** A main class whose {@code main} is an instance method without parameters (Java 25's form) runs. */
    @Test
    void anInstanceMainWithoutParametersRunsInTheChild() throws Exception {
        try (IPOS ipos = IPOS.start(); ChildMain.Kids kids = new ChildMain.Kids()) {
            kids.track(ipos.spawn(IPOS.javaProcess(InstanceMain.class)).toHandle());
            await("the child's field", () -> ipos.get("instanceMain") != null);
            assertEquals(Boolean.TRUE, ipos.get("instanceMain"));
        }
    }

    static final class InstanceMain {
        void main() {
            IPOS ipos = IPOS.connect();
            ipos.create("instanceMain", true);
            ipos.flush().join();
        }
    }
}
