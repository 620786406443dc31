package io.ipos;

import java.util.concurrent.TimeUnit;

/**
 * Why a child went before its handshake, as far as its exit code tells: the parent can't read the
 * child's stderr (it is inherited), but {@link Launcher} exits with a code of its own when the main
 * class can't be loaded, and the java launcher exits with 1 when it can't find a module or a main
 * class, as when the class path or module path lacks it.
 */
final class ChildExit {
    private ChildExit() {
    }

    /**
     * The error text for {@code process}, whose stdout ended before the ipos handshake began: it
     * waits up to 200 ms for the exit code.
     *
     * @param name the link's name, {@code child pid N}
     * @param process the child, or null for a link without one
     * @return the message
     */
    static String beforeHandshake(String name, Process process) {
        Integer code = null;
        if (process != null) {
            try {
                if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                    code = process.exitValue();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return explain(name, code);
    }

    /**
     * The error text for a child that ended before the ipos handshake with {@code exitCode}.
     *
     * @param name the link's name
     * @param exitCode its exit code, or null when it is not known (no process, or still running)
     * @return the message
     */
    static String explain(String name, Integer exitCode) {
        if (exitCode == null) {
            return name + " ended before the ipos handshake; does its main call IPOS.connect()?";
        }
        if (exitCode == Launcher.NO_MAIN_CLASS) {
            return name + " exited with code " + exitCode + " before the ipos handshake: its main class could not be"
                    + " loaded, or has no main method to run (the code IPOS.javaProcess's launcher exits with then); its"
                    + " stderr names the class, why, and the class path it was given";
        }
        if (exitCode == 1) {
            return name + " exited with code 1 before the ipos handshake: if its stderr says \"Could not find or load"
                    + " main class\", \"Unable to initialize main class\" or \"Module ... not found\", its class path or"
                    + " module path lacks that class or module (IPOS.javaProcess passes this JVM's: see its Javadoc);"
                    + " otherwise its main failed before calling IPOS.connect()";
        }
        return name + " ended before the ipos handshake (exit code " + exitCode + "); does its main call IPOS.connect()?";
    }
}
