package io.github.copilot4j.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.Page;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionErrorException;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import io.github.copilot4j.testing.runtime.Reply;
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The meters and turn observations of {@link CopilotMetrics}, on the in-JVM fake runtime. */
@Timeout(30)
class CopilotMetricsTest {
    static final Duration TURN = Duration.ofSeconds(10);

    FakeRuntime runtime;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    TestObservationRegistry observations = TestObservationRegistry.create();
    CopilotClient client;
    /** turnEnded outcomes, to wait on. */
    LinkedBlockingQueue<ClientObserver.TurnOutcome> ended = new LinkedBlockingQueue<>();

    LinkedBlockingQueue<io.github.copilot4j.StoreFailure> storeFailures = new LinkedBlockingQueue<>();
    /** disconnected() calls, to wait on (this observer comes after the metrics one, so they have counted it). */
    LinkedBlockingQueue<ConnectionClosedException> disconnects = new LinkedBlockingQueue<>();

    CopilotClient start(SessionStore store) {
        CopilotMetrics metrics =
                CopilotMetrics.builder(meters).observationRegistry(observations).build();
        client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .sessionStore(store)
                .requestTimeout(Duration.ofSeconds(5))
                .observer(metrics)
                .observer(new ClientObserver() {
                    @Override
                    public void turnEnded(CopilotSession s, TurnOutcome outcome, Throwable error) {
                        ended.add(outcome);
                    }

                    @Override
                    public void storeFailure(io.github.copilot4j.StoreFailure failure) {
                        storeFailures.add(failure);
                    }

                    @Override
                    public void disconnected(CopilotClient c, ConnectionClosedException reason) {
                        disconnects.add(reason);
                    }
                })
                .build();
        client.start();
        return client;
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    /** A runtime whose turns report usage (as the real CLI does with assistant.usage) before the answer. */
    void usageRuntime(long in, long out, Double cost) {
        FakeRuntime[] self = new FakeRuntime[1];
        self[0] = FakeRuntime.builder()
                .responder(turn -> {
                    var usage = JsonNodeFactory.instance
                            .objectNode()
                            .put("model", turn.model() == null ? "gpt-5" : turn.model())
                            .put("inputTokens", in)
                            .put("outputTokens", out);
                    if (cost != null) {
                        usage.put("cost", cost);
                    }
                    self[0].emitEvent(turn.sessionId(), "assistant.usage", usage, true);
                    return Reply.text("ECHO: " + turn.prompt());
                })
                .build();
        runtime = self[0];
    }

    double counter(String name, String... tags) {
        var c = meters.find(name).tags(tags).counter();
        assertNotNull(c, name + " " + List.of(tags) + " in " + meters.getMetersAsString());
        return c.count();
    }

    @Test
    void aTurnIsOneObservationWithLowCardinalityTagsAndItsTokens() {
        usageRuntime(120, 7, 0.5);
        start(new InMemorySessionStore());
        CopilotSession s = client.createSession(SessionConfig.builder()
                .sessionId("sess-secret-1")
                .owner("alice")
                .model("gpt-5")
                .build());
        assertEquals("ECHO: hi", s.sendAndWait("hi", TURN).content());
        java.util.concurrent.atomic.AtomicReference<Observation.ContextView> seen =
                new java.util.concurrent.atomic.AtomicReference<>();

        assertThat(observations)
                .hasNumberOfObservationsWithNameEqualTo(CopilotMetrics.TURN, 1)
                .hasObservationWithNameEqualTo(CopilotMetrics.TURN)
                .that()
                .hasBeenStarted()
                .hasBeenStopped()
                .hasContextualNameEqualTo("copilot turn")
                .hasLowCardinalityKeyValue("model", "gpt-5")
                .hasLowCardinalityKeyValue("outcome", "success")
                .hasLowCardinalityKeyValue("transport", "in-memory")
                .doesNotHaveError()
                .satisfies(c -> seen.set(c));
        Observation.ContextView ctx = seen.get();
        for (KeyValue kv : ctx.getAllKeyValues()) {
            assertFalse(
                    kv.getValue().contains("sess-secret-1") || kv.getValue().contains("alice"),
                    "high cardinality tag " + kv);
        }
        CopilotTurnContext turn = (CopilotTurnContext) ctx;
        assertEquals(120, turn.inputTokens());
        assertEquals(7, turn.outputTokens());
        assertEquals("sess-secret-1", turn.sessionId());

        assertEquals(120, counter(CopilotMetrics.TOKENS, "type", "input", "model", "gpt-5", "transport", "in-memory"));
        assertEquals(7, counter(CopilotMetrics.TOKENS, "type", "output", "model", "gpt-5"));
        assertEquals(0.5, counter(CopilotMetrics.COST, "model", "gpt-5"), 1e-9);
        for (Meter m : meters.getMeters()) {
            m.getId()
                    .getTags()
                    .forEach(t -> assertFalse(
                            t.getValue().contains("sess-secret-1")
                                    || t.getValue().contains("alice"),
                            "meter " + m.getId() + " carries a session id or owner"));
        }
        var send = meters.find(CopilotMetrics.RPC)
                .tags("method", "session.send", "outcome", "success", "transport", "in-memory")
                .timer();
        assertNotNull(send, meters.getMetersAsString());
        assertEquals(1, send.count());
        assertEquals(
                1,
                meters.find(CopilotMetrics.RPC)
                        .tags("method", "session.create")
                        .timer()
                        .count());
        assertTrue(meters.find(CopilotMetrics.RPC)
                        .tags("method", "connect")
                        .timer()
                        .count()
                >= 1);
    }

    @Test
    void withoutAnObservationRegistryTurnsBecomeATimerInTheMeterRegistry() {
        usageRuntime(10, 2, null);
        CopilotMetrics metrics = CopilotMetrics.builder(meters).build();
        client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .observer(metrics)
                .build();
        client.start();
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        s.sendAndWait("one", TURN);
        s.sendAndWait("two", TURN);
        // the session has no model configured: the one the runtime reported using
        var timer = meters.find(CopilotMetrics.TURN)
                .tags("outcome", "success", "model", "gpt-5", "transport", "in-memory")
                .timer();
        assertNotNull(timer, meters.getMetersAsString());
        assertEquals(2, timer.count());
        assertEquals(20, counter(CopilotMetrics.TOKENS, "type", "input", "model", "gpt-5"));
        assertTrue(meters.find(CopilotMetrics.COST).counters().isEmpty(), "no cost reported, no cost counter");
    }

    @Test
    void theCallersObservationIsTheTurnsParent() throws Exception {
        runtime = FakeRuntime.create();
        start(new InMemorySessionStore());
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        Observation request = Observation.start("http.request", observations);
        try (Observation.Scope scope = request.openScope()) {
            s.sendAndWait("hi", TURN);
        } finally {
            request.stop();
        }
        assertThat(observations)
                .hasObservationWithNameEqualTo(CopilotMetrics.TURN)
                .that()
                .hasParentObservationContextMatching(p -> p.getName().equals("http.request"));
    }

    @Test
    void aFailedTurnIsTaggedError() throws Exception {
        runtime = FakeRuntime.builder()
                .responder(t -> Reply.error("model refused"))
                .build();
        start(new InMemorySessionStore());
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        assertThrows(SessionErrorException.class, () -> s.sendAndWait("hi", TURN));
        assertEquals(ClientObserver.TurnOutcome.ERROR, ended.poll(10, TimeUnit.SECONDS));
        assertThat(observations)
                .hasObservationWithNameEqualTo(CopilotMetrics.TURN)
                .that()
                .hasLowCardinalityKeyValue("outcome", "error")
                .hasError()
                .assertThatError()
                .isInstanceOf(SessionErrorException.class);
    }

    @Test
    void gaugesFollowOpenSessionsAndCountersDisconnectsAndReconnects() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        runtime = FakeRuntime.builder()
                .responder(t -> {
                    if (t.prompt().equals("block")) {
                        entered.countDown();
                        try {
                            release.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return Reply.text("ok");
                })
                .build();
        start(new InMemorySessionStore());
        CopilotSession a = client.createSession(SessionConfig.builder().build());
        CopilotSession b = client.createSession(SessionConfig.builder().build());
        assertEquals(2, meters.get(CopilotMetrics.SESSIONS_OPEN).gauge().value());
        assertEquals(0, meters.get(CopilotMetrics.UNSAVED_EVENTS).gauge().value());
        b.close();
        assertEquals(1, meters.get(CopilotMetrics.SESSIONS_OPEN).gauge().value());
        assertEquals(0, counter(CopilotMetrics.DISCONNECTS));

        CompletableFuture<?> inFlight = a.sendAndWaitAsync("block", TURN);
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        runtime.kill("test kills the runtime");
        assertEquals(ClientObserver.TurnOutcome.DISCONNECTED, ended.poll(10, TimeUnit.SECONDS));
        assertTrue(
                inFlight.handle((r, e) -> e).get(10, TimeUnit.SECONDS).getCause() instanceof ConnectionClosedException
                        || inFlight.isCompletedExceptionally());
        release.countDown();
        // The turn fails as soon as the connection ends; observers hear of the disconnect a little
        // later, once the client has dropped the connection's sessions: wait for that.
        assertNotNull(disconnects.poll(10, TimeUnit.SECONDS), "observers are told of the disconnect");
        assertEquals(1, counter(CopilotMetrics.DISCONNECTS));
        assertEquals(0, meters.get(CopilotMetrics.SESSIONS_OPEN).gauge().value());
        assertThat(observations)
                .hasObservationWithNameEqualTo(CopilotMetrics.TURN)
                .that()
                .hasLowCardinalityKeyValue("outcome", "disconnected");

        assertEquals(0, counter(CopilotMetrics.RECONNECTS));
        client.start();
        assertEquals(1, counter(CopilotMetrics.RECONNECTS));
    }

    @Test
    void storeFailuresAreCountedByKind() throws Exception {
        runtime = FakeRuntime.create();
        FailingAppends store = new FailingAppends();
        start(store);
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        store.failing = true;
        s.sendAndWait("hi", TURN);
        // reported on the store lane; CopilotMetrics was told first (observers run in the order added)
        assertNotNull(storeFailures.poll(10, TimeUnit.SECONDS));
        assertEquals(1, counter(CopilotMetrics.STORE_FAILURES, "kind", "save_events"));
        assertTrue(meters.get(CopilotMetrics.UNSAVED_EVENTS).gauge().value() > 0, "events wait for the store");
    }

    @Test
    void aRefusedLeaseIsCountedByReason() {
        runtime = FakeRuntime.create();
        io.github.copilot4j.store.InMemorySessionStateStore state =
                new io.github.copilot4j.store.InMemorySessionStateStore();
        InMemorySessionStore sessions = new InMemorySessionStore();
        try (CopilotClient holder = CopilotClient.builder()
                        .transport(InMemoryTransport.to(runtime))
                        .sessionStore(sessions)
                        .sessionFs(
                                state,
                                io.github.copilot4j.SessionFsOptions.builder()
                                        .holderId("node-a")
                                        .build())
                        .build();
                FakeRuntime other = FakeRuntime.create()) {
            holder.start();
            holder.createSession(SessionConfig.builder().sessionId("leased").build());
            CopilotMetrics metrics = CopilotMetrics.builder(meters).build();
            client = CopilotClient.builder()
                    .transport(InMemoryTransport.to(other))
                    .sessionStore(sessions)
                    .observer(metrics)
                    .sessionFs(
                            state,
                            io.github.copilot4j.SessionFsOptions.builder()
                                    .holderId("node-b")
                                    .build())
                    .build();
            client.start();
            assertThrows(
                    io.github.copilot4j.spi.SessionLeaseException.Held.class, () -> client.resumeSession("leased"));
            assertEquals(1, counter(CopilotMetrics.LEASE_REFUSALS, "reason", "held"));
            client.close();
        }
    }

    /** An in-memory store whose appends fail while {@code failing}. */
    static final class FailingAppends implements SessionStore {
        final InMemorySessionStore d = new InMemorySessionStore();
        volatile boolean failing;

        public SessionRecord create(SessionRecord r) {
            return d.create(r);
        }

        public SessionRecord update(SessionRecord r) {
            return d.update(r);
        }

        public Optional<SessionRecord> find(String id) {
            return d.find(id);
        }

        public List<StoredEvent> append(String id, List<NewEvent> events) {
            if (failing) {
                throw new SessionStoreException("database down (test)");
            }
            return d.append(id, events);
        }

        public List<StoredEvent> readEvents(String id, long afterSeq, int limit) {
            return d.readEvents(id, afterSeq, limit);
        }

        public List<StoredEvent> lastEvents(String id, int count) {
            return d.lastEvents(id, count);
        }

        public Page<SessionRecord> list(SessionQuery q) {
            return d.list(q);
        }

        public boolean delete(String id) {
            return d.delete(id);
        }

        public int deleteExpired(Instant cutoff) {
            return d.deleteExpired(cutoff);
        }

        public void close() {
            d.close();
        }
    }
}
