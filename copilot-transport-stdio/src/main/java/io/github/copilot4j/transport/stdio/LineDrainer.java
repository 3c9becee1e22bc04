package io.github.copilot4j.transport.stdio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * Reads one output stream of the CLI (stderr, or stdout in TCP mode) line by line on its own daemon
 * thread until end-of-stream: each line is redacted, logged, kept in a bounded tail buffer and
 * handed to an optional listener.
 *
 * <p>Threading: the drain thread only reads and logs; {@link #tail()} and {@link #join(Duration)}
 * may be called from any thread. Lines longer than {@link #MAX_LINE_BYTES} are cut, so a CLI that
 * writes a huge blob without newlines cannot make this buffer grow without bound.
 */
final class LineDrainer {
    static final int MAX_LINE_BYTES = 8 * 1024;
    private static final Pattern NOTEWORTHY = Pattern.compile("(?i)\\b(error|warn|warning|fatal|panic|exception)\\b");

    private final InputStream in;
    private final String label;
    private final long pid;
    private final Logger log;
    private final Redactor redactor;
    private final Consumer<String> listener;
    private final int tailCapacity;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final Thread thread;

    /**
     * @param label "stderr" or "stdout"; part of the thread name and of each log line
     * @param listener called on the drain thread for every line (after redaction); may be null
     */
    LineDrainer(
            InputStream in,
            String label,
            long pid,
            Logger log,
            Redactor redactor,
            int tailCapacity,
            Consumer<String> listener) {
        this.in = in;
        this.label = label;
        this.pid = pid;
        this.log = log;
        this.redactor = redactor;
        this.tailCapacity = Math.max(0, tailCapacity);
        this.listener = listener;
        this.thread = new Thread(this::run, "copilot4j-cli-" + label + "-" + pid);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Waits up to {@code timeout} for end-of-stream; true if the drain thread has ended. */
    boolean join(Duration timeout) {
        long millis = Math.max(1, timeout.toMillis());
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    boolean isRunning() {
        return thread.isAlive();
    }

    /** Closes the stream; used only as a last resort when end-of-stream does not come. */
    void closeStream() {
        try {
            in.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** The last lines read, oldest first. */
    List<String> tail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    private void run() {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean truncated = false;
        try {
            int n;
            while ((n = in.read(buf)) != -1) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        emit(line, truncated);
                        line.reset();
                        truncated = false;
                    } else if (line.size() < MAX_LINE_BYTES) {
                        line.write(b);
                    } else {
                        truncated = true;
                    }
                }
            }
            if (line.size() > 0 || truncated) {
                emit(line, truncated);
            }
        } catch (IOException e) {
            // The stream was closed under us (process ended and was cleaned up, or close()).
            log.trace("[pid {} {}] stopped reading: {}", pid, label, e.toString());
        }
    }

    private void emit(ByteArrayOutputStream bytes, boolean truncated) {
        String text = bytes.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        if (truncated) {
            text = text + " ...[line truncated]";
        }
        text = redactor.redact(text);
        if (tailCapacity > 0) {
            synchronized (tail) {
                if (tail.size() == tailCapacity) {
                    tail.removeFirst();
                }
                tail.addLast(text);
            }
        }
        if (NOTEWORTHY.matcher(text).find()) {
            log.info("[pid {} {}] {}", pid, label, text);
        } else {
            log.debug("[pid {} {}] {}", pid, label, text);
        }
        if (listener != null) {
            try {
                listener.accept(text);
            } catch (RuntimeException e) {
                log.warn("[pid {} {}] line listener failed: {}", pid, label, e.toString());
            }
        }
    }
}
