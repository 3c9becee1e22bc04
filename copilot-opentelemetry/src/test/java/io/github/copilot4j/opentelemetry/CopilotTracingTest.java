package io.github.copilot4j.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import io.github.copilot4j.testing.runtime.Reply;
import io.github.copilot4j.tool.ToolDefinition;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Trace context on session.send and tool spans, on the in-JVM fake runtime. */
@Timeout(30)
class CopilotTracingTest {
    final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                    .build())
            .build();
    FakeRuntime runtime;
    CopilotClient client;

    @AfterEach
    void tearDown() {
        client.close();
        runtime.close();
    }

    void start(FakeRuntime r) {
        runtime = r;
        client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .observer(CopilotTracing.create(otel))
                .build();
        client.start();
    }

    List<JsonNode> sends() {
        return runtime.requests().stream()
                .filter(r -> r.method().equals("session.send"))
                .map(FakeRuntime.Request::params)
                .toList();
    }

    @Test
    void withoutACurrentSpanNothingIsAdded() {
        start(FakeRuntime.create());
        client.createSession(SessionConfig.builder().build()).sendAndWait("plain", Duration.ofSeconds(10));
        assertEquals(1, sends().size());
        assertFalse(sends().get(0).has("traceparent"), sends().toString());
        assertFalse(sends().get(0).has("tracestate"));
    }

    @Test
    void theCurrentSpanContextAndItsTraceStateGoWithThePrompt() {
        start(FakeRuntime.create());
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        SpanContext remote = SpanContext.createFromRemoteParent(
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "00f067aa0ba902b7",
                TraceFlags.getSampled(),
                TraceState.builder().put("vendor", "x1").build());
        try (Scope ignored = Context.root().with(Span.wrap(remote)).makeCurrent()) {
            s.sendAndWait("traced", Duration.ofSeconds(10));
        }
        JsonNode p = sends().get(0);
        assertEquals(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                p.path("traceparent").asText(),
                p.toString());
        assertEquals("vendor=x1", p.path("tracestate").asText(), p.toString());
    }

    @Test
    void aToolHandlerRunsInAChildSpanThatRecordsItsFailure() {
        start(FakeRuntime.builder()
                .responder(t -> Reply.callTool("lookup", "{\"q\":\"x\"}", "got {result}"))
                .build());
        String[] inside = new String[2];
        CopilotSession s = client.createSession(SessionConfig.builder()
                .tool(ToolDefinition.of("lookup", "looks up", "{\"type\":\"object\"}", inv -> {
                    inside[0] = Span.current().getSpanContext().getTraceId();
                    inside[1] = Span.current().getSpanContext().getSpanId();
                    throw new IllegalStateException("backend down");
                }))
                .build());
        Span caller = otel.getTracer("test").spanBuilder("caller").startSpan();
        try (Scope ignored = caller.makeCurrent()) {
            s.sendAndWait("use the tool", Duration.ofSeconds(10));
        } finally {
            caller.end();
        }
        SpanData tool = exporter.getFinishedSpanItems().stream()
                .filter(d -> d.getName().equals("execute_tool lookup"))
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError(exporter.getFinishedSpanItems().toString()));
        assertEquals(caller.getSpanContext().getTraceId(), tool.getTraceId());
        assertEquals(caller.getSpanContext().getSpanId(), tool.getParentSpanId());
        assertEquals(tool.getSpanId(), inside[1], "the tool span is current inside the handler");
        assertEquals(StatusCode.ERROR, tool.getStatus().getStatusCode());
        assertTrue(tool.getEvents().stream().anyMatch(e -> e.getName().equals("exception")), tool.toString());
        assertFalse(Span.current().getSpanContext().isValid(), "nothing leaks onto the test thread");
    }
}
