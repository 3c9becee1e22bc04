package io.github.copilot4j.transport.stdio;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Copilot CLI child process, started by {@link CliLauncher}. Public so that the TCP
 * transport's spawn mode can share it; applications normally never touch it.
 *
 * <p>What it does: drains the CLI's stderr line by line to SLF4J (logger {@value #CLI_LOGGER}: lines
 * that mention an error or warning at INFO, the rest at DEBUG) and keeps the last lines for error
 * messages; optionally does the same for stdout (TCP mode, where stdout carries no frames);
 * describes how the process ended (exit code or signal, last stderr lines, next step); and stops
 * the process and only its own descendants.
 *
 * <p>Threading: one daemon thread {@code copilot4j-cli-stderr-<pid>} (and {@code
 * copilot4j-cli-stdout-<pid>} when stdout is drained) reads until end-of-stream. {@link
 * #stopWithin(Duration, boolean)} and {@link #stop(Duration, Duration)} may be called from any
 * thread; they are idempotent, a concurrent second call waits for the first to finish, and when
 * they return those threads have ended (or, if some process outside our tree still holds the pipe
 * open, were given up on at the deadline). Known secret values (tokens) are masked in every line
 * before it is logged or kept.
 */
public final class CliProcess implements AutoCloseable {
    /** Logger name the CLI's own output lines are logged under. */
    public static final String CLI_LOGGER = "io.github.copilot4j.cli";

    private static final Logger LOG = LoggerFactory.getLogger(CliProcess.class);
    private static final Logger CLI_OUTPUT = LoggerFactory.getLogger(CLI_LOGGER);
    private static final Duration DRAIN_JOIN = Duration.ofSeconds(2);
    /** After SIGKILL, time for the kernel and the JDK's reaper, even when the budget is spent. */
    private static final long KILL_REAP_FLOOR_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A drain thread whose stream was closed gets this long to notice, even when the budget is spent. */
    private static final long ABANDON_FLOOR_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final Map<Integer, String> SIGNALS = Map.ofEntries(
            Map.entry(1, "SIGHUP"),
            Map.entry(2, "SIGINT"),
            Map.entry(3, "SIGQUIT"),
            Map.entry(4, "SIGILL"),
            Map.entry(5, "SIGTRAP"),
            Map.entry(6, "SIGABRT"),
            Map.entry(7, "SIGBUS"),
            Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"),
            Map.entry(10, "SIGUSR1"),
            Map.entry(11, "SIGSEGV"),
            Map.entry(12, "SIGUSR2"),
            Map.entry(13, "SIGPIPE"),
            Map.entry(14, "SIGALRM"),
            Map.entry(15, "SIGTERM"));

    private final Process process;
    private final long pid;
    private final Path cliPath;
    private final Redactor redactor;
    private final LineDrainer stderr;
    private final LineDrainer stdout; // null: stdout is handed out raw (stdio mode)
    private final Duration defaultGrace;
    private final Object stopLock = new Object();
    private volatile boolean stopRequested;
    private boolean stopped; // guarded by stopLock

    CliProcess(
            Process process,
            Path cliPath,
            Redactor redactor,
            int stderrTailLines,
            int stdoutTailLines,
            Consumer<String> stdoutListener,
            Duration defaultGrace) {
        this.process = process;
        this.pid = process.pid();
        this.cliPath = cliPath;
        this.redactor = redactor;
        this.defaultGrace = defaultGrace;
        this.stderr =
                new LineDrainer(process.getErrorStream(), "stderr", pid, CLI_OUTPUT, redactor, stderrTailLines, null);
        this.stdout = stdoutListener == null
                ? null
                : new LineDrainer(
                        process.getInputStream(), "stdout", pid, CLI_OUTPUT, redactor, stdoutTailLines, stdoutListener);
        this.stderr.start();
        if (this.stdout != null) {
            this.stdout.start();
        }
    }

    /** The operating system process id. */
    public long pid() {
        return pid;
    }

    /** The CLI executable (or script) that was started. */
    public Path cliPath() {
        return cliPath;
    }

    /** The process's stdout, raw. Only in stdio mode (when stdout is not drained to the log). */
    public InputStream stdout() {
        if (stdout != null) {
            throw new IllegalStateException("stdout of this CLI process is drained to the log");
        }
        return process.getInputStream();
    }

    /** The process's stdin. */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** True while the process runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Completes when the process has exited (the JDK's process reaper completes it). */
    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** Waits up to {@code wait} for the process to exit; its exit value if it did. */
    public OptionalInt awaitExit(Duration wait) {
        try {
            if (wait.isZero() || wait.isNegative()) {
                return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
            }
            if (process.waitFor(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return OptionalInt.of(process.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OptionalInt.empty();
    }

    /** The last stderr lines (secrets masked), oldest first. */
    public List<String> stderrTail() {
        return stderr.tail();
    }

    /** The last stdout lines (secrets masked) when stdout is drained; else empty. */
    public List<String> stdoutTail() {
        return stdout == null ? List.of() : stdout.tail();
    }

    /** Masks the known secrets of this process in {@code text}. */
    public String redact(String text) {
        return redactor.redact(text);
    }

    /**
     * Describes why the process's output ended: exit code or signal, the last stderr lines, and a
     * next step. Waits up to {@code wait} for the process to exit. Never contains secrets.
     *
     * @param readError what the reader of stdout saw, or null on a clean end-of-stream
     */
    public String describeTermination(Throwable readError, Duration wait) {
        OptionalInt code = awaitExit(wait);
        if (code.isPresent()) {
            stderr.join(Duration.ofMillis(Math.min(DRAIN_JOIN.toMillis(), Math.max(200, wait.toMillis()))));
        }
        StringBuilder sb = new StringBuilder(label()).append(' ').append(status(code));
        if (readError != null) {
            sb.append("; reading its output failed: ").append(redact(String.valueOf(readError)));
        }
        appendTail(sb, "stderr", stderr.tail());
        String next = nextStep(code);
        if (!next.isEmpty()) {
            sb.append('\n').append(next);
        }
        return sb.toString();
    }

    /**
     * Describes a failed start (used by the TCP spawn mode): {@code problem} (e.g. "did not announce
     * its port within 30 s"), the process status, the last stderr and stdout lines, and a next
     * step. Waits up to {@code wait} for the process to exit. Never contains secrets.
     */
    public String describeStartupFailure(String problem, Duration wait) {
        OptionalInt code = awaitExit(wait);
        if (code.isPresent()) {
            Duration join = Duration.ofMillis(Math.min(DRAIN_JOIN.toMillis(), Math.max(200, wait.toMillis())));
            stderr.join(join);
            if (stdout != null) {
                stdout.join(join);
            }
        }
        StringBuilder sb = new StringBuilder(label()).append(' ').append(problem);
        sb.append(code.isPresent() ? "; it " + status(code) : "; it is still running");
        appendTail(sb, "stderr", stderr.tail());
        if (stdout != null) {
            appendTail(sb, "stdout", stdout.tail());
        }
        sb.append("\nNext step: check the lines above and that ")
                .append(cliPath)
                .append(" is a Copilot CLI that supports --headless (run it with --version by hand).");
        return sb.toString();
    }

    private String label() {
        return "Copilot CLI (pid " + pid + ")";
    }

    private String status(OptionalInt code) {
        if (code.isEmpty()) {
            return "is still running but its output ended";
        }
        int c = code.getAsInt();
        String signal = c > 128 ? SIGNALS.get(c - 128) : null;
        if (stopRequested) {
            return "was stopped by copilot4j ("
                    + (signal != null ? "signal " + (c - 128) + ", " + signal + ")" : "exit code " + c + ")");
        }
        if (signal != null) {
            return "was killed by signal " + (c - 128) + " (" + signal + ")";
        }
        return "exited with code " + c;
    }

    private String nextStep(OptionalInt code) {
        if (stopRequested) {
            return "";
        }
        if (code.isEmpty()) {
            return "Next step: close the client (which stops this process) and start it again; if this repeats, "
                    + "check the CLI's logs under $COPILOT_HOME/logs (default ~/.copilot/logs).";
        }
        int c = code.getAsInt();
        if (c > 128 && SIGNALS.containsKey(c - 128)) {
            return "Next step: something outside copilot4j ended the process (out of memory, a supervisor, "
                    + "or a user); check the system log (e.g. dmesg) and memory limits, then start the client again.";
        }
        if (c == 0) {
            return "Next step: the CLI ended by itself (its input was closed or it was asked to shut down); "
                    + "start the client again.";
        }
        return "Next step: read the stderr lines above and the CLI's logs under $COPILOT_HOME/logs "
                + "(default ~/.copilot/logs), and check that " + cliPath
                + " is a Copilot CLI version that supports the flags copilot4j passes (run it with --version).";
    }

    private static void appendTail(StringBuilder sb, String stream, List<String> lines) {
        if (lines.isEmpty()) {
            sb.append("; it wrote nothing to ").append(stream);
            return;
        }
        sb.append("; last ").append(stream).append(" lines:");
        for (String line : lines) {
            sb.append("\n  ").append(line);
        }
    }

    /**
     * Stops the process: closes its stdin, waits up to {@code waitForExit} for it to exit by itself,
     * then sends SIGTERM to it and to its descendants (captured before anything was destroyed),
     * waits up to {@code grace}, and kills whatever still runs. Only this process and its own
     * descendants are ever signalled. Idempotent; never throws; bounded by about {@code waitForExit
     * + grace} plus at most 2 s for the kill and the drain threads.
     */
    public void stop(Duration waitForExit, Duration grace) {
        long now = System.nanoTime();
        long voluntaryEnd = now + nonNegative(waitForExit).toNanos();
        long termEnd = voluntaryEnd + nonNegative(grace).toNanos();
        stop(new Plan(voluntaryEnd, termEnd, termEnd + DRAIN_JOIN.toNanos()));
    }

    /**
     * Stops the process and its tree within {@code budget}, all steps included: one deadline is
     * fixed when the call starts and every step gets only what is left of it. Closes stdin; if
     * {@code awaitVoluntaryExit}, waits up to 40% of the budget for the process to exit by itself;
     * sends SIGTERM to it and its descendants and waits until 80% of the budget; then sends SIGKILL
     * to whatever of the tree still runs (a stopped process included), waits for the exit and the
     * drain threads until the deadline, and gives up on drain threads still blocked then (they are
     * daemon threads). Only after SIGKILL, when the budget is already spent, it allows itself about
     * 100 ms for the kernel to reap. Idempotent; never throws.
     */
    public void stopWithin(Duration budget, boolean awaitVoluntaryExit) {
        long now = System.nanoTime();
        long b = nonNegative(budget).toNanos();
        long voluntaryEnd = awaitVoluntaryExit ? now + b * 2 / 5 : now;
        long termEnd = now + b * 4 / 5;
        stop(new Plan(voluntaryEnd, termEnd, now + b));
    }

    /** Deadlines (System.nanoTime()) of one stop: voluntary exit, SIGTERM grace, everything. */
    private record Plan(long voluntaryEnd, long termEnd, long end) {
        Duration until(long deadline) {
            return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        }
    }

    private void stop(Plan plan) {
        synchronized (stopLock) {
            if (stopped) {
                return;
            }
            stopped = true;
            // A process that already died on its own keeps its own story (exit code, signal).
            stopRequested = process.isAlive();
            try {
                doStop(plan);
            } catch (RuntimeException e) {
                LOG.warn("Stopping {} failed: {}", label(), e.toString());
            }
        }
    }

    /** Same as {@code stop(Duration.ZERO, defaultGrace)}: no waiting for a voluntary exit. */
    @Override
    public void close() {
        stop(Duration.ZERO, defaultGrace);
    }

    private void doStop(Plan plan) {
        ProcessHandle self = process.toHandle();
        Set<ProcessHandle> family = new LinkedHashSet<>(ProcessTree.descendants(self));

        // stdin EOF asks a stdio-mode CLI to exit. Closing may block if a writer is stuck on a full
        // pipe, so it runs on a short-lived helper thread that we join after the process is gone.
        Thread stdinCloser =
                new Thread(() -> closeQuietly(process.getOutputStream()), "copilot4j-cli-stdin-close-" + pid);
        stdinCloser.setDaemon(true);
        stdinCloser.start();

        boolean exited = awaitExit(plan.until(plan.voluntaryEnd())).isPresent();
        if (!exited) {
            family.addAll(ProcessTree.descendants(self));
            LOG.debug("{} still running; sending SIGTERM to it and {} descendant(s)", label(), family.size());
            process.destroy();
        }
        ProcessTree.terminate(family);
        if (!exited) {
            exited = awaitExit(plan.until(plan.termEnd())).isPresent();
        }
        boolean familyGone = ProcessTree.awaitGone(family, plan.termEnd());
        if (!exited) {
            LOG.warn("{} did not exit after SIGTERM within the time its stop was given; killing it", label());
            family.addAll(ProcessTree.descendants(self));
            process.destroyForcibly();
        }
        if (!familyGone) {
            List<Long> pids = new ArrayList<>();
            family.stream().filter(ProcessTree::isRunning).forEach(h -> pids.add(h.pid()));
            if (!pids.isEmpty()) {
                LOG.warn("Descendant process(es) {} of {} did not exit after SIGTERM; killing them", pids, label());
            }
        }
        ProcessTree.kill(family);
        // SIGKILL cannot be ignored, not even by a stopped process: reaping takes a moment, granted
        // from what is left (at least KILL_REAP_FLOOR when the budget is already spent).
        long reapEnd = Math.max(plan.end(), System.nanoTime() + KILL_REAP_FLOOR_NANOS);
        if (!exited) {
            exited = awaitExit(plan.until(reapEnd)).isPresent();
            if (!exited) {
                LOG.error("{} is still running after SIGKILL; giving up on it", label());
            }
        }
        ProcessTree.awaitGone(family, reapEnd);

        joinOrAbandon(stdinCloser, plan.until(plan.end()));
        closeQuietly(process.getOutputStream());
        finishDrain(stderr, plan.end());
        if (stdout != null) {
            finishDrain(stdout, plan.end());
        } else {
            closeQuietly(process.getInputStream());
        }
        LOG.debug("{} stopped: {}", label(), exited ? "exit value " + process.exitValue() : "still running");
    }

    private void finishDrain(LineDrainer drainer, long deadline) {
        if (drainer.join(Duration.ofNanos(Math.max(ABANDON_FLOOR_NANOS, deadline - System.nanoTime())))) {
            return;
        }
        // A process outside our tree inherited the pipe and keeps it open: stop reading.
        drainer.closeStream();
        if (!drainer.join(Duration.ofNanos(ABANDON_FLOOR_NANOS))) {
            LOG.warn("The output reader of {} did not end; abandoning it (daemon thread)", label());
        }
    }

    private static void joinOrAbandon(Thread t, Duration wait) {
        try {
            t.join(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    private static Duration nonNegative(Duration d) {
        return d == null || d.isNegative() ? Duration.ZERO : d;
    }

    @Override
    public String toString() {
        return label() + " " + cliPath;
    }
}
