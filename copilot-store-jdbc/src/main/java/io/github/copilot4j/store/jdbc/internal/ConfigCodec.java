package io.github.copilot4j.store.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.copilot4j.spi.SessionStoreException;
import java.util.Map;
import java.util.TreeMap;

/** A session's config map as JSON object text, keys sorted so equal maps give equal text. */
public final class ConfigCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {};

    private ConfigCodec() {}

    public static String toJson(Map<String, String> config) {
        try {
            return MAPPER.writeValueAsString(new TreeMap<>(config));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "session config cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static Map<String, String> fromJson(String sessionId, String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            Map<String, String> m = MAPPER.readValue(json, MAP);
            return m == null ? Map.of() : m;
        } catch (JsonProcessingException e) {
            throw new SessionStoreException(
                    "The stored config of session '" + sessionId + "' is not a JSON object of strings ("
                            + e.getOriginalMessage() + "); fix or clear the row's config column",
                    e);
        }
    }
}
