package io.github.copilot4j.transport.stdio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Helpers over {@link ProcessHandle}s of one CLI process and its descendants.
 *
 * <p>Only processes that were descendants of our own child at the moment of a snapshot are ever
 * signalled: a descendant orphaned by its parent's exit is re-parented and no longer shows up in
 * {@link ProcessHandle#descendants()}, which is why {@link CliProcess} takes snapshots <em>before</em>
 * destroying anything. {@link ProcessHandle} guards against PID reuse by comparing start times.
 *
 * <p>Stateless; all methods are thread-safe.
 */
final class ProcessTree {
    private static final long POLL_MILLIS = 20;

    private ProcessTree() {}

    /** The current descendants of {@code root}, or an empty list if it cannot be read. */
    static List<ProcessHandle> descendants(ProcessHandle root) {
        try {
            return root.descendants().collect(Collectors.toList());
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /**
     * True if the process is alive and not a zombie. An exited process that nobody reaped yet (its
     * parent is gone and PID 1 does not reap) still counts as alive for {@link
     * ProcessHandle#isAlive()} on Linux, but it no longer runs and holds no resources worth waiting
     * for.
     */
    static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        Path stat = Path.of("/proc", Long.toString(handle.pid()), "stat");
        try {
            String text = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
            int close = text.lastIndexOf(')');
            if (close >= 0 && close + 2 < text.length()) {
                char state = text.charAt(close + 2);
                return state != 'Z' && state != 'X';
            }
            return true;
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux) or the process just went away: trust isAlive() once more.
            return handle.isAlive();
        }
    }

    /** Sends a polite termination request (SIGTERM on POSIX) to each handle still running. */
    static void terminate(Collection<ProcessHandle> handles) {
        for (ProcessHandle h : handles) {
            if (isRunning(h)) {
                try {
                    h.destroy();
                } catch (RuntimeException ignored) {
                    // not permitted or already gone
                }
            }
        }
    }

    /** Forcibly ends (SIGKILL on POSIX) each handle still running. */
    static void kill(Collection<ProcessHandle> handles) {
        for (ProcessHandle h : handles) {
            if (isRunning(h)) {
                try {
                    h.destroyForcibly();
                } catch (RuntimeException ignored) {
                    // not permitted or already gone
                }
            }
        }
    }

    /** Polls until none of the handles is running or the deadline passes; true if all are gone. */
    static boolean awaitGone(Collection<ProcessHandle> handles, long deadlineNanos) {
        while (true) {
            boolean anyRunning = false;
            for (ProcessHandle h : handles) {
                if (isRunning(h)) {
                    anyRunning = true;
                    break;
                }
            }
            if (!anyRunning) {
                return true;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
