package io.github.copilot4j.event;

/** {@code session.idle} (ephemeral): nothing is in flight any more; {@code aborted} if the turn was aborted. */
public record SessionIdle(boolean aborted) implements EventPayload {}
