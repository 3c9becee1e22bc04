package io.github.copilot4j.event;

/** {@code session.start}: the runtime created the session. */
public record SessionStart(String sessionId, String selectedModel, String copilotVersion) implements EventPayload {}
