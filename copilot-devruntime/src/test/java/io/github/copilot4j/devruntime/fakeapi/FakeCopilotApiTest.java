package io.github.copilot4j.devruntime.fakeapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FakeCopilotApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "ghu_s3cr3t-value-that-must-never-be-stored";

    private FakeCopilotApi fake;
    private HttpClient http;

    @BeforeEach
    void setUp() {
        fake = FakeCopilotApi.start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    // ------------------------------------------------------------------ helpers

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(fake.url() + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("authorization", "Bearer " + SECRET)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, Object body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.url() + path))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + SECRET)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode chat(boolean stream, String... rolesAndContents) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", "gpt-5");
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", "You are a <b>test</b> assistant.");
        for (int i = 0; i < rolesAndContents.length; i += 2) {
            messages.addObject().put("role", rolesAndContents[i]).put("content", rolesAndContents[i + 1]);
        }
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    /** The data payloads of an SSE body, in order. */
    private static List<String> sseData(String body) {
        List<String> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: ")) {
                out.add(line.substring(6));
            }
        }
        return out;
    }

    private static String concatenatedContent(List<String> data) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String d : data) {
            if (d.equals("[DONE]")) {
                continue;
            }
            for (JsonNode choice : JSON.readTree(d).path("choices")) {
                if (choice.path("delta").path("content").isTextual()) {
                    sb.append(choice.path("delta").path("content").asText());
                }
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ endpoints the CLI probes

    @Test
    void servesDefaultCatalogAndSingleModels() throws Exception {
        HttpResponse<String> list = get("/models");
        assertEquals(200, list.statusCode());
        List<String> ids = new ArrayList<>();
        JSON.readTree(list.body())
                .path("data")
                .forEach(m -> ids.add(m.path("id").asText()));
        assertEquals(List.of("gpt-5", "claude-sonnet-4.5"), ids);
        assertTrue(list.headers().firstValue("x-github-request-id").isPresent());

        HttpResponse<String> one = get("/models/claude-sonnet-4.5");
        assertEquals(200, one.statusCode());
        assertEquals("Anthropic", JSON.readTree(one.body()).path("vendor").asText());
        assertTrue(JSON.readTree(one.body())
                .path("capabilities")
                .path("supports")
                .path("tool_calls")
                .asBoolean());

        HttpResponse<String> missing = get("/models/gpt-4.1");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.headers().firstValue("x-github-request-id").isPresent());
    }

    @Test
    void catalogIsConfigurable() throws Exception {
        try (FakeCopilotApi custom =
                FakeCopilotApi.builder().models("claude-sonnet-4.5").start()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(custom.url() + "/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode data = JSON.readTree(r.body()).path("data");
            assertEquals(1, data.size());
            assertEquals("claude-sonnet-4.5", data.get(0).path("id").asText());
            assertTrue(data.get(0).path("is_chat_default").asBoolean());
        }
    }

    @Test
    void userAndTokenEndpointsPointBackAtTheFake() throws Exception {
        JsonNode user = JSON.readTree(get("/copilot_internal/user").body());
        assertEquals(fake.url(), user.path("endpoints").path("api").asText());
        assertEquals(
                fake.url() + "/telemetry",
                user.path("endpoints").path("telemetry").asText());
        assertTrue(user.path("chat_enabled").asBoolean());

        JsonNode token = JSON.readTree(get("/copilot_internal/v2/token").body());
        assertEquals(fake.url(), token.path("endpoints").path("api").asText());
        assertTrue(token.path("expires_at").asLong() > 0);

        assertEquals(
                "fake-user", JSON.readTree(get("/user").body()).path("login").asText());
    }

    @Test
    void smallStubsAnswerAsTheCliExpects() throws Exception {
        assertEquals(404, get("/copilot_internal/team_customizations").statusCode());
        assertEquals(200, get("/agents/swe").statusCode());
        assertEquals(
                false,
                JSON.readTree(get("/internal/memory/v0/enabled").body())
                        .path("enabled")
                        .asBoolean(true));
        assertEquals(
                0,
                JSON.readTree(get("/internal/memory/v0/list").body())
                        .path("memories")
                        .size());
        HttpResponse<String> unknown = get("/no/such/thing");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.headers().firstValue("x-github-request-id").isPresent());
        assertTrue(unknown.body().contains("/no/such/thing"), unknown.body());
    }

    @Test
    void telemetryAcceptsGzipBodies() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
            gz.write("{\"event\":\"a\"}\n{\"event\":\"b\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(fake.url() + "/telemetry/telemetry"))
                        .header("content-encoding", "gzip")
                        .header("content-type", "application/x-json-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(buf.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        RecordedRequest rec = fake.requests("/telemetry").get(0);
        assertTrue(rec.bodyText().contains("\"event\":\"b\""), "gzip body decoded: " + rec.bodyText());
    }

    @Test
    void mcpHandshakeWithNoTools() throws Exception {
        HttpResponse<String> init = post(
                "/mcp/readonly",
                Map.of(
                        "jsonrpc",
                        "2.0",
                        "id",
                        1,
                        "method",
                        "initialize",
                        "params",
                        Map.of("protocolVersion", "2025-11-25")));
        JsonNode result = JSON.readTree(init.body()).path("result");
        assertEquals("2025-11-25", result.path("protocolVersion").asText());
        assertTrue(result.path("capabilities").has("tools"));

        assertEquals(
                202,
                post("/mcp/readonly", Map.of("jsonrpc", "2.0", "method", "notifications/initialized"))
                        .statusCode());
        JsonNode tools = JSON.readTree(post("/mcp/readonly", Map.of("jsonrpc", "2.0", "id", 2, "method", "tools/list"))
                .body());
        assertEquals(0, tools.path("result").path("tools").size());
        JsonNode unknown =
                JSON.readTree(post("/mcp/readonly", Map.of("jsonrpc", "2.0", "id", 3, "method", "server/discover"))
                        .body());
        assertEquals(-32601, unknown.path("error").path("code").asInt());
    }

    // ------------------------------------------------------------------ default echo

    @Test
    void nonStreamingEchoStripsInjectedBlocks() throws Exception {
        HttpResponse<String> r = post(
                "/chat/completions",
                chat(
                        false,
                        "user",
                        "<current_datetime>2026-01-01T00:00:00Z</current_datetime>\n\nWhat is 2+2?\n<reminder>\nbe brief\n</reminder>"));
        assertEquals(200, r.statusCode());
        JsonNode choice = JSON.readTree(r.body()).path("choices").get(0);
        assertEquals(
                "ECHO: What is 2+2?", choice.path("message").path("content").asText());
        assertEquals("stop", choice.path("finish_reason").asText());
        assertTrue(JSON.readTree(r.body()).path("usage").path("total_tokens").asInt() > 0);
    }

    @Test
    void echoesTheLastUserMessageOfAConversation() throws Exception {
        HttpResponse<String> r = post(
                "/v1/chat/completions", chat(false, "user", "first", "assistant", "ECHO: first", "user", "second"));
        assertEquals(
                "ECHO: second",
                JSON.readTree(r.body())
                        .path("choices")
                        .get(0)
                        .path("message")
                        .path("content")
                        .asText());
    }

    @Test
    void streamingChunksConcatenateToTheEcho() throws Exception {
        ObjectNode body = chat(true, "user", "<current_datetime>now</current_datetime>\n\nstream  me, please");
        HttpResponse<String> r = post("/chat/completions", body);
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("content-type").orElse(""));
        List<String> data = sseData(r.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        assertTrue(data.size() > 4, "several chunks: " + data);
        assertEquals("ECHO: stream  me, please", concatenatedContent(data));
        JsonNode last = JSON.readTree(data.get(data.size() - 2));
        assertEquals("stop", last.path("choices").get(0).path("finish_reason").asText());
        assertFalse(r.body().contains("\"usage\""), "no usage chunk unless asked");

        body.putObject("stream_options").put("include_usage", true);
        List<String> withUsage = sseData(post("/chat/completions", body).body());
        JsonNode usageChunk = JSON.readTree(withUsage.get(withUsage.size() - 2));
        assertEquals(0, usageChunk.path("choices").size());
        assertTrue(usageChunk.path("usage").path("completion_tokens").asInt() > 0);
    }

    @Test
    void responsesApiEchoesStreamedAndNot() throws Exception {
        Map<String, Object> req = Map.of(
                "model",
                "gpt-5",
                "input",
                List.of(Map.of(
                        "type",
                        "message",
                        "role",
                        "user",
                        "content",
                        List.of(Map.of("type", "input_text", "text", "via responses")))));
        JsonNode plain = JSON.readTree(post("/responses", req).body());
        assertEquals(
                "ECHO: via responses",
                plain.path("output").get(0).path("content").get(0).path("text").asText());

        Map<String, Object> streamed =
                Map.of("model", "gpt-5", "input", "hello <reminder>x</reminder>", "stream", true);
        String sse = post("/responses", streamed).body();
        assertTrue(sse.contains("event: response.completed"), sse);
        assertTrue(sse.contains("\"delta\":\"ECHO: hello\""), sse);
        assertEquals(2, fake.responsesRequests().size());
    }

    // ------------------------------------------------------------------ scripting

    @Test
    void queuedRepliesComeFirstThenTheDefault() throws Exception {
        fake.enqueue(Reply.text("one"), Reply.text("two"));
        assertEquals("one", contentOf(post("/chat/completions", chat(false, "user", "a"))));
        assertEquals(
                "two",
                concatenatedContent(sseData(
                        post("/chat/completions", chat(true, "user", "b")).body())));
        assertEquals("ECHO: c", contentOf(post("/chat/completions", chat(false, "user", "c"))));
        assertTrue(fake.unusedScripts().isEmpty());
    }

    @Test
    void conditionalScriptsMatchByPromptSessionAndCount() throws Exception {
        fake.when(FakeCopilotApi.sessionIs("s-2")).always().reply(Reply.text("for session 2"));
        fake.when(FakeCopilotApi.promptContains("joke")).times(2).reply(req -> Reply.text("joke for " + req.model()));

        assertEquals(
                "for session 2",
                contentOf(post("/chat/completions", chat(false, "user", "a joke"), "x-client-session-id", "s-2")));
        assertEquals("joke for gpt-5", contentOf(post("/chat/completions", chat(false, "user", "tell a joke"))));
        assertEquals("joke for gpt-5", contentOf(post("/chat/completions", chat(false, "user", "another joke"))));
        assertEquals("ECHO: third joke", contentOf(post("/chat/completions", chat(false, "user", "third joke"))));
        assertEquals(
                "for session 2",
                contentOf(post("/chat/completions", chat(false, "user", "x"), "x-client-session-id", "s-2")));
        assertEquals(List.of("Reply.text(for session 2) (always)"), fake.unusedScripts());
        fake.clearScripts();
        assertTrue(fake.unusedScripts().isEmpty());
    }

    @Test
    void scriptedErrorsCarryStatusBodyAndHeaders() throws Exception {
        fake.enqueue(
                Reply.error(500, "{\"error\":{\"message\":\"boom\"}}"),
                Reply.error(429, "slow down").withHeader("retry-after", "7"));
        HttpResponse<String> first = post("/chat/completions", chat(true, "user", "x"));
        assertEquals(500, first.statusCode());
        assertEquals(
                "application/json", first.headers().firstValue("content-type").orElse(""));
        assertEquals(
                "boom",
                JSON.readTree(first.body()).path("error").path("message").asText());
        assertTrue(first.headers().firstValue("x-github-request-id").isPresent());

        HttpResponse<String> second = post("/chat/completions", chat(false, "user", "x"));
        assertEquals(429, second.statusCode());
        assertEquals("slow down", second.body());
        assertEquals("7", second.headers().firstValue("retry-after").orElse(""));
        assertThrows(IllegalArgumentException.class, () -> Reply.error(200, "not an error"));
    }

    @Test
    void delayedReplyWaitsAndCloseInterruptsIt() throws Exception {
        fake.enqueue(Reply.text("late").delayed(Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        assertEquals("late", contentOf(post("/chat/completions", chat(false, "user", "x"))));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300), "reply was delayed");

        fake.enqueue(Reply.text("never").delayed(Duration.ofMinutes(5)));
        HttpRequest hanging = HttpRequest.newBuilder(URI.create(fake.url() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(chat(false, "user", "hang"))))
                .build();
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(hanging, HttpResponse.BodyHandlers.ofString());
        fake.awaitChatRequest(r -> r.lastUserText().equals("hang"), Duration.ofSeconds(10));
        assertFalse(pending.isDone(), "reply still delayed");
        fake.close();
        // the exchange is dropped: the client sees an error (or at worst a non-200), never a hang
        try {
            HttpResponse<String> r = pending.get(20, TimeUnit.SECONDS);
            assertTrue(r.statusCode() != 200 || !r.body().contains("never"), "delayed reply was not sent");
        } catch (java.util.concurrent.ExecutionException expected) {
            assertNotNull(expected.getCause());
        }
    }

    @Test
    void streamedChunksCanBePaced() throws Exception {
        fake.enqueue(Reply.text("a b c").withChunkDelay(Duration.ofMillis(50)));
        long t0 = System.nanoTime();
        String sse = post("/chat/completions", chat(true, "user", "x")).body();
        assertEquals("a b c", concatenatedContent(sseData(sse)));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(150), "3 chunks, 50 ms apart");
    }

    @Test
    void scriptedToolCallThenFollowUpWithTheResult() throws Exception {
        fake.when(FakeCopilotApi.promptContains("weather"))
                .reply(Reply.toolCall("get_weather", Map.of("city", "Paris"))
                        .thenReply(results -> Reply.text("Weather tool said: " + results.content())));

        // a prompt without the keyword gets the default echo
        assertEquals("ECHO: hello", contentOf(post("/chat/completions", chat(false, "user", "hello"))));

        JsonNode first = JSON.readTree(post("/chat/completions", chat(false, "user", "what's the weather?"))
                .body());
        JsonNode choice = first.path("choices").get(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        assertTrue(choice.path("message").path("content").isNull());
        JsonNode call = choice.path("message").path("tool_calls").get(0);
        assertEquals("function", call.path("type").asText());
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals(
                Map.of("city", "Paris"),
                JSON.readValue(call.path("function").path("arguments").asText(), Map.class));
        String callId = call.path("id").asText();
        assertFalse(callId.isEmpty());
        assertEquals(1, fake.unusedScripts().size(), "the follow-up is pending: " + fake.unusedScripts());

        // the CLI sends the whole conversation back with the tool result
        ObjectNode followUp = chat(false, "user", "what's the weather?");
        ObjectNode assistant = ((ArrayNode) followUp.path("messages")).addObject();
        assistant.put("role", "assistant").putNull("content");
        assistant.putArray("tool_calls").add(call);
        ((ArrayNode) followUp.path("messages"))
                .addObject()
                .put("role", "tool")
                .put("tool_call_id", callId)
                .put("content", "sunny, 21C");
        assertEquals("Weather tool said: sunny, 21C", contentOf(post("/chat/completions", followUp)));
        assertTrue(fake.unusedScripts().isEmpty());

        ChatRequest recorded = fake.chatRequests().get(2);
        assertEquals(
                List.of("user", "assistant", "tool"),
                recorded.dialog().stream().map(ChatMessage::role).toList());
        assertEquals("get_weather", recorded.dialog().get(1).toolCalls().get(0).name());
        assertEquals(callId, recorded.toolMessages().get(0).toolCallId());
        assertFalse(recorded.isNewPrompt());
    }

    @Test
    void streamedToolCallReassembles() throws Exception {
        fake.enqueue(Reply.toolCall("get_weather", "{\"city\":\"Oslo\"}").withText("Let me check."));
        List<String> data = sseData(
                post("/chat/completions", chat(true, "user", "weather?")).body());
        String name = null;
        String id = null;
        StringBuilder args = new StringBuilder();
        String finish = null;
        for (String d : data) {
            if (d.equals("[DONE]")) {
                continue;
            }
            JsonNode c = JSON.readTree(d).path("choices").get(0);
            for (JsonNode tc : c.path("delta").path("tool_calls")) {
                assertEquals(0, tc.path("index").asInt());
                if (tc.has("id")) {
                    id = tc.path("id").asText();
                    name = tc.path("function").path("name").asText();
                }
                args.append(tc.path("function").path("arguments").asText(""));
            }
            if (c.path("finish_reason").isTextual()) {
                finish = c.path("finish_reason").asText();
            }
        }
        assertEquals("Let me check.", concatenatedContent(data));
        assertEquals("get_weather", name);
        assertTrue(id != null && id.startsWith("call_"), id);
        assertEquals("{\"city\":\"Oslo\"}", args.toString());
        assertEquals("tool_calls", finish);
    }

    @Test
    void toolCallFollowUpDefaultsToEchoingTheResult() throws Exception {
        fake.enqueue(Reply.toolCalls(List.of(new ToolCall("call_fixed", "lookup", "{}"))));
        post("/chat/completions", chat(false, "user", "go"));
        ObjectNode followUp = chat(false, "user", "go");
        ((ArrayNode) followUp.path("messages"))
                .addObject()
                .put("role", "tool")
                .put("tool_call_id", "call_fixed")
                .put("content", "42");
        assertEquals("TOOL RESULT: 42", contentOf(post("/chat/completions", followUp)));
    }

    // ------------------------------------------------------------------ recording

    @Test
    void recordsRequestsWithRedactedAuthorization() throws Exception {
        post(
                "/chat/completions",
                chat(
                        false,
                        "user",
                        "<current_datetime>t</current_datetime>\n\nhi",
                        "assistant",
                        "ECHO: hi",
                        "user",
                        "again"),
                "x-client-session-id",
                "sess-1",
                "x-github-token",
                SECRET);
        RecordedRequest rec = fake.requests().get(0);
        assertEquals("POST", rec.method());
        assertEquals("/chat/completions", rec.path());
        assertEquals("Bearer [REDACTED]", rec.header("Authorization").orElseThrow());
        assertEquals("[REDACTED]", rec.header("x-github-token").orElseThrow());
        assertFalse(rec.toString().contains(SECRET));
        assertFalse(rec.headers().toString().contains(SECRET), "no header keeps the secret");
        assertEquals("gpt-5", rec.body().path("model").asText());

        ChatRequest chat = fake.chatRequests().get(0);
        assertEquals("gpt-5", chat.model());
        assertEquals("sess-1", chat.sessionId());
        assertEquals(
                List.of(
                        ChatMessage.of("user", "hi"),
                        ChatMessage.of("assistant", "ECHO: hi"),
                        ChatMessage.of("user", "again")),
                chat.dialog());
        assertEquals("You are a  assistant.", chat.messages().get(0).text(), "system text stripped too");
        assertEquals(List.of("hi", "again"), chat.texts("user"));
        assertEquals(1, fake.chatRequests("sess-1").size());
        assertEquals(0, fake.chatRequests("other").size());

        fake.clearRecordings();
        assertTrue(fake.requests().isEmpty());
    }

    @Test
    void awaitRequestFailsClearlyWhenNothingArrives() {
        AssertionError e = assertThrows(
                AssertionError.class, () -> fake.awaitRequest(r -> r.path().equals("/never"), Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("no matching request"), e.getMessage());
    }

    // ------------------------------------------------------------------ proxy sink

    @Test
    void proxySinkRefusesAndRecordsConnectTunnels() throws Exception {
        URI proxy = URI.create(fake.proxyUrl());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(proxy.getHost(), proxy.getPort()), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("CONNECT api.github.com:443 HTTP/1.1\r\nHost: api.github.com:443\r\n"
                            + "Proxy-Authorization: Basic " + SECRET + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.1 403"), response);
            assertTrue(response.toLowerCase().contains("x-github-request-id"), response);
        }
        RecordedRequest blocked = fake.blockedRequests().get(0);
        assertEquals("CONNECT", blocked.method());
        assertEquals("api.github.com:443", blocked.target());
        assertEquals("Basic [REDACTED]", blocked.header("proxy-authorization").orElseThrow());
        assertTrue(fake.chatRequests().isEmpty());
    }

    @Test
    void absoluteUriProxyRequestsAreRefusedOnBothPorts() throws Exception {
        for (String proxyUrl : List.of(fake.proxyUrl(), fake.url())) {
            URI p = URI.create(proxyUrl);
            HttpClient viaProxy = HttpClient.newBuilder()
                    .proxy(ProxySelector.of(new InetSocketAddress(p.getHost(), p.getPort())))
                    .build();
            HttpResponse<String> r = viaProxy.send(
                    HttpRequest.newBuilder(URI.create("http://example.com/leak?q=1"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode(), proxyUrl);
        }
        List<RecordedRequest> blocked = fake.blockedRequests();
        assertEquals(2, blocked.size());
        for (RecordedRequest b : blocked) {
            assertEquals("GET", b.method());
            assertEquals("http://example.com/leak?q=1", b.target());
            assertEquals("example.com/leak", b.path());
        }
    }

    @Test
    void closeIsIdempotentAndFreesThePort() throws Exception {
        String url = fake.url();
        fake.close();
        fake.close();
        assertThrows(
                IOException.class,
                () -> http.send(
                        HttpRequest.newBuilder(URI.create(url + "/models"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
    }

    private static String contentOf(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body())
                .path("choices")
                .get(0)
                .path("message")
                .path("content")
                .asText();
    }
}
