package io.github.copilot4j.event;

/** {@code tool.execution_start}. {@code arguments} is JSON text (may be null). */
public record ToolExecutionStart(String toolCallId, String toolName, String arguments) implements EventPayload {}
