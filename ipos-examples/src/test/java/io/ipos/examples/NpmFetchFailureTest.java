package io.ipos.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SessionCaptureTest} skips its node decoding when {@code npm ci} can't fetch its package for
 * lack of network, and fails on any other {@code npm ci} failure: {@link SessionCaptureTest#fetchFailure}
 * tells the two apart, on what npm 6 to 11 print and on what the npm here prints.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NpmFetchFailureTest {
    @Test
    void aRegistryThatCantBeReachedIsAFetchFailureNamingTheCodeAndTheRequest() {
        assertEquals("npm ci could not fetch its package from the registry (no network?): code ENOTFOUND, request to "
                + "https://registry.npmjs.org/@msgpack%2fmsgpack failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org",
                SessionCaptureTest.fetchFailure(String.join("\n",
                        "npm error code ENOTFOUND",
                        "npm error syscall getaddrinfo",
                        "npm error errno ENOTFOUND",
                        "npm error network request to https://registry.npmjs.org/@msgpack%2fmsgpack failed, reason: "
                                + "getaddrinfo ENOTFOUND registry.npmjs.org",
                        "npm error network This is a problem related to network connectivity.",
                        "npm error A complete log of this run can be found in: /root/.npm/_logs/x-debug-0.log")));
        assertEquals("npm ci could not fetch its package from the registry (no network?): code EAI_AGAIN, request to "
                + "https://registry.npmjs.org/@msgpack%2fmsgpack failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org",
                SessionCaptureTest.fetchFailure(String.join("\n",
                        "npm ERR! code EAI_AGAIN",
                        "npm ERR! errno EAI_AGAIN",
                        "npm ERR! request to https://registry.npmjs.org/@msgpack%2fmsgpack failed, reason: getaddrinfo "
                                + "EAI_AGAIN registry.npmjs.org")));
        assertEquals("npm ci could not fetch its package from the registry (no network?): code ENOTCACHED, request to "
                + "https://registry.npmjs.org/@msgpack%2fmsgpack failed: cache mode is 'only-if-cached' but no cached "
                + "response is available.",
                SessionCaptureTest.fetchFailure(String.join("\n",
                        "npm error code ENOTCACHED",
                        "npm error request to https://registry.npmjs.org/@msgpack%2fmsgpack failed: cache mode is "
                                + "'only-if-cached' but no cached response is available.")));
    }

    @Test
    void otherNpmFailuresAreNotFetchFailures() {
        assertNull(SessionCaptureTest.fetchFailure(String.join("\n",
                "npm error code E404",
                "npm error 404 Not Found - GET https://registry.npmjs.org/@msgpack%2fmsgpak - Not found")));
        assertNull(SessionCaptureTest.fetchFailure(String.join("\n",
                "npm ERR! code EINTEGRITY",
                "npm ERR! sha512-abc integrity checksum failed when using sha512: wanted sha512-abc but got sha512-def.")));
        assertNull(SessionCaptureTest.fetchFailure(String.join("\n",
                "npm error code EUSAGE",
                "npm error `npm ci` can only install packages when your package.json and package-lock.json are in sync.")));
        assertNull(SessionCaptureTest.fetchFailure("npm error code ENOSPC\nnpm error syscall write"));
    }

    @Test
    void npmCiAgainstARegistryThatRefusesConnectionsIsAFetchFailure(@TempDir Path dir) throws Exception {
        String why = SessionCaptureTest.missing("npm");
        assumeTrue(why == null, () -> "skipped: " + why);
        Files.copy(SessionCaptureTest.NODE_DIR.resolve("package.json"), dir.resolve("package.json"));
        Files.copy(SessionCaptureTest.NODE_DIR.resolve("package-lock.json"), dir.resolve("package-lock.json"));
        SessionCaptureTest.Run npm = SessionCaptureTest.run(dir, offline(dir));
        assertNotEquals(0, npm.exit(), npm.output());
        String failure = SessionCaptureTest.fetchFailure(npm.output());
        assertTrue(failure != null && failure.startsWith("npm ci could not fetch its package from the registry (no network?): "
                + "code ECONNREFUSED, request to http://127.0.0.1:9/"), failure + "\n" + npm.output());
    }

    @Test
    void npmCiWithoutALockFileIsNotAFetchFailure(@TempDir Path dir) throws Exception {
        String why = SessionCaptureTest.missing("npm");
        assumeTrue(why == null, () -> "skipped: " + why);
        Files.copy(SessionCaptureTest.NODE_DIR.resolve("package.json"), dir.resolve("package.json"));
        SessionCaptureTest.Run npm = SessionCaptureTest.run(dir, offline(dir));
        assertNotEquals(0, npm.exit(), npm.output());
        assertTrue(npm.output().contains("EUSAGE"), npm.output());
        assertNull(SessionCaptureTest.fetchFailure(npm.output()), npm.output());
    }

    /** The test's {@code npm ci}, against a registry on a port nothing listens on, with an empty cache and no retry. */
    private static List<String> offline(Path dir) {
        List<String> command = new ArrayList<>(SessionCaptureTest.NPM_CI);
        command.addAll(List.of("--registry=http://127.0.0.1:9/", "--cache=" + dir.resolve("cache"), "--fetch-retries=0"));
        return command;
    }
}
