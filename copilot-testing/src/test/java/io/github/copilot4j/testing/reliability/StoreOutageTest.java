package io.github.copilot4j.testing.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionLeaseOptions;
import io.github.copilot4j.StoreFailure;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.internal.rpc.JsonRpcConnection;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import io.github.copilot4j.testing.runtime.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A session store that fails in the middle of turns: the turns complete for the user, the
 * failures are reported, and once the store is back its history of each session is complete, in
 * the runtime's order, without duplicates: queued events are retried, and events the client had
 * to give up (too many waiting, or the client closed meanwhile) are filled in from the runtime's
 * history ({@code session.getMessages}).
 */
@Timeout(60)
class StoreOutageTest {
    static final Duration TURN = Duration.ofSeconds(10);

    FakeRuntime runtime;
    FlakyStore store;
    final List<StoreFailure> failures = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        runtime = FakeRuntime.create();
        store = new FlakyStore(new InMemorySessionStore());
    }

    @AfterEach
    void tearDown() {
        runtime.close();
    }

    CopilotClient.Builder client() {
        // A claim whose release fails during an outage (a client closed then) lapses after 2 s; a later
        // client's resume waits for that.
        return CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .sessionStore(store)
                .onStoreFailure(failures::add)
                .sessionLeases(SessionLeaseOptions.builder()
                        .leaseDuration(Duration.ofSeconds(2))
                        .leaseWait(Duration.ofSeconds(20))
                        .build())
                .requestTimeout(Duration.ofSeconds(5));
    }

    @Test
    void turnsCompleteDuringAnOutageAndTheHistoryIsCompleteAfterIt() throws Exception {
        try (CopilotClient client = client().build()) {
            client.start();
            CopilotSession s = client.createSession(SessionConfig.builder().build());
            s.sendAndWait("before the outage", TURN);
            runtime.responder(t -> Reply.text("ECHO: " + t.prompt()).withDelay(Duration.ofMillis(300)));
            CompletableFuture<AssistantMessage> turn = s.sendAndWaitAsync("during the outage", TURN);
            store.down(true); // in the middle of the turn
            assertEquals(
                    "ECHO: during the outage", turn.get(20, TimeUnit.SECONDS).content());
            assertEquals(
                    "ECHO: second during the outage",
                    s.sendAndWait("second during the outage", TURN).content());
            assertEquals(ClientState.CONNECTED, client.state(), "a store failure never touches the connection");
            assertTrue(
                    failures.stream()
                            .anyMatch(f -> f.kind() == StoreFailure.Kind.SAVE_EVENTS
                                    && f.sessionId().equals(s.sessionId())
                                    && f.cause().getMessage().contains("unreachable")),
                    failures.toString());
            assertTrue(s.unsavedEventCount() > 0, "the turn's events are waiting for the store");

            store.down(false);
            awaitTrue(() -> s.unsavedEventCount() == 0, "the queued events are saved once the store is back");
            assertStoreMatchesRuntime(s.sessionId());
            assertEquals(
                    "ECHO: after the outage",
                    s.sendAndWait("after the outage", TURN).content());
            awaitTrue(() -> s.unsavedEventCount() == 0, "saved");
            assertStoreMatchesRuntime(s.sessionId());
            assertEquals(
                    1,
                    failures.stream()
                            .filter(f -> f.kind() == StoreFailure.Kind.SAVE_EVENTS)
                            .count(),
                    "reported once per outage, not once per retry: " + failures);
        }
    }

    @Test
    void eventsGivenUpOverTheLimitAreFilledInFromTheRuntime() throws Exception {
        try (CopilotClient client = client().maxUnsavedEvents(3).build()) {
            client.start();
            CopilotSession s = client.createSession(SessionConfig.builder().build());
            store.down(true);
            for (int i = 0; i < 3; i++) {
                s.sendAndWait("turn " + i, TURN); // 4 persisted events each: well over the limit of 3
            }
            assertTrue(failures.stream().anyMatch(f -> f.kind() == StoreFailure.Kind.EVENTS_LOST), failures.toString());
            assertTrue(s.unsavedEventCount() >= 12, "given-up events count as unsaved: " + s.unsavedEventCount());
            store.down(false);
            awaitTrue(() -> s.unsavedEventCount() == 0, "reconciled once the store is back");
            assertStoreMatchesRuntime(s.sessionId());
        }
    }

    /**
     * Events given up while the runtime's history is on its way (taken before they happened) are
     * not covered by it: the client must read the history again rather than forget them.
     */
    @Test
    void eventsGivenUpWhileTheRuntimesHistoryIsOnItsWayAreFilledInToo() throws Exception {
        runtime.close();
        CompletableFuture<Void> releaseHistory = new CompletableFuture<>();
        runtime = FakeRuntime.builder()
                .holdAnswers("session.getMessages", releaseHistory)
                .build();
        try (CopilotClient client = client().maxUnsavedEvents(3).build()) {
            client.start();
            CopilotSession s = client.createSession(SessionConfig.builder().build());
            s.sendAndWait("turn before", TURN);
            String id = s.sessionId();
            s.close();
            CopilotSession again = client.resumeSession(id); // checks the store against the runtime's history
            assertNotNull(
                    runtime.awaitRequest(r -> r.method().equals("session.getMessages"), Duration.ofSeconds(10)),
                    "history asked for");
            for (int i = 0; i < 3; i++) {
                again.sendAndWait("turn " + i, TURN); // 4 persisted events each, after the history was taken
            }
            assertTrue(failures.stream().anyMatch(f -> f.kind() == StoreFailure.Kind.EVENTS_LOST), failures.toString());
            releaseHistory.complete(null);
            awaitTrue(() -> again.unsavedEventCount() == 0, "reconciled");
            assertStoreMatchesRuntime(id);
        }
    }

    @Test
    void eventsUnsavedWhenTheClientClosesAreFilledInWhenTheSessionIsResumed() throws Exception {
        String id;
        try (CopilotClient first = client().build()) {
            first.start();
            CopilotSession s = first.createSession(SessionConfig.builder().build());
            id = s.sessionId();
            s.sendAndWait("saved turn", TURN);
            store.down(true);
            s.sendAndWait("unsaved turn", TURN);
            long t0 = System.nanoTime();
            first.close();
            assertTrue(
                    System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(11),
                    "close returns within its timeout despite the store");
            assertTrue(
                    failures.stream()
                            .anyMatch(f -> f.kind() == StoreFailure.Kind.EVENTS_LOST
                                    && f.sessionId().equals(id)),
                    failures.toString());
        }
        int failedCalls = store.failedCalls.get();
        Thread.sleep(1500);
        assertEquals(failedCalls, store.failedCalls.get(), "a closed client stops retrying");
        store.down(false);
        try (CopilotClient second = client().build()) {
            second.start();
            CopilotSession again = second.resumeSession(id);
            awaitTrue(() -> again.unsavedEventCount() == 0, "reconciled after resume");
            assertStoreMatchesRuntime(id);
            assertEquals("ECHO: next", again.sendAndWait("next", TURN).content());
            awaitTrue(() -> again.unsavedEventCount() == 0, "saved");
            assertStoreMatchesRuntime(id);
        }
    }

    @Test
    void anEventTheStoreRefusesDoesNotHoldUpTheOthers() throws Exception {
        store.refuse(e -> e.type().equals("user.message") && e.dataJson().contains("POISON"));
        try (CopilotClient client = client().build()) {
            client.start();
            CopilotSession s = client.createSession(SessionConfig.builder().build());
            s.sendAndWait("POISON pill", TURN);
            s.sendAndWait("healthy", TURN);
            awaitTrue(() -> s.unsavedEventCount() == 0, "the other events are saved");
            assertTrue(
                    failures.stream()
                            .anyMatch(f -> f.kind() == StoreFailure.Kind.EVENTS_LOST
                                    && f.cause() instanceof IllegalArgumentException),
                    failures.toString());
            List<String> stored = storedIds(s.sessionId());
            List<String> runtimeIds = new ArrayList<>(runtimeHistory(s.sessionId()));
            runtimeIds.removeIf(rid -> !stored.contains(rid));
            assertEquals(runtimeIds, stored);
            assertEquals(
                    runtimeHistory(s.sessionId()).size() - 1, stored.size(), "exactly the refused event is missing");
        }
    }

    // ------------------------------------------------------------------ helpers

    private void assertStoreMatchesRuntime(String sessionId) throws Exception {
        List<String> expected = runtimeHistory(sessionId);
        List<StoredEvent> events = store.readEvents(sessionId, 0, 10_000);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1L, events.get(i).seq(), "seq gap-free");
            assertTrue(
                    seen.add(events.get(i).eventId()),
                    "duplicate " + events.get(i).eventId());
        }
        assertEquals(expected, storedIds(sessionId), "the store holds the runtime's history, in order, once");
    }

    private List<String> storedIds(String sessionId) {
        return store.readEvents(sessionId, 0, 10_000).stream()
                .map(StoredEvent::eventId)
                .toList();
    }

    /** Ids of the session's persisted events, in order, as the runtime itself reports them (a separate raw connection). */
    private List<String> runtimeHistory(String sessionId) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        JsonRpcConnection raw = new JsonRpcConnection(
                InMemoryTransport.to(runtime).open(),
                new JsonRpcConnection.Handler() {
                    @Override
                    public void onNotification(String method, JsonNode params) {}

                    @Override
                    public CompletableFuture<JsonNode> onRequest(String method, JsonNode params) {
                        return null;
                    }

                    @Override
                    public void onClosed(ConnectionClosedException reason) {}
                },
                ex,
                1 << 24,
                Duration.ofMillis(100));
        try {
            raw.start();
            raw.request("connect", Json.object(), Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
            JsonNode r = raw.request(
                            "session.getMessages", Json.object().put("sessionId", sessionId), Duration.ofSeconds(5))
                    .get(5, TimeUnit.SECONDS);
            List<String> ids = new ArrayList<>();
            r.path("events").forEach(e -> ids.add(e.path("id").asText()));
            return ids;
        } finally {
            raw.close("done", Duration.ofMillis(100));
            ex.shutdownNow();
        }
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
