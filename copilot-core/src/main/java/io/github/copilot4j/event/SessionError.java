package io.github.copilot4j.event;

/**
 * {@code session.error}: the turn failed.
 *
 * @param errorType e.g. {@code authentication}, {@code quota}, {@code rate_limit}, {@code query}
 * @param message what went wrong
 * @param statusCode HTTP status of the model call, if any
 */
public record SessionError(String errorType, String message, Integer statusCode) implements EventPayload {}
