package io.github.copilot4j;

import java.time.Instant;

/** The runtime's answer to {@code ping}. */
public record PingResponse(String message, Instant timestamp, int protocolVersion) {}
