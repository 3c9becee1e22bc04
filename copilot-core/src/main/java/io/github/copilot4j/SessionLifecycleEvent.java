package io.github.copilot4j;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A {@code session.lifecycle} notification: the runtime created, updated or deleted a session (of
 * this connection or, for a shared server, of another client).
 *
 * @param type e.g. {@code session.created}, {@code session.updated}, {@code session.deleted}
 * @param sessionId the session
 * @param metadata what the runtime said about it (e.g. {@code startTime}, {@code modifiedTime}); an
 *     empty object when absent
 */
public record SessionLifecycleEvent(String type, String sessionId, JsonNode metadata) {}
