package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The link layer (bytes and connections: the frame layout, the reader, the outbox, the carriers)
 * names nothing above it: no sequencer, follower, membership, replica, container or op. ipos-core
 * is one package, so the compiler doesn't check the arrows; this scan does (docs/design.md,
 * "Layers"). Comments and string literals are not code and are left out of the scan.
 */
class LayeringTest {
    /** The link layer, bottom: it may name only its own classes, the JDK, serialization and these API value types. */
    static final Set<String> LINK = Set.of("FrameDescriptor", "FrameReader", "Outbox", "Connection", "SocketStreams",
            "Acceptor", "Address", "ChildSockets");
    static final Set<String> API_VALUES = Set.of("IposException", "Peer");

    @Test
    void theLinkLayerNamesNothingAboveIt() throws IOException {
        Path dir = Path.of("src/main/java/io/ipos");
        Set<String> all = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java"))
                    .forEach(n -> all.add(n.substring(0, n.length() - 5)));
        }
        Set<String> above = new TreeSet<>(all);
        above.removeAll(LINK);
        above.removeAll(API_VALUES);
        above.remove("package-info");
        above.remove("module-info");
        List<String> violations = new ArrayList<>();
        Pattern identifier = Pattern.compile("\\b[A-Z][A-Za-z0-9]*\\b");
        for (String name : LINK) {
            String code = codeOnly(Files.readString(dir.resolve(name + ".java")));
            Matcher m = identifier.matcher(code);
            Set<String> named = new TreeSet<>();
            while (m.find()) {
                if (above.contains(m.group())) {
                    named.add(m.group());
                }
            }
            if (!named.isEmpty()) {
                violations.add(name + " names " + named);
            }
        }
        System.out.println("[layering] link layer " + new TreeSet<>(LINK) + " checked against " + above.size() + " classes above it");
        assertEquals(List.of(), violations, "the link layer must not name the layers above it");
    }

    /**
     * One place where an op is applied (issue 8, item 1): {@code Op.apply(replica, target, record)}
     * is called only by {@code Replica} ({@code applyReceived} and its unit loop), so validation,
     * encoding, undo records and change events can't be bypassed. An op's {@code apply} takes the
     * replica first, which no {@code Function.apply} in this package does.
     */
    @Test
    void opsAreAppliedOnlyByTheReplica() throws IOException {
        Path dir = Path.of("src/main/java/io/ipos");
        Pattern opApply = Pattern.compile("\\.apply\\(\\s*(this|replica|r|rep|owner)\\s*,");
        List<String> callers = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.list(dir)) {
            for (Path p : (Iterable<Path>) all.filter(f -> f.toString().endsWith(".java")).sorted()::iterator) {
                files++;
                Matcher m = opApply.matcher(codeOnly(Files.readString(p)));
                while (m.find()) {
                    callers.add(p.getFileName().toString());
                }
            }
        }
        System.out.println("[layering] Op.apply called from " + callers + " in " + files + " files");
        assertEquals(Set.of("Replica.java"), new TreeSet<>(callers), "ops are applied only by Replica");
    }

    /** {@code source} without comments, string and character literals. */
    static String codeOnly(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\\n]*", " ")
                .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("'(?:\\\\.|[^'\\\\])'", "''");
    }
}
