package io.github.copilot4j.event;

/** {@code assistant.message_delta} (ephemeral, with {@code streaming}): a piece of a reply; concatenate by {@code messageId}. */
public record AssistantMessageDelta(String messageId, String deltaContent) implements EventPayload {}
