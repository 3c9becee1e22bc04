package io.github.copilot4j.event;

import java.util.List;

/**
 * {@code assistant.message}: one complete model reply (several per turn when tools are used).
 *
 * @param messageId the reply's id (deltas carry the same id)
 * @param content the text
 * @param originatingMessageId the {@code messageId} of the prompt it answers, if the runtime says
 * @param model the model that produced it, if known
 * @param turnId the turn, if known
 * @param toolRequests tools the model asked to call in this reply
 */
public record AssistantMessage(
        String messageId,
        String content,
        String originatingMessageId,
        String model,
        String turnId,
        List<ToolRequest> toolRequests)
        implements EventPayload {
    /** Null content becomes empty and null tool requests an empty list. */
    public AssistantMessage {
        toolRequests = toolRequests == null ? List.of() : List.copyOf(toolRequests);
        content = content == null ? "" : content;
    }

    /** A tool call the model requested. {@code arguments} is JSON text (may be null). */
    public record ToolRequest(String toolCallId, String name, String arguments) {}
}
