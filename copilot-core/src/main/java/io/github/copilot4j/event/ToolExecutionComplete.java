package io.github.copilot4j.event;

/**
 * {@code tool.execution_complete}.
 *
 * @param result the result text given to the model, if any
 * @param errorMessage the error, when {@code success} is false
 */
public record ToolExecutionComplete(String toolCallId, boolean success, String result, String errorMessage)
        implements EventPayload {}
