package io.github.copilot4j.devruntime.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ends a process and only its own descendants. Internal. */
public final class Processes {

    private Processes() {}

    /**
     * Asks {@code process} to stop (SIGTERM), waits up to {@code grace}, then kills it; then does the
     * same for every descendant it had when this was called. Never throws; returns when all are gone
     * or after about twice {@code grace}.
     */
    public static void destroyTree(Process process, Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        destroyAll(descendants, grace);
    }

    /**
     * Ends processes collected earlier (e.g. a process's descendants, taken before it exited, since an
     * exited process no longer lists its orphans): SIGTERM, up to {@code grace}, then SIGKILL.
     */
    public static void destroyAll(List<ProcessHandle> handles, Duration grace) {
        List<ProcessHandle> descendants = handles;
        for (ProcessHandle h : descendants) {
            if (h.isAlive()) {
                h.destroy();
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle h : descendants) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }
}
