package io.github.copilot4j.testing.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the {@link FakeRuntime} does for one prompt. Build with the static factories and {@code
 * with...} methods.
 *
 * @param text the assistant's reply (with streaming, split into {@code chunks} deltas)
 * @param chunks how many deltas to stream (at least 1)
 * @param delay wait this long before answering (on the runtime's turn thread)
 * @param error if non-null, the turn ends with a {@code session.error} of this message instead
 * @param toolCall if non-null, the model first calls this tool and waits for the client's result;
 *     the final text is then {@code text} with {@code {result}} replaced by the tool's result
 */
public record Reply(String text, int chunks, Duration delay, String error, ToolCall toolCall) {
    /** Checks the components; a null delay becomes zero. */
    public Reply {
        Objects.requireNonNull(text, "text");
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be >= 1");
        }
        delay = delay == null ? Duration.ZERO : delay;
    }

    /** A tool call the fake model makes. {@code argumentsJson} is a JSON object text. */
    public record ToolCall(String toolName, String argumentsJson) {}

    /** Replies with this text. */
    public static Reply text(String text) {
        return new Reply(text, 3, Duration.ZERO, null, null);
    }

    /** Ends the turn with a {@code session.error} of this message. */
    public static Reply error(String message) {
        return new Reply("", 1, Duration.ZERO, message, null);
    }

    /** Calls the tool, then answers {@code textTemplate} with {@code {result}} replaced by the tool's result. */
    public static Reply callTool(String toolName, String argumentsJson, String textTemplate) {
        return new Reply(textTemplate, 1, Duration.ZERO, null, new ToolCall(toolName, argumentsJson));
    }

    /** The same reply, sent after this delay. */
    public Reply withDelay(Duration d) {
        return new Reply(text, chunks, d, error, toolCall);
    }

    /** The same reply, streamed as {@code n} deltas. */
    public Reply withChunks(int n) {
        return new Reply(text, n, delay, error, toolCall);
    }

    /** The deltas this reply streams. */
    List<String> deltas() {
        if (chunks == 1 || text.length() < chunks) {
            return List.of(text);
        }
        int size = (text.length() + chunks - 1) / chunks;
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < text.length(); i += size) {
            out.add(text.substring(i, Math.min(text.length(), i + size)));
        }
        return out;
    }
}
