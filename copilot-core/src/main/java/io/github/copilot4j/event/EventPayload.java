package io.github.copilot4j.event;

/**
 * The typed {@code data} of a session event. Eleven common types have hand-written records in this
 * package ({@link AssistantMessage}, {@link SessionIdle}, ...); every other type of the runtime's
 * schema arrives as its generated record ({@link io.github.copilot4j.event.data.SessionEventData},
 * e.g. {@code AssistantUsageData}); a type newer than the schema, or data of an unexpected shape,
 * arrives as {@link GenericEvent}. Unknown types and unknown fields never fail.
 */
public interface EventPayload {}
