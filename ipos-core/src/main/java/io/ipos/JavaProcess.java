package io.ipos;

import io.ipos.serialization.ClassRegistry;

import java.io.File;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The command {@link IPOS#javaProcess} builds: this JVM's java, the options it passes on
 * ({@link JvmOptions}), a module path and a class path on which the child finds the main class,
 * ipos and ipos's libraries, and the main class.
 *
 * <p>The module path is this JVM's ({@code jdk.module.path}), plus the location of each named
 * module among the main class's, ipos's and ipos-serialization's that is not on it (a module of a
 * layer the application made). The class path is, in this order: the file URLs of each
 * {@link URLClassLoader} from the main class's loader up to the application class loader (the
 * loader {@code mvn exec:java} runs the main class in is one, whose parent has Maven's launcher as
 * {@code java.class.path}), then {@code java.class.path}, then the location of the main class, of
 * ipos, of ipos-serialization and of the libraries ipos-serialization requires (msgpack-core,
 * jackson-core, -databind, -annotations), each where it is not on the class path or module path
 * yet. Relative entries are made absolute, so a builder with another {@code directory()} finds
 * them too.
 *
 * <p>Limits: a loader that is not a {@code URLClassLoader} gives only those locations, so the
 * application's other libraries (and chronicle-wire) are missing from the child's class path; a
 * class from somewhere other than a file or a jar file (generated in memory, a jar nested in a
 * jar) can't be passed at all. The child's {@link Launcher} then says on stderr which class it
 * could not load; start such a child with a {@code ProcessBuilder} of your own.
 */
final class JavaProcess {
    /** Classes of the libraries ipos-serialization requires, looked up as resources (none is loaded). */
    private static final List<String> LIBRARIES = List.of("org/msgpack/core/MessagePack.class",
            "com/fasterxml/jackson/core/JsonFactory.class", "com/fasterxml/jackson/databind/ObjectMapper.class",
            "com/fasterxml/jackson/annotation/JsonProperty.class");

    private JavaProcess() {
    }

    static ProcessBuilder builder(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmOptions.ofThisJvm());
        Set<Path> modulePath = modulePath(mainClass);
        Set<Path> classPath = classPath(mainClass, modulePath);
        if (!modulePath.isEmpty()) {
            command.add("-p");
            command.add(join(modulePath));
        }
        if (!classPath.isEmpty()) {
            command.add("-cp");
            command.add(join(classPath));
        }
        Module launcher = Launcher.class.getModule();
        if (mainClass.getModule().isNamed()) {
            command.add("-m");
            command.add(mainClass.getModule().getName() + "/" + mainClass.getName());
        } else {
            String addIpos = "--add-modules=" + launcher.getName();
            if (launcher.isNamed() && !command.contains(addIpos)) {
                command.add(addIpos); // loaded by name from the class path, so nothing else resolves it
            }
            command.add(Launcher.class.getName());
            command.add(mainClass.getName());
        }
        command.addAll(Arrays.asList(args));
        // spawn links the child over a socket of its own: what it prints just prints (DESIGN.md)
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    static Set<Path> modulePath(Class<?> mainClass) {
        Set<Path> path = split(System.getProperty("jdk.module.path"));
        for (Class<?> c : List.of(mainClass, IPOS.class, ClassRegistry.class)) {
            Path location = location(c.getModule());
            if (location != null && !covered(location, path)) {
                path.add(location);
            }
        }
        return path;
    }

    static Set<Path> classPath(Class<?> mainClass, Set<Path> modulePath) {
        Set<Path> path = new LinkedHashSet<>();
        ClassLoader app = ClassLoader.getSystemClassLoader();
        for (ClassLoader l = mainClass.getClassLoader(); l != null && l != app; l = l.getParent()) {
            if (l instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    Optional.ofNullable(file(url)).ifPresent(path::add);
                }
            }
        }
        path.addAll(split(System.getProperty("java.class.path")));
        for (Class<?> c : List.of(mainClass, IPOS.class, ClassRegistry.class)) {
            if (!c.getModule().isNamed() && c.getClassLoader() != null) {
                addIfMissing(path, modulePath, root(c.getClassLoader(), c.getName().replace('.', '/') + ".class"));
            }
        }
        if (!ClassRegistry.class.getModule().isNamed()) {
            for (String resource : LIBRARIES) {
                addIfMissing(path, modulePath, root(ClassRegistry.class.getClassLoader(), resource));
            }
        }
        return path;
    }

    private static void addIfMissing(Set<Path> classPath, Set<Path> modulePath, Path location) {
        if (location != null && !classPath.contains(location) && !covered(location, modulePath)) {
            classPath.add(location);
        }
    }

    /** Whether a module path holds {@code location}: as an entry, or in a directory that is one. */
    private static boolean covered(Path location, Set<Path> modulePath) {
        return modulePath.contains(location) || modulePath.contains(location.getParent());
    }

    /** Where a named module was loaded from, if that is a file or directory; null otherwise. */
    private static Path location(Module module) {
        if (!module.isNamed() || module.getLayer() == null) {
            return null;
        }
        return module.getLayer().configuration().findModule(module.getName())
                .map(ResolvedModule::reference)
                .flatMap(reference -> reference.location())
                .filter(uri -> "file".equals(uri.getScheme()))
                .map(JavaProcess::normalize)
                .orElse(null);
    }

    /** The jar or directory {@code loader} finds {@code resource} in, or null (not found, or not a file). */
    static Path root(ClassLoader loader, String resource) {
        URL url = loader.getResource(resource);
        if (url == null) {
            return null;
        }
        if ("jar".equals(url.getProtocol())) {
            String s = url.toString();
            int bang = s.indexOf("!/");
            if (bang < 0) {
                return null;
            }
            try {
                URI jar = new URI(s.substring("jar:".length(), bang));
                return "file".equals(jar.getScheme()) ? normalize(jar) : null;
            } catch (URISyntaxException e) {
                return null;
            }
        }
        Path file = file(url);
        if (file == null) {
            return null;
        }
        for (int depth = resource.split("/").length; depth > 0 && file != null; depth--) {
            file = file.getParent();
        }
        return file;
    }

    /** A {@code file:} URL as an absolute path; null for any other kind. */
    private static Path file(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return null;
        }
        try {
            return normalize(url.toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Path.of(url.getPath()).toAbsolutePath().normalize(); // a URL with unescaped spaces
        }
    }

    private static Path normalize(URI uri) {
        return Path.of(uri).toAbsolutePath().normalize();
    }

    /** A path property's entries as absolute paths; empty for null or "". */
    private static Set<Path> split(String property) {
        Set<Path> entries = new LinkedHashSet<>();
        if (property != null && !property.isEmpty()) {
            for (String entry : property.split(File.pathSeparator, -1)) {
                entries.add(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        return entries;
    }

    private static String join(Set<Path> entries) {
        StringBuilder s = new StringBuilder();
        for (Path p : entries) {
            s.append(s.length() == 0 ? "" : File.pathSeparator).append(p);
        }
        return s.toString();
    }
}
