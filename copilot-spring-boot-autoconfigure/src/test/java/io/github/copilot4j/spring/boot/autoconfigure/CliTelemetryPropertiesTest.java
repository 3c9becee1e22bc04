package io.github.copilot4j.spring.boot.autoconfigure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.copilot4j.transport.stdio.CliTelemetry;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code copilot.cli.telemetry.*} becomes the transport's {@link CliTelemetry} (tested on the real CLI in copilot-e2e-tests). */
class CliTelemetryPropertiesTest {

    @Test
    void offUnlessADestinationIsSet() {
        assertNull(CliTransports.telemetry(bind(Map.of("copilot.cli.telemetry.source-name", "app"))
                .getCli()
                .getTelemetry()));
    }

    @Test
    void anOtlpEndpointWithItsOptions() {
        CopilotProperties p = bind(Map.of(
                "copilot.cli.telemetry.otlp-endpoint", "http://127.0.0.1:4318",
                "copilot.cli.telemetry.otlp-protocol", "http/protobuf",
                "copilot.cli.telemetry.source-name", "chat-backend",
                "copilot.cli.telemetry.capture-message-content", "true"));
        assertEquals(
                CliTelemetry.otlp(URI.create("http://127.0.0.1:4318"))
                        .withOtlpProtocol("http/protobuf")
                        .withSourceName("chat-backend")
                        .withMessageContent(true),
                CliTransports.telemetry(p.getCli().getTelemetry()));
    }

    @Test
    void aFile() {
        CopilotProperties p = bind(Map.of("copilot.cli.telemetry.file", "/var/log/copilot-spans.jsonl"));
        assertEquals(
                CliTelemetry.file(Path.of("/var/log/copilot-spans.jsonl")),
                CliTransports.telemetry(p.getCli().getTelemetry()));
    }

    private static CopilotProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bind("copilot", CopilotProperties.class)
                .orElseGet(CopilotProperties::new);
    }
}
