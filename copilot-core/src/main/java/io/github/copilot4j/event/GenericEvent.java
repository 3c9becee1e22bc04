package io.github.copilot4j.event;

import com.fasterxml.jackson.databind.JsonNode;

/** Any event type without a dedicated record; {@code data} is kept as it came. */
public record GenericEvent(String type, JsonNode data) implements EventPayload {}
