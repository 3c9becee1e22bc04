package io.github.copilot4j.tool;

import com.fasterxml.jackson.databind.JsonNode;

/** One call of a client-side tool by the model. {@code arguments} is the parsed JSON (an empty object when none). */
public record ToolInvocation(String sessionId, String toolCallId, String toolName, JsonNode arguments) {}
