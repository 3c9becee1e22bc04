package io.github.copilot4j.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.event.SessionEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A turn against the REAL Copilot CLI (offline, fake model API): its observation, tags and token counts. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CopilotMetricsRealCliTest {

    @Test
    void aRealTurnIsObservedWithItsTagsAndTheRuntimesTokenCounts() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TestObservationRegistry observations = TestObservationRegistry.create();
        List<SessionEvent> usage = new CopyOnWriteArrayList<>();
        try (OfflineCopilot offline = OfflineCopilot.start();
                CopilotClient client = CopilotClient.builder()
                        .transport(offline.stdioTransport())
                        .observer(CopilotMetrics.builder(meters)
                                .observationRegistry(observations)
                                .build())
                        .startTimeout(Duration.ofSeconds(90))
                        .build()) {
            client.start();
            CopilotSession s = client.createSession(SessionConfig.builder()
                    .sessionId("metrics-real-cli")
                    .owner("bob")
                    .model("gpt-5")
                    .onEvent(e -> {
                        if (e.type().equals("assistant.usage")) {
                            usage.add(e);
                        }
                    })
                    .build());
            assertEquals(
                    "ECHO: count my tokens",
                    s.sendAndWait("count my tokens", Duration.ofSeconds(90)).content());

            AtomicReference<Observation.ContextView> seen = new AtomicReference<>();
            assertThat(observations)
                    .hasNumberOfObservationsWithNameEqualTo(CopilotMetrics.TURN, 1)
                    .hasObservationWithNameEqualTo(CopilotMetrics.TURN)
                    .that()
                    .hasBeenStarted()
                    .hasBeenStopped()
                    .hasLowCardinalityKeyValue("model", "gpt-5")
                    .hasLowCardinalityKeyValue("outcome", "success")
                    .hasLowCardinalityKeyValue("transport", "stdio")
                    .doesNotHaveError()
                    .satisfies(seen::set);
            seen.get()
                    .getAllKeyValues()
                    .forEach(kv -> assertFalse(
                            kv.getValue().contains("metrics-real-cli")
                                    || kv.getValue().equals("bob"),
                            kv.toString()));

            assertFalse(usage.isEmpty(), "the real CLI reports assistant.usage");
            long in = usage.stream()
                    .mapToLong(e -> e.data().path("inputTokens").asLong())
                    .sum();
            long out = usage.stream()
                    .mapToLong(e -> e.data().path("outputTokens").asLong())
                    .sum();
            // the fake model API counts one output token per word: "ECHO: count my tokens"
            assertEquals(4, out, usage.toString());
            assertTrue(in > 0, usage.toString());
            CopilotTurnContext turn = (CopilotTurnContext) seen.get();
            assertEquals(in, turn.inputTokens());
            assertEquals(out, turn.outputTokens());
            var inCounter = meters.find(CopilotMetrics.TOKENS)
                    .tags("type", "input", "model", "gpt-5", "transport", "stdio")
                    .counter();
            assertNotNull(inCounter, meters.getMetersAsString());
            assertEquals(in, (long) inCounter.count());
            assertEquals(out, (long) meters.get(CopilotMetrics.TOKENS)
                    .tags("type", "output", "model", "gpt-5")
                    .counter()
                    .count());
            assertEquals(
                    1,
                    meters.get(CopilotMetrics.RPC)
                            .tags("method", "session.send", "outcome", "success")
                            .timer()
                            .count());
            assertEquals(1.0, meters.get(CopilotMetrics.SESSIONS_OPEN).gauge().value());
            System.out.println("usage events: "
                    + usage.stream().map(e -> e.data().toString()).toList());
        }
    }
}
