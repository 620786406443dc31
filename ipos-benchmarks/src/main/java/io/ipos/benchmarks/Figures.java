package io.ipos.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run, in the order measured. Each is printed as {@code name value unit} the
 * moment it is known; a figure that could not be measured prints {@code name n/a unit} and its
 * reason goes to stderr and into {@code results.txt}. Such a figure either failed (the run exits 1)
 * or was skipped: an optional one that can't be measured on this machine, such as a peer whose
 * runtime is absent, which does not fail the run.
 */
final class Figures {
    /** One figure; {@code value} is NaN when it failed or was {@code skipped}. */
    record Figure(String name, double value, String unit, boolean skipped) {
        boolean measured() {
            return !Double.isNaN(value);
        }

        /** Not measured, and not for a reason that {@link #skip} accepts: the run fails. */
        boolean failed() {
            return !measured() && !skipped;
        }
    }

    private final Map<String, Figure> figures = new LinkedHashMap<>();
    private final Map<String, String> reasons = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    synchronized void add(String name, double value, String unit) {
        Figure f = new Figure(name, value, unit, false);
        figures.put(name, f);
        System.out.println(line(f));
        System.out.flush();
    }

    /** Records that {@code name} could not be measured, unless it already was. */
    synchronized void fail(String name, String unit, String why) {
        missing(name, unit, why, false);
    }

    /**
     * Records that optional figure {@code name} was not measured, for a reason that must not fail
     * the run ({@code why} says it), unless it already was measured or failed.
     */
    synchronized void skip(String name, String unit, String why) {
        missing(name, unit, why, true);
    }

    private void missing(String name, String unit, String why, boolean skipped) {
        if (figures.containsKey(name)) {
            return;
        }
        Figure f = new Figure(name, Double.NaN, unit, skipped);
        figures.put(name, f);
        reasons.put(name, why);
        String what = name + (skipped ? " skipped: " : " not measured: ") + why;
        notes.add(what);
        System.out.println(line(f));
        System.out.flush();
        System.err.println("[bench] " + what);
    }

    /** Why {@code name} failed or was skipped; "not measured in this run" when it was never recorded. */
    synchronized String reason(String name) {
        Figure f = figures.get(name);
        return f == null ? "not measured in this run" : reasons.getOrDefault(name, "measured");
    }

    /** A free-form line for {@code results.txt} (how something was measured, a warning). */
    synchronized void note(String text) {
        notes.add(text);
    }

    /** The value of a measured figure, or NaN. */
    synchronized double get(String name) {
        Figure f = figures.get(name);
        return f == null ? Double.NaN : f.value();
    }

    synchronized List<Figure> all() {
        return new ArrayList<>(figures.values());
    }

    static String line(Figure f) {
        return f.name() + " " + format(f.value()) + " " + f.unit();
    }

    /** Whole numbers from 100 up; three significant digits below. */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }

    synchronized void write(Path file, List<String> header) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String h : header) {
            lines.add("# " + h);
        }
        for (Figure f : figures.values()) {
            lines.add(line(f));
        }
        for (String n : notes) {
            lines.add("# " + n);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
