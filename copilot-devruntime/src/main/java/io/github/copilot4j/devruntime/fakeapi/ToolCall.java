package io.github.copilot4j.devruntime.fakeapi;

import java.util.Objects;

/**
 * A function call requested by the (fake) model: the OpenAI chat-completions shape
 * {@code {"id":..., "type":"function", "function":{"name":..., "arguments":"<json text>"}}}.
 *
 * @param id the tool call id; null in a {@link Reply} means "let the fake generate one"
 * @param name the function (tool) name
 * @param argumentsJson the arguments as JSON text, as the OpenAI API carries them
 */
public record ToolCall(String id, String name, String argumentsJson) {

    /** Checks the name; null arguments become {@code {}}. */
    public ToolCall {
        Objects.requireNonNull(name, "name");
        argumentsJson = argumentsJson == null ? "{}" : argumentsJson;
    }

    /** A call whose id the fake generates when it sends it. */
    public static ToolCall of(String name, String argumentsJson) {
        return new ToolCall(null, name, argumentsJson);
    }

    ToolCall withId(String newId) {
        return new ToolCall(newId, name, argumentsJson);
    }
}
