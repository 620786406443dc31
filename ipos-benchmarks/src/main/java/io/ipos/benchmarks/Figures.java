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
 * reason goes to stderr and into {@code results.txt}.
 */
final class Figures {
    /** One measured figure; {@code value} is NaN when it failed. */
    record Figure(String name, double value, String unit) {
        boolean measured() {
            return !Double.isNaN(value);
        }
    }

    private final Map<String, Figure> figures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    synchronized void add(String name, double value, String unit) {
        Figure f = new Figure(name, value, unit);
        figures.put(name, f);
        System.out.println(line(f));
        System.out.flush();
    }

    /** Records that {@code name} could not be measured, unless it already was. */
    synchronized void fail(String name, String unit, String why) {
        if (figures.containsKey(name)) {
            return;
        }
        Figure f = new Figure(name, Double.NaN, unit);
        figures.put(name, f);
        notes.add(name + " not measured: " + why);
        System.out.println(line(f));
        System.out.flush();
        System.err.println("[bench] " + name + " not measured: " + why);
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
