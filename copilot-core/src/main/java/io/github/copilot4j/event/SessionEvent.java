package io.github.copilot4j.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One event of a session, as the runtime sent it: the envelope plus the raw {@code data} and its
 * typed form.
 *
 * @param sessionId the session it belongs to
 * @param id the event's id (unique within the session)
 * @param timestamp when the runtime produced it
 * @param parentId id of the previous event in the session's chain, or null
 * @param ephemeral true for streamed-only events (deltas, idle) that are never persisted or replayed
 * @param agentId set for events of a sub-agent, null for the main agent
 * @param type the type, e.g. {@code assistant.message}
 * @param data the raw {@code data} object (never null; an empty object when absent)
 * @param payload the typed form of {@code data}
 */
public record SessionEvent(
        String sessionId,
        String id,
        Instant timestamp,
        String parentId,
        boolean ephemeral,
        String agentId,
        String type,
        JsonNode data,
        EventPayload payload) {

    /**
     * The {@code data} as the generated record of its type (every type of the runtime's schema,
     * including those {@link #payload()} gives a hand-written record for, with all their fields), or
     * empty for a type or shape the schema does not know.
     */
    public Optional<io.github.copilot4j.event.data.SessionEventData> typedData() {
        if (payload instanceof io.github.copilot4j.event.data.SessionEventData d) {
            return Optional.of(d);
        }
        return Optional.ofNullable(io.github.copilot4j.internal.event.EventParser.typedData(type, data));
    }

    /** The payload as {@code type}, if it is one. */
    public <T extends EventPayload> Optional<T> as(Class<T> type) {
        return type.isInstance(payload) ? Optional.of(type.cast(payload)) : Optional.empty();
    }
}
