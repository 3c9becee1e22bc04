package io.github.copilot4j.devruntime.fakeapi.internal;

import static io.github.copilot4j.devruntime.fakeapi.internal.Json.obj;

import java.util.List;
import java.util.Map;

/** Catalog entries in the shape of the Copilot API's {@code /models}, enough for the CLI. Internal. */
public final class ModelCatalog {

    private ModelCatalog() {}

    /** The {@code /models} answer; the first id is the chat default. */
    public static Map<String, Object> list(List<String> ids) {
        return obj(
                "object",
                "list",
                "data",
                ids.stream().map(id -> entry(id, id.equals(ids.get(0)))).toList());
    }

    public static Map<String, Object> entry(String id, boolean chatDefault) {
        boolean anthropic = id.startsWith("claude");
        return obj(
                "id",
                id,
                "name",
                id,
                "object",
                "model",
                "vendor",
                anthropic ? "Anthropic" : "OpenAI",
                "version",
                id,
                "preview",
                false,
                "model_picker_enabled",
                true,
                "model_picker_category",
                "versatile",
                "is_chat_default",
                chatDefault,
                "is_chat_fallback",
                chatDefault,
                "policy",
                obj("state", "enabled", "terms", ""),
                "billing",
                obj("is_premium", false, "multiplier", 0),
                "supported_endpoints",
                List.of("/chat/completions"),
                "capabilities",
                obj(
                        "type",
                        "chat",
                        "family",
                        id,
                        "object",
                        "model_capabilities",
                        "tokenizer",
                        "o200k_base",
                        "supports",
                        obj(
                                "streaming",
                                true,
                                "tool_calls",
                                true,
                                "parallel_tool_calls",
                                true,
                                "vision",
                                false,
                                "structured_outputs",
                                true),
                        "limits",
                        obj(
                                "max_context_window_tokens",
                                128000,
                                "max_prompt_tokens",
                                128000,
                                "max_output_tokens",
                                16384)));
    }
}
