package io.github.copilot4j.testing.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.testing.fakeapi.ChatMessage;
import io.github.copilot4j.testing.fakeapi.ChatRequest;
import io.github.copilot4j.testing.fakeapi.FakeCopilotApi;
import io.github.copilot4j.testing.fakeapi.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Drives the REAL Copilot CLI (pinned version, installed with npm into the shared cache when missing)
 * over stdio against {@link FakeCopilotApi}, fully offline. One CLI process for the class.
 * Frames of each run are written to {@code target/realcli-frames/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RealCliSmokeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private FakeCopilotApi fake;
    private IsolatedCliEnvironment env;
    private CliRpc rpc;

    @BeforeAll
    void startCli() throws Exception {
        Path cli = CopilotCliInstaller.ensureInstalled();
        fake = FakeCopilotApi.start();
        env = IsolatedCliEnvironment.create(fake);
        rpc = CliRpc.start(cli, env, Path.of("target", "realcli-frames", "RealCliSmokeTest.jsonl"));
        JsonNode connect = rpc.request("connect", Map.of(), Duration.ofSeconds(90));
        assertTrue(connect.path("ok").asBoolean(), connect.toString());
        assertTrue(connect.path("protocolVersion").asInt() >= 3, connect.toString());
    }

    @AfterAll
    void stopCli() {
        try {
            if (rpc != null) {
                rpc.close();
            }
        } finally {
            if (env != null) {
                env.close();
            }
            if (fake != null) {
                fake.close();
            }
        }
    }

    @Test
    void promptIsEchoedByTheFakeModel() throws Exception {
        String sessionId = rpc.request("session.create", Map.of("model", "gpt-5", "streaming", true,
                "requestPermission", false), WAIT).path("sessionId").asText();
        assertFalse(sessionId.isEmpty());

        String prompt = "Hello from the copilot4j smoke test";
        JsonNode sent = rpc.request("session.send", Map.of("sessionId", sessionId, "prompt", prompt), WAIT);
        assertTrue(sent.has("messageId"), sent.toString());

        JsonNode message = rpc.awaitEvent(sessionId, "assistant.message", WAIT);
        rpc.awaitEvent(sessionId, "session.idle", WAIT);
        assertEquals("ECHO: " + prompt, message.path("data").path("content").asText());

        StringBuilder deltas = new StringBuilder();
        for (CliRpc.Frame f : rpc.frames()) {
            if (CliRpc.isEvent(f, sessionId, "assistant.message_delta")) {
                deltas.append(f.message().path("params").path("event").path("data").path("deltaContent").asText());
            }
        }
        assertEquals("ECHO: " + prompt, deltas.toString(), "streamed deltas concatenate to the message");

        List<ChatRequest> requests = fake.chatRequests(sessionId);
        assertEquals(1, requests.size(), "one model request for one prompt: " + requests);
        ChatRequest request = requests.get(0);
        assertEquals("gpt-5", request.model());
        assertTrue(request.stream());
        assertEquals(List.of(ChatMessage.of("user", prompt)), request.dialog());
        assertTrue(fake.blockedRequests().isEmpty(), "nothing tried to leave loopback: " + fake.blockedRequests());

        // a follow-up carries the session's earlier messages, with the CLI's injected blocks stripped
        int before = rpc.frames().size();
        rpc.request("session.send", Map.of("sessionId", sessionId, "prompt", "And a follow-up"), WAIT);
        rpc.awaitEvent(before, sessionId, "session.idle", WAIT);
        List<ChatRequest> both = fake.chatRequests(sessionId);
        assertEquals(2, both.size(), both.toString());
        assertEquals(List.of(ChatMessage.of("user", prompt), ChatMessage.of("assistant", "ECHO: " + prompt),
                ChatMessage.of("user", "And a follow-up")), both.get(1).dialog());
        assertEquals("ECHO: And a follow-up", lastAssistantContent(sessionId));
    }

    private static Map<String, Object> weatherTool(boolean skipPermission) {
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("name", "get_weather");
        tool.put("description", "Current weather for a city");
        tool.put("parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")),
                "required", List.of("city")));
        if (skipPermission) {
            tool.put("skipPermission", true);
        }
        return tool;
    }

    private String createToolSession(boolean requestPermission, boolean skipPermission, String keyword)
            throws Exception {
        fake.when(FakeCopilotApi.promptContains(keyword))
                .reply(Reply.toolCall("get_weather", Map.of("city", "Paris"))
                        .thenReply(results -> Reply.text("Weather tool said: " + results.content())));
        return rpc.request("session.create", Map.of("model", "gpt-5", "streaming", true,
                "requestPermission", requestPermission, "tools", List.of(weatherTool(skipPermission))), WAIT)
                .path("sessionId").asText();
    }

    /** Answers the pending external tool call and checks the result went back to the model. */
    private void answerToolAndExpectResultAtModel(String sessionId) throws Exception {
        JsonNode requested = rpc.awaitEvent(sessionId, "external_tool.requested", WAIT);
        JsonNode data = requested.path("data");
        assertEquals("get_weather", data.path("toolName").asText(), requested.toString());
        assertEquals("Paris", data.path("arguments").path("city").asText(), requested.toString());
        assertFalse(data.path("toolCallId").asText().isEmpty(), requested.toString());
        String requestId = data.path("requestId").asText();
        assertFalse(requestId.isEmpty(), requested.toString());

        JsonNode handled = rpc.request("session.tools.handlePendingToolCall",
                Map.of("sessionId", sessionId, "requestId", requestId, "result", "sunny, 21C"), WAIT);
        assertTrue(handled.path("success").asBoolean(), handled.toString());

        rpc.awaitEvent(sessionId, "session.idle", WAIT);
        assertEquals("Weather tool said: sunny, 21C", lastAssistantContent(sessionId));

        List<ChatRequest> requests = fake.chatRequests(sessionId);
        assertEquals(2, requests.size(), requests.toString());
        assertTrue(requests.get(0).toolNames().contains("get_weather"), requests.get(0).toolNames().toString());
        List<ChatMessage> toolMessages = requests.get(1).toolMessages();
        assertEquals(1, toolMessages.size(), requests.get(1).toString());
        assertEquals(data.path("toolCallId").asText(), toolMessages.get(0).toolCallId());
        assertEquals("sunny, 21C", toolMessages.get(0).text());
        assertTrue(fake.unusedScripts().isEmpty(), fake.unusedScripts().toString());
    }

    private String lastAssistantContent(String sessionId) {
        List<String> contents = rpc.frames().stream().filter(f -> CliRpc.isEvent(f, sessionId, "assistant.message"))
                .map(f -> f.message().path("params").path("event").path("data").path("content").asText()).toList();
        assertFalse(contents.isEmpty(), "no assistant.message");
        return contents.get(contents.size() - 1);
    }

    @Test
    void toolWithSkipPermissionIsCalledAndItsResultReachesTheModel() throws Exception {
        String sessionId = createToolSession(false, true, "weather in Paris (skip)");
        rpc.request("session.send", Map.of("sessionId", sessionId, "prompt", "What is the weather in Paris (skip)?"),
                WAIT);
        answerToolAndExpectResultAtModel(sessionId);
        assertFalse(rpc.eventTypes(sessionId).contains("permission.requested"), rpc.eventTypes(sessionId).toString());
    }

    @Test
    void toolNeedsPermissionWhichTheClientGrants() throws Exception {
        String sessionId = createToolSession(true, false, "weather in Paris (ask)");
        rpc.request("session.send", Map.of("sessionId", sessionId, "prompt", "What is the weather in Paris (ask)?"),
                WAIT);
        JsonNode asked = rpc.awaitEvent(sessionId, "permission.requested", WAIT);
        String requestId = asked.path("data").path("requestId").asText();
        assertFalse(requestId.isEmpty(), asked.toString());
        JsonNode decided = rpc.request("session.permissions.handlePendingPermissionRequest", Map.of("sessionId",
                sessionId, "requestId", requestId, "result", Map.of("kind", "approve-once")), WAIT);
        assertTrue(decided.isObject(), decided.toString());
        answerToolAndExpectResultAtModel(sessionId);
    }

    @Test
    void withoutPermissionHandlingTheCliDeniesTheToolItself() throws Exception {
        String sessionId = createToolSession(false, false, "weather in Paris (deny)");
        rpc.request("session.send", Map.of("sessionId", sessionId, "prompt", "What is the weather in Paris (deny)?"),
                WAIT);
        rpc.awaitEvent(sessionId, "session.idle", WAIT);
        List<String> types = rpc.eventTypes(sessionId);
        assertFalse(types.contains("external_tool.requested"), types.toString());
        assertFalse(types.contains("permission.requested"), types.toString());
        List<ChatRequest> requests = fake.chatRequests(sessionId);
        assertEquals(2, requests.size(), requests.toString());
        String toolResult = requests.get(1).toolMessages().get(0).text();
        assertTrue(toolResult.startsWith("Permission denied"), toolResult);
        assertEquals("Weather tool said: " + toolResult, lastAssistantContent(sessionId));
    }

    /** Sends a prompt that triggers the scripted tool call and answers it with {@code answer}; returns what the model got. */
    private String toolResultSeenByModel(String city, Map<String, Object> answer) throws Exception {
        String sessionId = createToolSession(false, true, "weather in " + city);
        rpc.request("session.send", Map.of("sessionId", sessionId, "prompt", "What is the weather in " + city + "?"),
                WAIT);
        JsonNode requested = rpc.awaitEvent(sessionId, "external_tool.requested", WAIT);
        Map<String, Object> params = new LinkedHashMap<>(answer);
        params.put("sessionId", sessionId);
        params.put("requestId", requested.path("data").path("requestId").asText());
        JsonNode handled = rpc.request("session.tools.handlePendingToolCall", params, WAIT);
        assertTrue(handled.path("success").asBoolean(), handled.toString());
        rpc.awaitEvent(sessionId, "session.idle", WAIT);
        List<ChatRequest> requests = fake.chatRequests(sessionId);
        assertEquals(2, requests.size(), requests.toString());
        return requests.get(1).toolMessages().get(0).text();
    }

    @Test
    void toolErrorStringReachesTheModelOnlyAsAGenericFailure() throws Exception {
        String seen = toolResultSeenByModel("Atlantis", Map.of("error", "no such city: Atlantis"));
        assertTrue(seen.startsWith("Failed to execute `get_weather` tool"), seen);
        assertTrue(seen.contains("Tool execution failed"), seen);
        assertFalse(seen.contains("no such city"), "1.0.102 drops the error text: " + seen);
    }

    @Test
    void toolResultObjectCarriesAFailureTextToTheModel() throws Exception {
        String seen = toolResultSeenByModel("Lemuria", Map.of("result", Map.of(
                "textResultForLlm", "no such city: Lemuria", "resultType", "failure", "error", "unknown city")));
        assertTrue(seen.contains("no such city: Lemuria"), seen);
    }
}
