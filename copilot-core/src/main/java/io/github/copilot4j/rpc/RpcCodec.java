package io.github.copilot4j.rpc;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.ProtocolException;
import io.github.copilot4j.internal.json.Json;

/** Params and results of the generated RPC classes, to and from JSON. Stateless and thread-safe. */
final class RpcCodec {
    private RpcCodec() {}

    /** A params record as the wire object ({@code {}} for none). */
    static ObjectNode params(Object params) {
        if (params == null) {
            return Json.object();
        }
        JsonNode n = Json.MAPPER.valueToTree(params);
        if (!n.isObject()) {
            throw new IllegalArgumentException("params must serialize to a JSON object, got " + n.getNodeType());
        }
        return (ObjectNode) n;
    }

    /** A params record of a session method, with the session id filled in. */
    static ObjectNode params(Object params, String sessionId) {
        ObjectNode o = params(params);
        o.put("sessionId", sessionId);
        return o;
    }

    /** Raw params: a copy of the object (or {@code {}}), refused if it is not an object. */
    static ObjectNode raw(JsonNode params) {
        if (params == null || params.isNull() || params.isMissingNode()) {
            return Json.object();
        }
        if (!params.isObject()) {
            throw new IllegalArgumentException("params must be a JSON object (or null), got " + params.getNodeType());
        }
        return ((ObjectNode) params).deepCopy();
    }

    /** Raw params of a session method, with the session id filled in. */
    static ObjectNode raw(JsonNode params, String sessionId) {
        ObjectNode o = raw(params);
        o.put("sessionId", sessionId);
        return o;
    }

    static <T> T read(JsonNode result, Class<T> type, String method) {
        try {
            return Json.MAPPER.treeToValue(result == null ? Json.MAPPER.nullNode() : result, type);
        } catch (Exception e) {
            throw mismatch(method, type.getSimpleName(), e);
        }
    }

    static <T> T read(JsonNode result, TypeReference<T> type, String method) {
        try {
            return Json.MAPPER.treeToValue(
                    result == null ? Json.MAPPER.nullNode() : result, Json.MAPPER.constructType(type));
        } catch (Exception e) {
            throw mismatch(method, type.getType().getTypeName(), e);
        }
    }

    private static ProtocolException mismatch(String method, String type, Exception e) {
        return new ProtocolException(
                "The runtime's answer to " + method + " does not fit " + type + " (" + e.getMessage()
                        + "); the runtime is probably newer than the schema copilot4j was generated from: call rpc().call(\""
                        + method
                        + "\", params) for the raw JSON",
                e);
    }
}
