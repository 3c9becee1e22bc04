package io.github.copilot4j.event;

/** {@code assistant.turn_end}. */
public record AssistantTurnEnd(String turnId) implements EventPayload {}
