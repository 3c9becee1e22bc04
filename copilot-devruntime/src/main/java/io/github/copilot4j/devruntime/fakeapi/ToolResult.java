package io.github.copilot4j.devruntime.fakeapi;

/**
 * A tool result that came back to the model in a follow-up request (a {@code tool} message).
 *
 * @param toolCallId the id of the call it answers
 * @param toolName the name of the called tool (from the fake's own scripted call)
 * @param content the result text as the CLI sent it to the model
 */
public record ToolResult(String toolCallId, String toolName, String content) {}
