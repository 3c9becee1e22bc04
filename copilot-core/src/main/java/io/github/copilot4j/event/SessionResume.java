package io.github.copilot4j.event;

/** {@code session.resume}: the runtime loaded an existing session ({@code eventCount} events of history). */
public record SessionResume(long eventCount, String selectedModel) implements EventPayload {}
