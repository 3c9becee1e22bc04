package io.github.copilot4j.benchmarks.support;

import java.lang.management.ManagementFactory;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rows of a benchmark run, printed as one table. Thread-safe. A row carries its target and
 * whether it was met (null when the row has no target).
 */
public final class Report {
    /** One measured value. */
    public record Row(String group, String metric, String value, String target, Boolean met) {}

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public synchronized void add(String group, String metric, String value) {
        rows.add(new Row(group, metric, value, "", null));
        System.out.printf(Locale.ROOT, "  %-34s %s%n", metric, value);
    }

    public synchronized void add(String group, String metric, String value, String target, boolean met) {
        rows.add(new Row(group, metric, value, target, met));
        System.out.printf(Locale.ROOT, "  %-34s %s   (target %s: %s)%n", metric, value, target, met ? "met" : "MISSED");
    }

    public synchronized void note(String text) {
        notes.add(text);
        System.out.println("  note: " + text);
    }

    public synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    /** One line describing this machine and JVM. */
    public static String machine() {
        Runtime rt = Runtime.getRuntime();
        long totalRam = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            totalRam = os.getTotalMemorySize();
        }
        return String.format(
                Locale.ROOT,
                "%d cores, %s RAM, %s %s (%s), %s %s, load average %.2f",
                rt.availableProcessors(),
                totalRam < 0 ? "?" : (totalRam >> 20) + " MiB",
                System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"),
                System.getProperty("java.vendor"),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** The whole table, Markdown. */
    public synchronized String table(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(title).append("\n\n");
        sb.append("Taken ")
                .append(ZonedDateTime.now(ZoneId.systemDefault())
                        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME.withLocale(Locale.ROOT)))
                .append(" on ")
                .append(machine())
                .append("\n\n");
        int w0 = "benchmark".length();
        int w1 = "metric".length();
        int w2 = "value".length();
        int w3 = "target".length();
        for (Row r : rows) {
            w0 = Math.max(w0, r.group().length());
            w1 = Math.max(w1, r.metric().length());
            w2 = Math.max(w2, r.value().length());
            w3 = Math.max(w3, r.target().length());
        }
        String fmt = "| %-" + w0 + "s | %-" + w1 + "s | %-" + w2 + "s | %-" + w3 + "s | %-6s |%n";
        sb.append(String.format(Locale.ROOT, fmt, "benchmark", "metric", "value", "target", "met"));
        sb.append(String.format(
                Locale.ROOT, fmt, "-".repeat(w0), "-".repeat(w1), "-".repeat(w2), "-".repeat(w3), "------"));
        for (Row r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    fmt,
                    r.group(),
                    r.metric(),
                    r.value(),
                    r.target(),
                    r.met() == null ? "" : r.met() ? "yes" : "**NO**"));
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
            for (String n : notes) {
                sb.append("- ").append(n).append('\n');
            }
        }
        return sb.toString();
    }
}
