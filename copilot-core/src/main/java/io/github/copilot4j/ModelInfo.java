package io.github.copilot4j;

import com.fasterxml.jackson.databind.JsonNode;

/** A model the runtime offers ({@code models.list}); {@code raw} keeps every field it sent. */
public record ModelInfo(String id, String name, JsonNode raw) {}
