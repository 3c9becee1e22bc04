package io.github.copilot4j.devruntime.fakeapi;

import java.util.List;
import java.util.Objects;

/**
 * One message of a model request, simplified for assertions.
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param text the message text (content parts joined with a newline) with the blocks the CLI
 *     injects ({@code <current_datetime>...</current_datetime>}, {@code <reminder>...</reminder>},
 *     ...) removed and trimmed; empty when the message had no text or only injected blocks
 * @param toolCallId for a {@code tool} message, the id of the call it answers; else null
 * @param toolCalls for an {@code assistant} message, the tool calls it made; else empty
 */
public record ChatMessage(String role, String text, String toolCallId, List<ToolCall> toolCalls) {

    /** Null text becomes empty and null tool calls an empty list. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        text = text == null ? "" : text;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** A plain message without tool data, e.g. for {@code assertEquals} against {@link ChatRequest#dialog()}. */
    public static ChatMessage of(String role, String text) {
        return new ChatMessage(role, text, null, List.of());
    }

    /** True for a {@code user} message. */
    public boolean isUser() {
        return "user".equals(role);
    }

    /** True for an {@code assistant} message. */
    public boolean isAssistant() {
        return "assistant".equals(role);
    }

    /** True for a {@code tool} result message. */
    public boolean isTool() {
        return "tool".equals(role);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(role).append(": ");
        sb.append(text.length() > 120 ? text.substring(0, 120) + "..." : text);
        if (toolCallId != null) {
            sb.append(" [for ").append(toolCallId).append(']');
        }
        if (!toolCalls.isEmpty()) {
            sb.append(" ").append(toolCalls);
        }
        return sb.toString();
    }
}
