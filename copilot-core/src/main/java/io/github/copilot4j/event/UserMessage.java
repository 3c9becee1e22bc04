package io.github.copilot4j.event;

/** {@code user.message}: a prompt entered the conversation. {@code messageId} is what {@code send} returned. */
public record UserMessage(String content, String messageId, String turnId) implements EventPayload {}
