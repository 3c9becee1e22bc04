package io.github.copilot4j.devruntime.fakeapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.devruntime.fakeapi.ChatMessage;
import io.github.copilot4j.devruntime.fakeapi.ChatRequest;
import io.github.copilot4j.devruntime.fakeapi.RecordedRequest;
import io.github.copilot4j.devruntime.fakeapi.ToolCall;
import java.util.ArrayList;
import java.util.List;

/** Parses recorded model requests (chat completions and responses APIs) into {@link ChatRequest}. Internal. */
public final class ChatRequests {

    private ChatRequests() {}

    /** True for {@code POST /chat/completions} (also under {@code /v1}). */
    public static boolean isChatCompletions(RecordedRequest r) {
        return !r.blockedByProxySink()
                && "POST".equals(r.method())
                && ("/chat/completions".equals(r.path()) || "/v1/chat/completions".equals(r.path()));
    }

    /** True for {@code POST /responses} (also under {@code /v1}). */
    public static boolean isResponses(RecordedRequest r) {
        return !r.blockedByProxySink()
                && "POST".equals(r.method())
                && ("/responses".equals(r.path()) || "/v1/responses".equals(r.path()));
    }

    public static ChatRequest parse(RecordedRequest r) {
        JsonNode body = r.body();
        List<ChatMessage> messages = isResponses(r) ? responsesMessages(body) : chatMessages(body.path("messages"));
        List<String> tools = new ArrayList<>();
        for (JsonNode t : body.path("tools")) {
            String name = t.path("function").path("name").asText(t.path("name").asText(""));
            if (!name.isEmpty()) {
                tools.add(name);
            }
        }
        String model = body.path("model").isTextual() ? body.path("model").asText() : null;
        return new ChatRequest(r, model, body.path("stream").asBoolean(false), messages, tools);
    }

    private static List<ChatMessage> chatMessages(JsonNode array) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : array) {
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode c : m.path("tool_calls")) {
                JsonNode f = c.path("function");
                calls.add(new ToolCall(
                        c.path("id").asText(null),
                        f.path("name").asText(""),
                        f.path("arguments").isTextual()
                                ? f.path("arguments").asText()
                                : f.path("arguments").toString()));
            }
            String toolCallId =
                    m.path("tool_call_id").isTextual() ? m.path("tool_call_id").asText() : null;
            out.add(new ChatMessage(
                    m.path("role").asText("unknown"),
                    InjectedText.strip(InjectedText.textOf(m.path("content"))),
                    toolCallId,
                    calls));
        }
        return out;
    }

    private static List<ChatMessage> responsesMessages(JsonNode body) {
        List<ChatMessage> out = new ArrayList<>();
        if (body.path("instructions").isTextual()) {
            out.add(ChatMessage.of(
                    "system", InjectedText.strip(body.path("instructions").asText())));
        }
        JsonNode input = body.path("input");
        if (input.isTextual()) {
            out.add(ChatMessage.of("user", InjectedText.strip(input.asText())));
            return out;
        }
        for (JsonNode item : input) {
            String type = item.path("type").asText("message");
            switch (type) {
                case "message" ->
                    out.add(ChatMessage.of(
                            item.path("role").asText("unknown"),
                            InjectedText.strip(InjectedText.textOf(item.path("content")))));
                case "function_call" ->
                    out.add(new ChatMessage(
                            "assistant",
                            "",
                            null,
                            List.of(new ToolCall(
                                    item.path("call_id").asText(null),
                                    item.path("name").asText(""),
                                    item.path("arguments").asText("{}")))));
                case "function_call_output" ->
                    out.add(new ChatMessage(
                            "tool",
                            InjectedText.strip(InjectedText.textOf(item.path("output"))),
                            item.path("call_id").asText(null),
                            List.of()));
                default -> {}
            }
        }
        return out;
    }
}
