/**
 * Micrometer instrumentation for copilot4j: {@link io.github.copilot4j.micrometer.CopilotMetrics},
 * a {@code ClientObserver} that records an {@code Observation} per turn and meters for RPCs,
 * tokens, sessions, the store and leases. Needs no Spring.
 */
@SuppressWarnings("requires-transitive-automatic") // Micrometer's jars have Automatic-Module-Name, no descriptor
module io.github.copilot4j.micrometer {
    requires transitive io.github.copilot4j.core;
    requires transitive micrometer.core;
    requires transitive micrometer.observation;
    requires micrometer.commons;
    requires org.slf4j;

    exports io.github.copilot4j.micrometer;
}
