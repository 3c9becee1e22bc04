package io.github.copilot4j.transport.stdio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Process and thread checks shared by the tests. */
public final class TestProcesses {
    private TestProcesses() {}

    /** True if the pid no longer runs (gone, or an unreaped zombie). */
    public static boolean isGone(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        return h.isEmpty() || !ProcessTree.isRunning(h.get());
    }

    /** Waits (bounded) until the pid is gone; true if it is. */
    public static boolean awaitGone(long pid, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!isGone(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Reads a pid a fake CLI wrote to a file, waiting (bounded) for the file. */
    public static long readPid(Path file, Duration max) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            if (Files.exists(file)) {
                String s = Files.readString(file).trim();
                if (!s.isEmpty()) {
                    return Long.parseLong(s);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no pid written to " + file + " within " + max);
            }
            Thread.sleep(20);
        }
    }

    /** Live threads whose name starts with copilot4j-. */
    public static Set<Thread> copilotThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("copilot4j-") && t.isAlive())
                .collect(Collectors.toSet());
    }

    /** Waits for a file to contain something (bounded); returns its content. */
    public static String awaitFile(Path file, Duration max) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!Files.exists(file) || Files.size(file) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("file not written within " + max + ": " + file);
            }
            Thread.sleep(20);
        }
        Thread.sleep(50); // let the writer finish
        return Files.readString(file);
    }
}
