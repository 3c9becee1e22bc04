package io.github.copilot4j.examples;

import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.AssistantMessageDelta;
import java.io.PrintStream;

/**
 * Prints a session's streamed reply line by line, each line prefixed with the session's label, so
 * that several sessions streaming at once stay readable. Listeners of one session run one at a
 * time, so the buffer needs no lock of its own; printing locks the shared stream.
 */
final class StreamPrinter {
    private final PrintStream out;
    private final String prefix;
    private final StringBuilder line = new StringBuilder();

    private StreamPrinter(PrintStream out, String label) {
        this.out = out;
        this.prefix = String.format("  %-10s | ", label);
    }

    /** Streams {@code session}'s replies to {@code out} under {@code label}. */
    static void attach(CopilotSession session, String label, PrintStream out) {
        StreamPrinter p = new StreamPrinter(out, label);
        session.on(AssistantMessageDelta.class, d -> p.append(d.deltaContent()));
        session.on(AssistantMessage.class, m -> p.flush());
    }

    private void append(String delta) {
        for (int i = 0; i < delta.length(); i++) {
            char c = delta.charAt(i);
            if (c == '\n') {
                emit();
            } else {
                line.append(c);
            }
        }
    }

    private void flush() {
        if (line.length() > 0) {
            emit();
        }
    }

    private void emit() {
        synchronized (out) {
            out.println(prefix + line);
        }
        line.setLength(0);
    }
}
