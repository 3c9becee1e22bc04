package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.transport.stdio.CliTelemetry;
import io.github.copilot4j.transport.stdio.StdioTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's own OpenTelemetry export, switched on from the transport's config
 * ({@link CliTelemetry}), on the real CLI offline: to an OTLP collector (a recorder on loopback) and
 * to a file. The CLI flushes its export when it shuts down, which {@code close()} makes it do.
 */
@Timeout(180)
class CliTelemetryRealCliTest {
    /** A traceparent the client sends with the prompt (W3C: version, trace id, parent id, flags). */
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    @TempDir
    Path dir;

    @Test
    void spansAndMetricsReachAnOtlpCollector() throws Exception {
        List<String> posts = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            posts.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " "
                    + new String(body, StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        collector.start();
        try (OfflineCopilot offline = OfflineCopilot.start()) {
            URI endpoint =
                    URI.create("http://127.0.0.1:" + collector.getAddress().getPort());
            StdioTransport transport = offline.stdioBuilder()
                    .telemetry(CliTelemetry.otlp(endpoint).withOtlpProtocol("http/json"))
                    .build();
            turn(transport);
        } finally {
            collector.stop(0);
        }
        assertTrue(
                posts.stream().anyMatch(p -> p.startsWith("POST /v1/traces ") && p.contains("\"resourceSpans\"")),
                "the runtime posted its spans: " + summary(posts));
        assertTrue(
                posts.stream().anyMatch(p -> p.startsWith("POST /v1/metrics ") && p.contains("\"resourceMetrics\"")),
                "the runtime posted its metrics: " + summary(posts));
        assertTrue(
                posts.stream().anyMatch(p -> p.startsWith("POST /v1/traces ") && p.contains(TRACE_ID)),
                "the runtime's spans join the trace the client sent with the prompt: " + summary(posts));
    }

    @Test
    void spansGoToAFileAndNoPromptTextByDefault() throws Exception {
        Path file = dir.resolve("copilot-spans.jsonl");
        try (OfflineCopilot offline = OfflineCopilot.start()) {
            turn(offline.stdioBuilder().telemetry(CliTelemetry.file(file)).build());
        }
        assertTrue(Files.exists(file), "the runtime wrote " + file);
        List<String> lines = Files.readAllLines(file);
        assertFalse(lines.isEmpty());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("{")), "JSON lines");
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"type\":\"span\"")), "spans");
        assertTrue(lines.stream().anyMatch(l -> l.contains(TRACE_ID)), "the runtime's spans join the client's trace");
        assertFalse(
                String.join("\n", lines).contains("a prompt to trace"),
                "message content is not captured unless asked for");
    }

    @Test
    void aTelemetryConfigNeedsExactlyOneDestination() {
        assertThrows(IllegalArgumentException.class, () -> new CliTelemetry(null, null, null, null, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> new CliTelemetry(URI.create("http://x"), null, Path.of("f"), null, false));
        assertThrows(IllegalArgumentException.class, () -> CliTelemetry.otlp(URI.create("ftp://x")));
        assertEquals(
                Map.of(
                        "COPILOT_OTEL_ENABLED",
                        "true",
                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                        "http://c:4318",
                        "OTEL_EXPORTER_OTLP_PROTOCOL",
                        "grpc",
                        "COPILOT_OTEL_SOURCE_NAME",
                        "app",
                        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
                        "true"),
                CliTelemetry.otlp(URI.create("http://c:4318"))
                        .withOtlpProtocol("grpc")
                        .withSourceName("app")
                        .withMessageContent(true)
                        .environment());
    }

    /** One turn sent with {@link #TRACEPARENT}; closing the client shuts the CLI down, which flushes its export. */
    private static void turn(StdioTransport transport) {
        ClientObserver traced = new ClientObserver() {
            @Override
            public Map<String, String> traceContext(CopilotSession session) {
                return Map.of("traceparent", TRACEPARENT);
            }
        };
        try (CopilotClient client = CopilotClient.builder()
                .transport(transport)
                .observer(traced)
                .startTimeout(Duration.ofSeconds(60))
                .closeTimeout(Duration.ofSeconds(20))
                .build()) {
            client.start();
            CopilotSession s = client.createSession(SessionConfig.builder().build());
            assertEquals(
                    "ECHO: a prompt to trace",
                    s.sendAndWait("a prompt to trace", Duration.ofSeconds(60)).content());
        }
    }

    private static String summary(List<String> posts) {
        return posts.stream()
                .map(p -> p.substring(0, Math.min(120, p.length())))
                .toList()
                .toString();
    }
}
