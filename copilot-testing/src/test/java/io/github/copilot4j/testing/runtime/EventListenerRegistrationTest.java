package io.github.copilot4j.testing.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.event.SessionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which events a listener sees depends only on how it was registered, never on timing: one given
 * in the config sees every event from {@code session.start} on; one added with {@code on()} sees
 * what is delivered after it was added. (The benchmark's order check once assumed the second kind
 * saw {@code session.start}, and failed whenever delivery won the race.)
 */
@Timeout(30)
class EventListenerRegistrationTest {

    @Test
    void aConfigListenerSeesSessionStartEvenWhenDeliveryRanBeforeCreateReturned() throws Exception {
        ExecutorService callbacks = Executors.newSingleThreadExecutor();
        try (FakeRuntime runtime = FakeRuntime.create();
                CopilotClient client = CopilotClient.builder()
                        .transport(InMemoryTransport.to(runtime))
                        .callbackExecutor(callbacks)
                        .requestTimeout(Duration.ofSeconds(10))
                        .build()) {
            client.start();
            for (int i = 0; i < 20; i++) {
                List<SessionEvent> fromConfig = Collections.synchronizedList(new ArrayList<>());
                CopilotSession s = client.createSession(
                        SessionConfig.builder().onEvent(fromConfig::add).build());
                // Everything routed so far has been delivered: session.start is behind us.
                callbacks.submit(() -> {}).get(10, TimeUnit.SECONDS);
                List<SessionEvent> late = Collections.synchronizedList(new ArrayList<>());
                s.on(late::add);
                s.sendAndWait("turn " + i, Duration.ofSeconds(10));

                assertEquals("session.start", fromConfig.get(0).type(), "the config listener's first event");
                assertFalse(
                        late.stream().anyMatch(e -> e.type().equals("session.start")),
                        "a listener added after delivery sees no replay: " + late);
                assertEquals(
                        fromConfig.subList(1, fromConfig.size()),
                        late,
                        "both see the turn's events, in the same order");
            }
        } finally {
            callbacks.shutdownNow();
        }
    }

    @Test
    void configListenersAreKeptByToBuilderAndShownOnlyAsACount() {
        SessionConfig c =
                SessionConfig.builder().onEvent(e -> {}).onEvent(e -> {}).build();
        assertEquals(2, c.toBuilder().build().eventListeners().size());
        assertEquals(true, c.toString().contains("eventListeners=2"), c.toString());
    }
}
