package io.ipos.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws the results as one SVG (no dependency): ipos-java beside the raw pipe and Unix socket and
 * beside the two peers a user would pick instead (Node {@code ipos} 0.2.6, sections {@code node};
 * Hazelcast's {@code ReplicatedMap}, section {@code hazelcast}), every bar from the same run, one
 * panel per kind of figure, with the budget from {@code DESIGN.md} as a dashed line. A bar whose
 * section did not run says "not measured".
 */
final class Chart {
    /**
     * Bytes Node {@code ipos} 0.2.6 sends for one change, from the session capture of issue 4: the
     * one bar not measured in the run (the capture is a test, {@code SessionCaptureTest}).
     */
    static final double NODE_BYTES_PER_CHANGE = 84;

    static final String PIPE = "#8c8c8c";
    static final String PIPE_LIGHT = "#c4c4c4";
    static final String JAVA = "#1f6fb4";
    static final String NODE = "#e8871e";
    static final String HAZELCAST = "#2e9e5b";
    static final String BUDGET = "#c0392b";

    private static final int WIDTH = 980;
    private static final int LABEL_X = 250;
    private static final int PLOT_X0 = 262;
    private static final int PLOT_X1 = WIDTH - 130;
    private static final int BAR = 20;
    private static final int GAP = 7;

    private record Bar(String label, double value, String color) {
    }

    private record Panel(String title, String unit, boolean log, List<Bar> bars, double budget, String budgetLabel,
            String note) {
    }

    private Chart() {
    }

    static void write(Path file, Figures f, String subtitle) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, svg(f, subtitle), StandardCharsets.UTF_8);
    }

    static String svg(Figures f, String subtitle) {
        List<Panel> panels = new ArrayList<>();
        double pipeMsgs = f.get("pipe.msgs");
        panels.add(new Panel("One-way throughput, small writes (ops/s, higher is better)", "ops/s", true, List.of(
                new Bar("raw pipe: 32-byte messages", pipeMsgs, PIPE),
                new Bar("raw Unix socket: 32-byte messages", f.get("raw.unix.msgs"), PIPE_LIGHT),
                new Bar("ipos-java: map put, parent → child", f.get("p2c.put"), JAVA),
                new Bar("ipos-java: the same over stdio", f.get("p2c.put.stdio"), JAVA),
                new Bar("ipos-java: the same over TCP", f.get("p2c.put.tcp"), JAVA),
                new Bar("ipos-java: map put, child → parent", f.get("c2p.put"), JAVA),
                new Bar("ipos-java: list add, parent → child", f.get("p2c.listAdd"), JAVA),
                new Bar("Node ipos 0.2.6: map set, parent → child", f.get("peer.ipos.put"), NODE),
                new Bar("Hazelcast ReplicatedMap: put, member → member", f.get("peer.hazelcast.put"), HAZELCAST)),
                5_000_000, "budget ≥ 5M", ratio("p2c.put / pipe", f.get("p2c.put"), pipeMsgs, "%")));
        double pipeP50 = f.get("pipe.rtt.p50");
        panels.add(new Panel("Round trip (µs, lower is better)", "µs", true, List.of(
                new Bar("raw pipe p50, polled", pipeP50, PIPE),
                new Bar("raw pipe p99, polled", f.get("pipe.rtt.p99"), PIPE),
                new Bar("raw pipe p50, blocking read", f.get("pipe.rtt.blocking.p50"), PIPE_LIGHT),
                new Bar("raw pipe p99, blocking read", f.get("pipe.rtt.blocking.p99"), PIPE_LIGHT),
                new Bar("raw Unix socket p50, polled", f.get("raw.unix.rtt.p50"), PIPE),
                new Bar("raw Unix socket p99, polled", f.get("raw.unix.rtt.p99"), PIPE),
                new Bar("ipos-java p50", f.get("rtt.p50"), JAVA),
                new Bar("ipos-java p99", f.get("rtt.p99"), JAVA),
                new Bar("ipos-java p50 over stdio", f.get("rtt.p50.stdio"), JAVA),
                new Bar("ipos-java p50 over TCP", f.get("rtt.p50.tcp"), JAVA),
                new Bar("ipos-java p50, answered from listeners", f.get("listener.rtt.p50"), JAVA),
                new Bar("ipos-java p50, a call", f.get("call.rtt.p50"), JAVA),
                new Bar("Node ipos p50 (its listeners)", f.get("peer.ipos.rtt.p50"), NODE),
                new Bar("Node ipos p99", f.get("peer.ipos.rtt.p99"), NODE),
                new Bar("Hazelcast p50 (entry listeners)", f.get("peer.hazelcast.rtt.p50"), HAZELCAST),
                new Bar("Hazelcast p99", f.get("peer.hazelcast.rtt.p99"), HAZELCAST)),
                1.5 * pipeP50, "budget p50 ≤ 1.5× pipe", ratio("ipos p50 / polled pipe p50", f.get("rtt.p50"), pipeP50, "x")));
        panels.add(new Panel("A child's connect() receiving a map (ms, lower is better)", "ms", true, List.of(
                new Bar("ipos-java: 100,000 entries", f.get("sync.map100k"), JAVA),
                new Bar("ipos-java: 1,000,000 entries", f.get("sync.map1m"), JAVA),
                new Bar("Node ipos: 100,000 keys", f.get("peer.ipos.sync.map100k"), NODE)),
                20, "budget 100k < 20 ms", ""));
        panels.add(new Panel("Bytes on the wire for one put into a 100,000-entry map (lower is better)", "B", false,
                List.of(new Bar("ipos-java", f.get("diff.put.bytes"), JAVA),
                        new Bar("Node ipos (issue 4's capture, not this run)", NODE_BYTES_PER_CHANGE, NODE)),
                32, "budget < 32 B", ""));
        double jvm = f.get("connect.jvm");
        panels.add(new Panel("Child JVM start (ms, lower is better)", "ms", false, List.of(
                new Bar("bare JVM: start to end of main", jvm, PIPE),
                new Bar("ipos-java: start to connect() done", f.get("connect.child"), JAVA),
                new Bar("ipos-java: the same over stdio", f.get("connect.child.stdio"), JAVA)),
                jvm + 50, "budget: bare + 50 ms", ratio("overhead", f.get("connect.overhead"), 1, " ms")));
        panels.add(new Panel("Messages and merges (per second, higher is better)", "/s", true, List.of(
                new Bar("ipos-java: emit, parent → child", f.get("msg.throughput"), JAVA),
                new Bar("ipos-java: merge(k, 1, sum) from 3 children", f.get("merge.counter"), JAVA)),
                Double.NaN, "", "budgets: emit ≥ 2M, merge ≥ 200k"));
        double linked = f.get("mem.map1m.linkedhashmap");
        panels.add(new Panel("Heap held by a map of 1,000,000 String → Integer entries (MB, lower is better)", "MB", false,
                List.of(new Bar("java.util.LinkedHashMap", linked, PIPE),
                        new Bar("ipos-java: SharedMap", f.get("mem.map1m.shared"), JAVA)),
                1.2 * linked, "budget ≤ 1.2× LinkedHashMap", ratio("SharedMap / LinkedHashMap", f.get("mem.map1m.ratio"), 1, "x")));

        StringBuilder body = new StringBuilder();
        int y = 78;
        for (Panel p : panels) {
            y = panel(body, p, y) + 26;
        }
        int height = y + 10;
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
                WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH, height));
        svg.append("<text x=\"20\" y=\"28\" font-size=\"18\" font-weight=\"bold\">ipos-java against the raw pipe, Node ipos and Hazelcast</text>\n");
        svg.append("<text x=\"20\" y=\"47\" fill=\"#555\">").append(escape(subtitle)).append("</text>\n");
        legend(svg, 20, 64);
        svg.append(body);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void legend(StringBuilder svg, int x, int y) {
        String[][] items = {{PIPE, "raw pipe, socket"}, {JAVA, "ipos-java"}, {NODE, "Node ipos 0.2.6"},
            {HAZELCAST, "Hazelcast 5.7 ReplicatedMap"}};
        for (String[] item : items) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y - 10, item[0]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>\n", x + 17, y, escape(item[1])));
            x += 17 + 7 * item[1].length() + 24;
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\" "
                + "stroke-dasharray=\"5,3\"/>", x, y - 4, x + 14, y - 4, BUDGET));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">budget (DESIGN.md)</text>\n", x + 19, y));
    }

    /** {@code "label = 12.3x"}, or "" when either side is missing. */
    private static String ratio(String label, double value, double over, String unit) {
        if (Double.isNaN(value) || Double.isNaN(over) || over == 0) {
            return "";
        }
        double r = value / over;
        return label + " = " + (unit.equals("%") ? trim(100 * r) + "%"
                : unit.equals("x") ? String.format(Locale.ROOT, "%.2fx", r) : trim(r) + unit);
    }

    /** @return the y below the panel */
    private static int panel(StringBuilder svg, Panel p, int top) {
        svg.append(String.format(Locale.ROOT, "<text x=\"20\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s</text>",
                top + 14, escape(p.title())));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\">%s</text>\n",
                WIDTH - 20, top + 14, JAVA, escape(p.note())));
        int plotTop = top + 36;
        int plotBottom = plotTop + p.bars().size() * (BAR + GAP) - GAP;
        double lo;
        double hi;
        double max = p.budget() > 0 ? p.budget() : 0;
        double min = p.budget() > 0 ? p.budget() : Double.MAX_VALUE;
        for (Bar b : p.bars()) {
            if (b.value() > 0) {
                max = Math.max(max, b.value());
                min = Math.min(min, b.value());
            }
        }
        if (max <= 0) {
            max = 1;
            min = 1;
        }
        if (p.log()) {
            lo = Math.pow(10, Math.floor(Math.log10(min)));
            if (min / lo < 2) {
                lo /= 10;
            }
            hi = Math.pow(10, Math.ceil(Math.log10(max)));
            if (hi <= lo) {
                hi = lo * 10;
            }
        } else {
            lo = 0;
            double step = niceStep(max * 1.1 / 5);
            hi = Math.ceil(max * 1.1 / step) * step;
        }
        // grid
        List<Double> ticks = new ArrayList<>();
        if (p.log()) {
            for (double t = lo; t <= hi * 1.0001; t *= 10) {
                ticks.add(t);
            }
        } else {
            double step = niceStep(hi / 5);
            for (double t = 0; t <= hi * 1.0001; t += step) {
                ticks.add(t);
            }
        }
        for (double t : ticks) {
            double x = x(p, lo, hi, t);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>",
                    x, plotTop - 4, x, plotBottom + 4));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#777\" "
                    + "font-size=\"10\">%s</text>\n", x, plotBottom + 16, compact(t)));
        }
        int y = plotTop;
        for (Bar b : p.bars()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
                    LABEL_X, y + BAR - 6, escape(b.label())));
            if (b.value() > 0 && !Double.isNaN(b.value())) {
                double x = Math.max(PLOT_X0 + 1, x(p, lo, hi, b.value()));
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                        PLOT_X0, y, x - PLOT_X0, BAR, b.color()));
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s %s</text>\n",
                        x + 5, y + BAR - 6, compact(b.value()), escape(p.unit())));
            } else {
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#999\">not measured</text>\n",
                        PLOT_X0 + 5, y + BAR - 6));
            }
            y += BAR + GAP;
        }
        if (p.budget() > 0 && !Double.isNaN(p.budget())) {
            double x = x(p, lo, hi, p.budget());
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2\" stroke-dasharray=\"5,3\"/>", x, plotTop - 12, x, plotBottom + 4, BUDGET));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\" font-size=\"10\">%s</text>\n",
                    x + 4, plotTop - 6, BUDGET, escape(p.budgetLabel())));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
                PLOT_X0, plotTop - 4, PLOT_X0, plotBottom + 4));
        return plotBottom + 18;
    }

    private static double x(Panel p, double lo, double hi, double v) {
        double t = p.log() ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
        return PLOT_X0 + Math.max(0, Math.min(1, t)) * (PLOT_X1 - PLOT_X0);
    }

    private static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / magnitude;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * magnitude;
    }

    /** 1.2M, 340k, 12.5, 0.81. */
    static String compact(double v) {
        if (v >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (v >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (v >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
