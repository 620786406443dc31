package io.ipos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule for which of a parent JVM's options {@link IPOS#javaProcess} passes on to a child. */
class JvmOptionsTest {

    @Test
    void propertiesSizesModuleOptionsAndAssertionsArePassedOnInTheirOrder() {
        List<String> passed = List.of("-Dipos.format=json", "-Dgreeting=hello world", "-Dflag", "-Xmx200m", "-Xms64m",
                "-Xss2m", "-XX:MaxRAMPercentage=50", "-XX:MaxHeapSize=1g", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-reads=m=ALL-UNNAMED", "--add-modules=java.sql",
                "--patch-module=m=/tmp/patch", "--limit-modules=java.base", "--enable-preview",
                "--enable-native-access=ALL-UNNAMED", "--illegal-native-access=deny",
                "--sun-misc-unsafe-memory-access=warn", "-ea", "-ea:io.ipos...", "-da:Foo", "-esa", "-dsa",
                "-enableassertions", "-disableassertions:bar...", "-Djava.security.manager=allow",
                "-Djava.security.manager");
        assertEquals(passed, JvmOptions.passedOn(passed));
    }

    @Test
    void debuggerAgentsRecordingsLogsAndOtherTuningStayWithTheParent() {
        List<String> kept = List.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005",
                "-agentpath:/opt/profiler/libagent.so", "-javaagent:/tmp/jacoco.jar=destfile=jacoco.exec", "-Xdebug",
                "-Xrunjdwp:transport=dt_socket", "-XX:StartFlightRecording=filename=rec.jfr", "-XX:+FlightRecorder",
                "-XX:FlightRecorderOptions=stackdepth=128", "-Xlog:gc:file=gc.log", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=/tmp/dump.hprof",
                "-XX:ErrorFile=/tmp/err.log", "-Xshare:auto", "-verbose:gc", "-Xbootclasspath/a:/tmp/x.jar",
                "--module-path=/tmp/mods", "--illegal-access=permit");
        assertEquals(List.of(), JvmOptions.passedOn(kept));
    }

    @Test
    void propertiesTheLauncherSetsOrThatWouldClashStayWithTheParent() {
        List<String> kept = List.of("-Djava.class.path=/tmp/a.jar", "-Djdk.module.main=m", "-Djdk.module.path=/tmp/mods",
                "-Dsun.java.command=Main", "-Dsun.java.launcher=SUN_STANDARD",
                "-Dcom.sun.management.jmxremote.port=9010", "-Dcom.sun.management.jmxremote",
                "-Djava.security.manager=worker.org.gradle.process.internal.worker.child.BootstrapSecurityManager");
        assertEquals(List.of(), JvmOptions.passedOn(kept));
    }
}
