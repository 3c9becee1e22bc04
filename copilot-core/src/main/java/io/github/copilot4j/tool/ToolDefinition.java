package io.github.copilot4j.tool;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.internal.json.Json;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tool the client offers to the model: its name, description and JSON Schema for the arguments go
 * to the runtime; the handler stays here and runs when the model calls it.
 *
 * @param name tool name: letters, digits, {@code _} and {@code -}, at most 64 characters
 * @param description what it does, for the model
 * @param parameters JSON Schema of the arguments object
 * @param skipPermission ask the runtime not to request a permission decision for calls of it
 * @param handler runs the call
 */
public record ToolDefinition(
        String name, String description, JsonNode parameters, boolean skipPermission, ToolHandler handler) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** Checks the name (1-64 letters, digits, {@code _} or {@code -}) and the other components. */
    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "tool name must be 1-64 letters, digits, '_' or '-', was '" + name + "'");
        }
        Objects.requireNonNull(handler, "handler");
        description = description == null ? "" : description;
        if (parameters == null) {
            parameters = Json.read("{\"type\":\"object\",\"properties\":{}}");
        } else if (!parameters.isObject()) {
            throw new IllegalArgumentException("tool parameters must be a JSON Schema object");
        }
    }

    /** A tool whose arguments are described by a JSON Schema given as text. */
    public static ToolDefinition of(String name, String description, String parametersJsonSchema, ToolHandler handler) {
        JsonNode schema;
        try {
            schema = Json.read(parametersJsonSchema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameters of tool '" + name + "' are " + e.getMessage(), e);
        }
        return new ToolDefinition(name, description, schema, true, handler);
    }
}
