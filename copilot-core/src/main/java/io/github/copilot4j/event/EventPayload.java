package io.github.copilot4j.event;

/**
 * The typed {@code data} of a session event. The common types have their own records; every other
 * type arrives as {@link GenericEvent}. Unknown types and unknown fields never fail.
 */
public interface EventPayload {}
