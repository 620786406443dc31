package io.ipos.serialization;

import java.util.List;
import java.util.Objects;

/**
 * A program for tests that start a fresh JVM: encodes and decodes one registered record (or, with
 * {@code bean}, one bean) in the format named by its first argument, then prints the milliseconds
 * from JVM start to the end of that first encode and {@code OK}. With {@code missing} it expects
 * the format to be unavailable and prints the exception's message.
 */
public final class FirstUseMain {
    private FirstUseMain() {
    }

    /**
     * Runs the program.
     *
     * @param args the format name, then {@code record}, {@code bean} or {@code missing}
     */
    public static void main(String[] args) {
        String format = args[0];
        String mode = args[1];
        if (mode.equals("missing")) {
            try {
                WireFormat.byName(format);
                System.out.println("AVAILABLE");
            } catch (IllegalArgumentException e) {
                System.out.println("IAE " + e.getMessage());
            }
            System.out.println("msgpack still works: " + roundTrip(WireFormat.msgpack(), "record"));
            return;
        }
        long before = System.currentTimeMillis();
        WireFormat f = WireFormat.byName(format);
        Object back = roundTrip(f, mode);
        long end = System.currentTimeMillis();
        long started = jvmStartMillis();
        System.out.println("first encode+decode ms since JVM start " + (end - started) + ", in the format "
                + (end - before));
        System.out.println(back);
        System.out.println("OK");
    }

    /** The JVM's start time; java.management is reached by reflection (the tests compile in this module). */
    private static long jvmStartMillis() {
        try {
            Object runtime = Class.forName("java.lang.management.ManagementFactory").getMethod("getRuntimeMXBean")
                    .invoke(null);
            return (Long) Class.forName("java.lang.management.RuntimeMXBean").getMethod("getStartTime").invoke(runtime);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Object roundTrip(WireFormat f, String mode) {
        ClassRegistry registry = new ClassRegistry();
        ValueCodec codec = new ValueCodec(registry);
        Object value;
        if (mode.equals("bean")) {
            registry.register(Samples.Point.class);
            registry.register(Samples.Color.class);
            registry.register(Samples.Person.class);
            value = Samples.person();
        } else {
            registry.register(Samples.Point.class);
            value = List.of(new Samples.Point(1, 2), "text", 1.5f, 2.5);
        }
        ValueWriter w = f.newWriter();
        codec.write(w, value);
        byte[] bytes = w.toByteArray();
        ValueReader r = f.newReader();
        r.reset(bytes, 0, bytes.length);
        Object back = codec.read(r);
        if (!Objects.equals(value, back)) {
            throw new AssertionError("round trip changed " + value + " into " + back);
        }
        return back;
    }
}
