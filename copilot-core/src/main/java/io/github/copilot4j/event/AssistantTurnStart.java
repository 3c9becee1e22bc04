package io.github.copilot4j.event;

/** {@code assistant.turn_start}. */
public record AssistantTurnStart(String turnId, String model) implements EventPayload {}
