/**
 * OpenTelemetry trace context for copilot4j: {@link io.github.copilot4j.opentelemetry.CopilotTracing}
 * sends the caller's W3C trace context with each prompt and runs tool handlers in a child span.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"
}) // OpenTelemetry's jars have Automatic-Module-Name, no descriptor
module io.github.copilot4j.opentelemetry {
    requires transitive io.github.copilot4j.core;
    requires transitive io.opentelemetry.api;
    requires io.opentelemetry.context;
    requires org.slf4j;

    exports io.github.copilot4j.opentelemetry;
}
