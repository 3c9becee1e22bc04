package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionLeaseOptions;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.StoreFailure;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL goes away in the middle of a turn of the real CLI (the store's role loses LOGIN and
 * its connections are terminated): the turns complete for the user, the failure is reported, and
 * once the database is back the session's history in the {@link JdbcSessionStore} is complete —
 * the queued events are retried, and the events still unsaved when the client was closed are
 * filled in from the runtime's history when a new client resumes the session — without
 * duplicates and with a gap-free seq.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresOutageTest {
    static final Duration TURN = Duration.ofSeconds(60);

    @Test
    void connectionsCutInTheMiddleOfATurn() throws Exception {
        try (Pg.Tenant pg = Pg.newTenant();
                HikariDataSource pool = pg.pool();
                OfflineCopilot offline = OfflineCopilot.start()) {
            SessionStore store = JdbcSessionStore.builder().dataSource(pool).build();
            FakeCopilotApi fake = offline.fakeApi();
            List<StoreFailure> failures = new CopyOnWriteArrayList<>();
            List<String> seen = new CopyOnWriteArrayList<>();
            String id;
            // Its claim cannot be released while the database is away at close: it lapses after 3 s.
            try (CopilotClient client = CopilotClient.builder()
                    .transport(offline.stdioTransport())
                    .sessionStore(store)
                    .sessionLeases(SessionLeaseOptions.builder()
                            .leaseDuration(Duration.ofSeconds(3))
                            .build())
                    .onStoreFailure(failures::add)
                    .closeTimeout(Duration.ofSeconds(8))
                    .build()) {
                client.start();
                CopilotSession s = client.createSession(SessionConfig.builder()
                        .model("gpt-5")
                        .owner("pg-outage")
                        .build());
                id = s.sessionId();
                s.on(e -> {
                    if (!e.ephemeral()) {
                        seen.add(e.id());
                    }
                });
                s.sendAndWait("before the outage", TURN);
                fake.when(FakeCopilotApi.promptContains("during the outage"))
                        .times(1)
                        .reply(Reply.text("answered during the outage").delayed(Duration.ofMillis(1500)));
                CompletableFuture<AssistantMessage> turn = s.sendAndWaitAsync("during the outage", TURN);
                fake.awaitChatRequest(r -> r.lastUserText().equals("during the outage"), Duration.ofSeconds(30));
                pg.cut(); // while the model is answering
                assertEquals(
                        "answered during the outage",
                        turn.get(60, TimeUnit.SECONDS).content());
                assertEquals(
                        "ECHO: second during the outage",
                        s.sendAndWait("second during the outage", TURN).content());
                assertEquals(ClientState.CONNECTED, client.state());
                await(
                        () -> failures.stream()
                                .anyMatch(f -> f.kind() == StoreFailure.Kind.SAVE_EVENTS
                                        && f.sessionId().equals(s.sessionId())),
                        "the failure is reported: " + failures);
                assertTrue(s.unsavedEventCount() > 0, "events wait for the database");

                pg.restore();
                await(() -> s.unsavedEventCount() == 0, "saved once the database is back");
                assertComplete(
                        store, id, seen, List.of("before the outage", "during the outage", "second during the outage"));

                // The database goes away again, and the client is closed before it comes back.
                pg.cut();
                s.sendAndWait("unsaved at close", TURN);
                failures.clear();
            }
            assertTrue(
                    failures.stream().anyMatch(f -> f.kind() == StoreFailure.Kind.EVENTS_LOST && f.unsavedEvents() > 0),
                    "close reports what it could not save: " + failures);
            Thread.sleep(
                    2000); // longer than the pool's connection timeout: a store call still running from close() has
            // given up
            pg.restore();
            assertTrue(
                    readWhenBack(store, id).stream().noneMatch(e -> e.dataJson().contains("unsaved at close")),
                    "the closed client wrote nothing more: only the resume below can fill the gap");
            try (CopilotClient second = CopilotClient.builder()
                    .transport(offline.stdioTransport())
                    .sessionStore(store)
                    .sessionLeases(SessionLeaseOptions.builder()
                            .leaseWait(Duration.ofSeconds(30))
                            .build())
                    .build()) {
                second.start();
                CopilotSession again = second.resumeSession(id);
                await(() -> again.unsavedEventCount() == 0, "reconciled from the runtime's history");
                assertEquals(
                        "ECHO: after the outages",
                        again.sendAndWait("after the outages", TURN).content());
                await(() -> again.unsavedEventCount() == 0, "saved");
                assertEquals(
                        1, store.list(SessionQuery.byOwner("pg-outage")).items().size());
                List<String> prompts = again.messages().stream()
                        .flatMap(e -> e.as(UserMessage.class).stream())
                        .map(UserMessage::content)
                        .toList();
                assertEquals(
                        List.of(
                                "before the outage",
                                "during the outage",
                                "second during the outage",
                                "unsaved at close",
                                "after the outages"),
                        prompts,
                        "the whole conversation, in order, once");
                assertComplete(store, id, List.of(), prompts);
            }
            // The runtime's own history (asked directly, bypassing client and store) is all in the store, in the same
            // order.
            // (Events the runtime does not keep, e.g. its later system.message events, cannot be recovered from it.)
            List<String> runtime = RawRuntime.history(offline.stdioTransport(), id).stream()
                    .filter(e -> !e.endsWith(" session.resume"))
                    .map(e -> e.substring(0, e.indexOf(' ')))
                    .toList();
            List<String> stored = store.readEvents(id, 0, 10_000).stream()
                    .map(StoredEvent::eventId)
                    .filter(runtime::contains)
                    .toList();
            assertEquals(runtime, stored, "the runtime's history, in order, once");
        }
    }

    /** seq gap-free, no duplicate ids, every event the client saw is stored, and the prompts in order. */
    static void assertComplete(SessionStore store, String id, List<String> seen, List<String> prompts) {
        List<StoredEvent> events = store.readEvents(id, 0, 10_000);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1L, events.get(i).seq(), "seq gap-free");
            assertTrue(
                    ids.add(events.get(i).eventId()),
                    "duplicate event " + events.get(i).eventId());
        }
        for (String e : seen) {
            assertTrue(ids.contains(e), "event " + e + " received by the client is missing from the store");
        }
        List<String> storedPrompts = events.stream()
                .filter(e -> e.type().equals("user.message"))
                .map(e -> Json.read(e.dataJson()).path("content").asText())
                .toList();
        assertEquals(prompts, storedPrompts);
    }

    /** The session's events, retrying while the pool reconnects after the outage. */
    static List<StoredEvent> readWhenBack(SessionStore store, String id) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                return store.readEvents(id, 0, 10_000);
            } catch (RuntimeException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
