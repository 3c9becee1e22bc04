package io.github.copilot4j.benchmarks.support;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** Heap, allocation and thread measurements of this JVM. */
public final class Jvm {
    private Jvm() {}

    /** Used heap after a few full GCs (until it stops shrinking), in bytes. */
    public static long usedHeapAfterGc() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            sleep(60);
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (used >= best - 64 * 1024 && i >= 2) {
                return Math.min(best, used);
            }
            best = Math.min(best, used);
        }
        return best;
    }

    /** Bytes allocated so far by all live threads (HotSpot's per-thread counters). */
    public static long allocatedBytesAllThreads() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!(mx instanceof com.sun.management.ThreadMXBean hs) || !hs.isThreadAllocatedMemorySupported()) {
            return -1;
        }
        hs.setThreadAllocatedMemoryEnabled(true);
        long sum = 0;
        for (long a : hs.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            if (a > 0) {
                sum += a;
            }
        }
        return sum;
    }

    public static int threadCount() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    public static void resetPeakThreads() {
        ManagementFactory.getThreadMXBean().resetPeakThreadCount();
    }

    public static int peakThreads() {
        return ManagementFactory.getThreadMXBean().getPeakThreadCount();
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    public static String kib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f KiB", bytes / 1024.0);
    }
}
