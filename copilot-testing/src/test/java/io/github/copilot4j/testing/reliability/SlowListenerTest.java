package io.github.copilot4j.testing.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.AssistantMessageDelta;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import io.github.copilot4j.testing.runtime.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One session's listener blocks for seconds: the other sessions' turns (run in parallel, on a
 * callback pool of only four threads) are not delayed, the blocked session's events are still
 * saved to the store meanwhile, and once the listener returns it gets every event of its session,
 * in the runtime's order.
 */
@Timeout(60)
class SlowListenerTest {

    @Test
    void aBlockedListenerDelaysOnlyItsOwnSession() throws Exception {
        ExecutorService callbacks = Executors.newFixedThreadPool(4);
        InMemorySessionStore store = new InMemorySessionStore();
        try (FakeRuntime runtime = FakeRuntime.builder()
                        .responder(t -> Reply.text("ECHO: " + t.prompt() + " with some more words")
                                .withChunks(5))
                        .build();
                CopilotClient client = CopilotClient.builder()
                        .transport(InMemoryTransport.to(runtime))
                        .sessionStore(store)
                        .callbackExecutor(callbacks)
                        .requestTimeout(Duration.ofSeconds(10))
                        .build()) {
            client.start();
            CopilotSession slow =
                    client.createSession(SessionConfig.builder().streaming(true).build());
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            List<SessionEvent> slowSeen = Collections.synchronizedList(new ArrayList<>());
            slow.on(e -> {
                slowSeen.add(e);
                if (e.type().equals("user.message") && blocked.getCount() > 0) {
                    blocked.countDown();
                    try {
                        Thread.sleep(2000); // blocks for seconds...
                        release.await(30, TimeUnit.SECONDS); // ...and until the others are done
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            CompletableFuture<AssistantMessage> slowTurn =
                    slow.sendAndWaitAsync("the slow one", Duration.ofSeconds(40));
            assertTrue(blocked.await(10, TimeUnit.SECONDS), "the slow listener started");

            List<CopilotSession> others = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                others.add(client.createSession(
                        SessionConfig.builder().streaming(true).build()));
            }
            long t0 = System.nanoTime();
            List<CompletableFuture<AssistantMessage>> turns = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                turns.clear();
                for (int i = 0; i < others.size(); i++) {
                    turns.add(
                            others.get(i).sendAndWaitAsync("session " + i + " round " + round, Duration.ofSeconds(20)));
                }
                for (int i = 0; i < others.size(); i++) {
                    assertEquals(
                            "ECHO: session " + i + " round " + round + " with some more words",
                            turns.get(i).get(20, TimeUnit.SECONDS).content());
                }
            }
            long othersMillis = (System.nanoTime() - t0) / 1_000_000;
            assertFalse(slowTurn.isDone(), "the blocked session's turn waits for its own listener");
            assertEquals(1, release.getCount(), "the others finished while the slow listener was still blocked");
            assertTrue(othersMillis < 10_000, "18 turns of other sessions took " + othersMillis + " ms");

            // The blocked session's events reached the store meanwhile: persistence does not wait for listeners.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (store.readEvents(slow.sessionId(), 0, 100).stream()
                            .noneMatch(ev -> ev.type().equals("assistant.turn_end"))
                    && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertTrue(
                    store.readEvents(slow.sessionId(), 0, 100).stream()
                            .anyMatch(ev -> ev.type().equals("assistant.turn_end")),
                    "the whole turn is stored while the listener is still blocked");

            release.countDown();
            AssistantMessage m = slowTurn.get(20, TimeUnit.SECONDS);
            assertEquals("ECHO: the slow one with some more words", m.content());
            List<SessionEvent> seen = List.copyOf(slowSeen);
            List<String> persistedSeen = seen.stream()
                    .filter(e -> !e.ephemeral())
                    .map(SessionEvent::id)
                    .toList();
            List<String> stored = store.readEvents(slow.sessionId(), 0, 100).stream()
                    .map(StoredEvent::eventId)
                    .toList();
            assertEquals(
                    stored.subList(stored.size() - persistedSeen.size(), stored.size()),
                    persistedSeen,
                    "the listener saw the session's events in the runtime's order");
            StringBuilder deltas = new StringBuilder();
            seen.stream()
                    .flatMap(e -> e.as(AssistantMessageDelta.class).stream())
                    .forEach(d -> deltas.append(d.deltaContent()));
            assertEquals(m.content(), deltas.toString(), "deltas in order");
            List<String> types = seen.stream().map(SessionEvent::type).toList();
            assertTrue(
                    types.indexOf("user.message") < types.indexOf("assistant.message_delta")
                            && types.lastIndexOf("assistant.message_delta") < types.indexOf("assistant.message")
                            && types.indexOf("assistant.message") < types.indexOf("session.idle"),
                    types.toString());
        } finally {
            callbacks.shutdownNow();
        }
    }
}
