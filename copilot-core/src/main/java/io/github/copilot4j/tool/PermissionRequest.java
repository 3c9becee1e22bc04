package io.github.copilot4j.tool;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A permission request from the runtime.
 *
 * @param kind e.g. {@code shell}, {@code write}, {@code read}, {@code custom-tool}, {@code url}
 * @param details the raw {@code permissionRequest} object
 */
public record PermissionRequest(String sessionId, String requestId, String kind, JsonNode details) {}
