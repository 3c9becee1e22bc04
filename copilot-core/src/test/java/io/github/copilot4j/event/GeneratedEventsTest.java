package io.github.copilot4j.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.event.data.AssistantUsageData;
import io.github.copilot4j.event.data.SessionEventData;
import io.github.copilot4j.event.data.SessionEventTypes;
import io.github.copilot4j.event.data.UsageInfoData;
import io.github.copilot4j.internal.event.EventParser;
import io.github.copilot4j.internal.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every event type of the schema has its generated record; nothing throws on unknown types, fields or shapes. */
class GeneratedEventsTest {
    static final Set<String> HAND_WRITTEN = Set.of(
            "user.message",
            "assistant.message",
            "assistant.message_delta",
            "assistant.turn_start",
            "assistant.turn_end",
            "session.idle",
            "session.error",
            "session.start",
            "session.resume",
            "tool.execution_start",
            "tool.execution_complete");

    static Set<String> schemaTypes() throws Exception {
        String base = System.getenv("COPILOT4J_CACHE_DIR");
        Path b = base != null && !base.isBlank()
                ? Path.of(base)
                : Path.of(System.getProperty("user.home"), ".cache", "copilot4j");
        JsonNode events = Json.MAPPER.readTree(Files.readString(b.resolve("sdk-schemas")
                .resolve(System.getProperty(
                        "copilot4j.schema.version", io.github.copilot4j.rpc.RpcSurface.SCHEMA_VERSION))
                .resolve("session-events.schema.json")));
        Set<String> types = new LinkedHashSet<>();
        for (JsonNode br : events.path("definitions").path("SessionEvent").path("anyOf")) {
            String def = br.get("$ref").asText().replace("#/definitions/", "");
            types.add(events.path("definitions")
                    .path(def)
                    .path("properties")
                    .path("type")
                    .path("const")
                    .asText());
        }
        return types;
    }

    @Test
    void everySchemaEventTypeIsTyped() throws Exception {
        Set<String> types = schemaTypes();
        assertEquals(types, SessionEventTypes.TYPES.keySet());
        assertEquals(
                List.of(String.valueOf(SessionEventTypes.TYPES.size()), String.valueOf(types.size())),
                io.github.copilot4j.rpc.ReadmeSurfaceTable.row("session event types")
                        .subList(0, 2),
                "the figures of the README's Runtime surface table");
        assertTrue(types.containsAll(HAND_WRITTEN));
        for (String t : types) {
            EventPayload p = EventParser.payload(t, Json.object());
            if (HAND_WRITTEN.contains(t)) {
                assertTrue(
                        !(p instanceof SessionEventData) && !(p instanceof GenericEvent),
                        t + " keeps its hand-written record");
            } else {
                assertInstanceOf(SessionEventTypes.TYPES.get(t), p, t);
            }
        }
    }

    @Test
    void typedFieldsOfUsageEvents() {
        EventPayload p = EventParser.payload(
                "assistant.usage",
                Json.read("{\"model\":\"gpt-5\",\"inputTokens\":12,\"outputTokens\":3,\"somethingNew\":[1,2]}"));
        AssistantUsageData u = assertInstanceOf(AssistantUsageData.class, p);
        assertEquals("gpt-5", u.model());
        assertEquals(12.0, u.inputTokens().doubleValue());
        UsageInfoData info = assertInstanceOf(
                UsageInfoData.class,
                EventParser.payload("session.usage_info", Json.read("{\"tokenLimit\":1000,\"currentTokens\":10}")));
        assertEquals(1000.0, info.tokenLimit().doubleValue());
    }

    @Test
    void unknownTypesAndUnexpectedShapesStayGeneric() {
        assertInstanceOf(GenericEvent.class, EventParser.payload("brand.new_event", Json.read("{\"a\":1}")));
        // a field of the wrong shape: kept, untyped
        assertInstanceOf(
                GenericEvent.class, EventParser.payload("assistant.usage", Json.read("{\"model\":{\"nested\":true}}")));
        SessionEvent e = EventParser.parse(
                "s",
                Json.read("{\"id\":\"1\",\"type\":\"assistant.message\",\"data\":"
                        + "{\"messageId\":\"m\",\"content\":\"hi\",\"outputTokens\":7}}"));
        assertInstanceOf(AssistantMessage.class, e.payload());
        assertInstanceOf(
                io.github.copilot4j.event.data.AssistantMessageData.class,
                e.typedData().orElseThrow(),
                "the generated record of a hand-written type, with all its fields");
    }
}
