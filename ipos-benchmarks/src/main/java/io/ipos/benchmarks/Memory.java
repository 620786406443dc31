package io.ipos.benchmarks;

import io.ipos.IPOS;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code mem.map1m.ratio}: runs {@link MemoryFootprint} in a JVM of its own and relays its
 * figures; anything else it prints (JOL's notes about the VM) goes to stderr.
 *
 * <p>That JVM gets the flags JOL wants on JDK 17, so the user needs none:
 * {@code -Djol.magicFieldOffset=true} (the graph reaches lambdas, hidden classes whose field
 * offsets {@code Unsafe} refuses to give), {@code -Djdk.attach.allowAttachSelf=true} (JOL attaches
 * its agent for exact object sizes) and {@code --add-opens} for the {@code java.base} packages the
 * graph runs through (without them JOL still works, through a failed reflective access per field
 * read, three times slower: about 30 s instead of 10 for the three walks of 1,000,000 entries).
 */
final class Memory {
    static final long TIMEOUT_SECONDS = 120;

    private Memory() {
    }

    static void run(Figures figures) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(IPOS.javaProcess(MemoryFootprint.class).command());
        command.addAll(1, List.of("-Djol.magicFieldOffset=true", "-Djdk.attach.allowAttachSelf=true",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"));
        Process p = Children.start(new ProcessBuilder(command).redirectError(Redirect.INHERIT));
        // a hung JOL walk must not hang the benchmark: killing the JVM ends the read loop below
        CompletableFuture.runAsync(p::destroyForcibly, CompletableFuture.delayedExecutor(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        try {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    String[] parts = line.split(" ");
                    if (parts.length == 3 && parts[0].startsWith("mem.")) {
                        figures.add(parts[0], Double.parseDouble(parts[1]), parts[2]);
                    } else {
                        System.err.println("[mem] " + line);
                    }
                }
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("the memory JVM (pid " + p.pid() + ") failed"
                        + (p.isAlive() ? ": still running" : " with exit code " + p.exitValue()));
            }
        } finally {
            Children.end(p, 0);
        }
    }
}
