package io.github.copilot4j.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * An event as a store keeps it: the appended fields plus the session id and its store-allocated
 * {@code seq} (1, 2, 3, ... per session).
 */
public record StoredEvent(
        String sessionId,
        long seq,
        String eventId,
        String type,
        Instant timestamp,
        String parentId,
        String agentId,
        String dataJson) {
    /** Checks the required components. */
    public StoredEvent {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
        timestamp = timestamp.truncatedTo(ChronoUnit.MILLIS);
        dataJson = dataJson == null ? "{}" : dataJson;
    }

    /** Builds the stored form of {@code e}. */
    public static StoredEvent of(String sessionId, long seq, NewEvent e) {
        return new StoredEvent(
                sessionId, seq, e.eventId(), e.type(), e.timestamp(), e.parentId(), e.agentId(), e.dataJson());
    }
}
