package io.github.copilot4j.internal.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.AssistantMessageDelta;
import io.github.copilot4j.event.AssistantTurnEnd;
import io.github.copilot4j.event.AssistantTurnStart;
import io.github.copilot4j.event.EventPayload;
import io.github.copilot4j.event.GenericEvent;
import io.github.copilot4j.event.SessionError;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.SessionIdle;
import io.github.copilot4j.event.SessionResume;
import io.github.copilot4j.event.SessionStart;
import io.github.copilot4j.event.ToolExecutionComplete;
import io.github.copilot4j.event.ToolExecutionStart;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.event.data.SessionEventData;
import io.github.copilot4j.event.data.SessionEventTypes;
import io.github.copilot4j.internal.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns the runtime's event JSON into {@link SessionEvent}s. Stateless and thread-safe; never throws on unknown input. */
public final class EventParser {
    private EventParser() {}

    /** Parses an event envelope; returns null if it is not an object with a type. */
    public static SessionEvent parse(String sessionId, JsonNode ev) {
        if (ev == null || !ev.isObject()) {
            return null;
        }
        String type = Json.text(ev, "type");
        if (type == null) {
            return null;
        }
        JsonNode data = ev.get("data");
        if (data == null || !data.isObject()) {
            data = Json.object();
        }
        Instant ts = Json.instant(ev, "timestamp");
        String id = Json.text(ev, "id");
        return new SessionEvent(
                sessionId,
                id == null ? "" : id,
                ts == null ? Instant.now() : ts,
                Json.text(ev, "parentId"),
                ev.path("ephemeral").asBoolean(false),
                Json.text(ev, "agentId"),
                type,
                data,
                payload(type, data));
    }

    public static EventPayload payload(String type, JsonNode d) {
        try {
            switch (type) {
                case "user.message":
                    return new UserMessage(Json.text(d, "content"), Json.text(d, "messageId"), Json.text(d, "turnId"));
                case "assistant.message":
                    return new AssistantMessage(
                            Json.text(d, "messageId"),
                            Json.text(d, "content"),
                            Json.text(d, "originatingMessageId"),
                            Json.text(d, "model"),
                            Json.text(d, "turnId"),
                            toolRequests(d.get("toolRequests")));
                case "assistant.message_delta":
                    return new AssistantMessageDelta(Json.text(d, "messageId"), nz(Json.text(d, "deltaContent")));
                case "assistant.turn_start":
                    return new AssistantTurnStart(Json.text(d, "turnId"), Json.text(d, "model"));
                case "assistant.turn_end":
                    return new AssistantTurnEnd(Json.text(d, "turnId"));
                case "session.idle":
                    return new SessionIdle(d.path("aborted").asBoolean(false));
                case "session.error":
                    JsonNode sc = d.get("statusCode");
                    return new SessionError(
                            Json.text(d, "errorType"),
                            nz(Json.text(d, "message")),
                            sc != null && sc.canConvertToInt() ? sc.asInt() : null);
                case "session.start":
                    return new SessionStart(
                            Json.text(d, "sessionId"), Json.text(d, "selectedModel"), Json.text(d, "copilotVersion"));
                case "session.resume":
                    return new SessionResume(d.path("eventCount").asLong(0), Json.text(d, "selectedModel"));
                case "tool.execution_start":
                    return new ToolExecutionStart(
                            Json.text(d, "toolCallId"), Json.text(d, "toolName"), jsonText(d.get("arguments")));
                case "tool.execution_complete":
                    JsonNode result = d.get("result");
                    String resultText = result == null || result.isNull()
                            ? null
                            : result.isTextual() ? result.asText() : Json.text(result, "content");
                    JsonNode err = d.get("error");
                    String errText = err == null || err.isNull()
                            ? null
                            : err.isTextual() ? err.asText() : Json.text(err, "message");
                    return new ToolExecutionComplete(
                            Json.text(d, "toolCallId"), d.path("success").asBoolean(false), resultText, errText);
                default:
                    return generated(type, d);
            }
        } catch (RuntimeException e) {
            // A field of an unexpected shape: keep the event, untyped.
            return new GenericEvent(type, d);
        }
    }

    /** The generated record of {@code type}'s data, or {@link GenericEvent} for a type or shape it does not know. */
    private static EventPayload generated(String type, JsonNode d) {
        SessionEventData typed = typedData(type, d);
        return typed != null ? typed : new GenericEvent(type, d);
    }

    /** The generated record of any known type's data (the 11 hand-written types too), or null. Never throws. */
    public static SessionEventData typedData(String type, JsonNode d) {
        Class<? extends SessionEventData> c = type == null ? null : SessionEventTypes.TYPES.get(type);
        if (c == null || d == null) {
            return null;
        }
        try {
            return Json.MAPPER.treeToValue(d, c);
        } catch (JsonProcessingException | RuntimeException e) {
            return null; // a field of an unexpected shape: the caller keeps the event untyped
        }
    }

    private static List<AssistantMessage.ToolRequest> toolRequests(JsonNode arr) {
        if (arr == null || !arr.isArray()) {
            return List.of();
        }
        List<AssistantMessage.ToolRequest> out = new ArrayList<>();
        for (JsonNode t : arr) {
            out.add(new AssistantMessage.ToolRequest(
                    Json.text(t, "toolCallId"), Json.text(t, "name"), jsonText(t.get("arguments"))));
        }
        return out;
    }

    private static String jsonText(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isTextual() ? n.asText() : n.toString();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** Rebuilds the runtime's envelope JSON for an event (used when reading history back from a store). */
    public static ObjectNode envelope(SessionEvent e) {
        ObjectNode o = Json.object();
        o.put("id", e.id());
        o.put("timestamp", e.timestamp().toString());
        o.put("parentId", e.parentId());
        if (e.ephemeral()) {
            o.put("ephemeral", true);
        }
        if (e.agentId() != null) {
            o.put("agentId", e.agentId());
        }
        o.put("type", e.type());
        o.set("data", e.data());
        return o;
    }
}
