package io.github.copilot4j.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * An event to append to a session's history.
 *
 * @param eventId the runtime's event id (unique per session; appends are idempotent on it)
 * @param type event type, e.g. {@code assistant.message}
 * @param timestamp when the runtime produced it (truncated to millis)
 * @param parentId id of the previous event in the chain, or null
 * @param agentId sub-agent id, or null for the main agent
 * @param dataJson the event's {@code data} as a JSON object text
 */
public record NewEvent(
        String eventId, String type, Instant timestamp, String parentId, String agentId, String dataJson) {
    /** Checks the required components. */
    public NewEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
        timestamp = timestamp.truncatedTo(ChronoUnit.MILLIS);
        dataJson = dataJson == null ? "{}" : dataJson;
    }
}
