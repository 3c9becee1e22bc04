package io.github.copilot4j.transport.stdio;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Copilot runtime's own OpenTelemetry export (its spans and metrics: turns, model calls, tools),
 * switched on for the CLI that a transport spawns ({@link CliLauncher.BaseBuilder#telemetry}).
 * The CLI reads it from its environment: {@code COPILOT_OTEL_ENABLED}, {@code
 * OTEL_EXPORTER_OTLP_ENDPOINT} and {@code OTEL_EXPORTER_OTLP_PROTOCOL} for an OTLP collector, {@code
 * COPILOT_OTEL_EXPORTER_TYPE=file} with {@code COPILOT_OTEL_FILE_EXPORTER_PATH} for a JSON-lines
 * file, {@code COPILOT_OTEL_SOURCE_NAME}, and {@code OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT}.
 * The runtime exports in batches and flushes when it shuts down.
 *
 * <pre>{@code
 * StdioTransport.builder().telemetry(CliTelemetry.otlp(URI.create("http://127.0.0.1:4318"))).build();
 * }</pre>
 *
 * @param otlpEndpoint the OTLP collector's base URL (the runtime posts to {@code /v1/traces} and
 *     {@code /v1/metrics} under it), or null
 * @param otlpProtocol {@code http/json}, {@code http/protobuf} or {@code grpc}; null for the runtime's default
 * @param file a JSON-lines file to write spans to instead of a collector, or null
 * @param sourceName the instrumentation source name the runtime reports, or null for its default
 * @param captureMessageContent whether spans may carry prompts and answers (off by default: they
 *     may hold personal data)
 */
public record CliTelemetry(
        URI otlpEndpoint, String otlpProtocol, Path file, String sourceName, boolean captureMessageContent) {

    /** Checks that exactly one destination is given. */
    public CliTelemetry {
        if ((otlpEndpoint == null) == (file == null)) {
            throw new IllegalArgumentException(
                    "CliTelemetry needs exactly one destination: an OTLP endpoint or a file");
        }
        if (otlpEndpoint != null
                && !("http".equals(otlpEndpoint.getScheme()) || "https".equals(otlpEndpoint.getScheme()))) {
            throw new IllegalArgumentException("the OTLP endpoint must be an http(s) URL, got " + otlpEndpoint);
        }
    }

    /** Export to the OTLP collector at {@code endpoint} (e.g. {@code http://127.0.0.1:4318}). */
    public static CliTelemetry otlp(URI endpoint) {
        return new CliTelemetry(Objects.requireNonNull(endpoint, "endpoint"), null, null, null, false);
    }

    /** Write spans as JSON lines to {@code file}. */
    public static CliTelemetry file(Path file) {
        return new CliTelemetry(null, null, Objects.requireNonNull(file, "file"), null, false);
    }

    /** This export with the OTLP protocol ({@code http/json}, {@code http/protobuf} or {@code grpc}). */
    public CliTelemetry withOtlpProtocol(String protocol) {
        return new CliTelemetry(
                otlpEndpoint, Objects.requireNonNull(protocol, "protocol"), file, sourceName, captureMessageContent);
    }

    /** This export with the given instrumentation source name. */
    public CliTelemetry withSourceName(String name) {
        return new CliTelemetry(
                otlpEndpoint, otlpProtocol, file, Objects.requireNonNull(name, "name"), captureMessageContent);
    }

    /** This export with prompts and answers in the spans (or without). */
    public CliTelemetry withMessageContent(boolean capture) {
        return new CliTelemetry(otlpEndpoint, otlpProtocol, file, sourceName, capture);
    }

    /** The environment variables that switch it on in the CLI. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("COPILOT_OTEL_ENABLED", "true");
        if (otlpEndpoint != null) {
            env.put("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint.toString());
            if (otlpProtocol != null) {
                env.put("OTEL_EXPORTER_OTLP_PROTOCOL", otlpProtocol);
            }
        } else {
            env.put("COPILOT_OTEL_EXPORTER_TYPE", "file");
            env.put("COPILOT_OTEL_FILE_EXPORTER_PATH", file.toAbsolutePath().toString());
        }
        if (sourceName != null) {
            env.put("COPILOT_OTEL_SOURCE_NAME", sourceName);
        }
        env.put("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", Boolean.toString(captureMessageContent));
        return env;
    }
}
