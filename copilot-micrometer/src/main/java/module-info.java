/**
 * Micrometer instrumentation for copilot4j: {@link io.github.copilot4j.micrometer.CopilotMetrics},
 * a {@code ClientObserver} that records an {@code Observation} per turn and meters for RPCs,
 * tokens, sessions, the store and leases. Needs no Spring.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"
}) // Micrometer's jars have Automatic-Module-Name, no descriptor
module io.github.copilot4j.micrometer {
    requires transitive io.github.copilot4j.core;
    requires transitive micrometer.core;
    requires transitive micrometer.observation;
    requires transitive micrometer.commons; // KeyValues in CopilotTurnObservationConvention
    requires org.slf4j;

    exports io.github.copilot4j.micrometer;
}
