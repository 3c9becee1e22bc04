package io.github.copilot4j.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.tool.ToolDefinition;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The caller's trace context on the wire to the REAL CLI (offline), and the tool handler's span. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CopilotTracingRealCliTest {
    static final String SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";

    @Test
    void theCallersTraceparentReachesSessionSendAndTheToolRunsInAChildSpan() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .build();
        List<String> handlerTraceIds = new CopyOnWriteArrayList<>();
        List<SessionEvent> toolRequests = new CopyOnWriteArrayList<>();
        try (OfflineCopilot offline = OfflineCopilot.start()) {
            WireRecorder wire = new WireRecorder(offline.stdioTransport());
            try (CopilotClient client = CopilotClient.builder()
                    .transport(wire)
                    .observer(CopilotTracing.create(otel))
                    .startTimeout(Duration.ofSeconds(90))
                    .build()) {
                client.start();
                offline.fakeApi()
                        .when(FakeCopilotApi.promptContains("traced weather"))
                        .times(1)
                        .reply(Reply.toolCall("get_weather", "{\"city\":\"Paris\"}")
                                .thenReply(r -> Reply.text("Tool said: " + r.content())));
                CopilotSession s = client.createSession(SessionConfig.builder()
                        .model("gpt-5")
                        .tool(new ToolDefinition(
                                "get_weather",
                                "Current weather for a city",
                                new ObjectMapper().readTree(SCHEMA),
                                true,
                                inv -> {
                                    handlerTraceIds.add(
                                            Span.current().getSpanContext().getTraceId());
                                    return "sunny";
                                }))
                        .onEvent(e -> {
                            if (e.type().equals("external_tool.requested")) {
                                toolRequests.add(e);
                            }
                        })
                        .build());

                Span request =
                        otel.getTracer("test").spanBuilder("GET /weather").startSpan();
                String traceId = request.getSpanContext().getTraceId();
                String expected =
                        "00-" + traceId + "-" + request.getSpanContext().getSpanId() + "-"; // then the flags
                try (Scope ignored = request.makeCurrent()) {
                    assertEquals(
                            "Tool said: sunny",
                            s.sendAndWait("traced weather in Paris?", Duration.ofSeconds(90))
                                    .content());
                } finally {
                    request.end();
                }

                String sent = wire.sent();
                int send = sent.indexOf("\"method\":\"session.send\"");
                assertTrue(send > 0, "session.send on the wire");
                String frame = sent.substring(
                        sent.lastIndexOf("Content-Length", send),
                        sent.indexOf("Content-Length", send) < 0
                                ? sent.length()
                                : sent.indexOf("Content-Length", send));
                assertTrue(frame.contains("\"traceparent\":\"" + expected), "session.send frame: " + frame);

                assertEquals(List.of(traceId), handlerTraceIds, "the handler runs inside the caller's trace");
                SpanData tool = exporter.getFinishedSpanItems().stream()
                        .filter(d -> d.getName().equals("execute_tool get_weather"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no tool span: " + exporter.getFinishedSpanItems()));
                assertEquals(traceId, tool.getTraceId());
                assertEquals(
                        "get_weather",
                        tool.getAttributes().asMap().entrySet().stream()
                                .filter(en -> en.getKey().getKey().equals("gen_ai.tool.name"))
                                .findFirst()
                                .orElseThrow()
                                .getValue());
                System.out.println("external_tool.requested trace fields: "
                        + toolRequests.stream()
                                .map(e -> e.data().path("traceparent").asText("-") + " / "
                                        + e.data().path("tracestate").asText("-"))
                                .toList()
                        + "; tool span parent " + tool.getParentSpanId() + ", caller span "
                        + request.getSpanContext().getSpanId());
            }
        }
    }
}
