package io.github.copilot4j.benchmarks.support;

import java.util.Arrays;
import java.util.Locale;

/**
 * Collects latencies (nanoseconds) and reports median / p95 / max. Thread-safe (synchronized; the
 * benchmarks record at most a few hundred thousand samples, off the measured hot path).
 */
public final class Latencies {
    private long[] samples = new long[1024];
    private int count;

    public synchronized void add(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = nanos;
    }

    public synchronized int count() {
        return count;
    }

    /** The q-quantile (0..1), nearest-rank, in nanoseconds; 0 when empty. */
    public synchronized long quantile(double q) {
        if (count == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * count);
        return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
    }

    public long median() {
        return quantile(0.5);
    }

    public long p95() {
        return quantile(0.95);
    }

    public synchronized long max() {
        long m = 0;
        for (int i = 0; i < count; i++) {
            m = Math.max(m, samples[i]);
        }
        return m;
    }

    /** "median / p95 / max" in milliseconds (or microseconds when the median is under 1 ms). */
    public String summary() {
        long med = median();
        long p95 = p95();
        long max = max();
        if (med < 1_000_000) {
            return String.format(Locale.ROOT, "%s / %s / %s µs", us(med), us(p95), us(max));
        }
        return String.format(Locale.ROOT, "%s / %s / %s ms", ms(med), ms(p95), ms(max));
    }

    public static String ms(long nanos) {
        double v = nanos / 1e6;
        return v >= 100
                ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    public static String us(long nanos) {
        double v = nanos / 1e3;
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
