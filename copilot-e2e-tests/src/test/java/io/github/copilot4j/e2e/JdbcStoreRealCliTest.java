package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.Page;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionInfo;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.spi.SessionStatus;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.testing.db.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client with the JDBC store against the real CLI: sessions, their summaries and their history
 * outlive the client (and the store object), and a new client lists, reads and resumes them. On an
 * H2 file and on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class JdbcStoreRealCliTest {
    static final Duration TURN = Duration.ofSeconds(60);
    OfflineCopilot offline;

    @BeforeAll
    void start() {
        offline = OfflineCopilot.start();
    }

    @AfterAll
    void stop() {
        offline.close();
    }

    @Test
    void h2File(@TempDir Path dir) {
        survivesARestart(() -> JdbcSessionStore.h2(dir.resolve("store")), "h2");
    }

    @Test
    void postgres() {
        try (TestPostgres.TestSchema schema = TestPostgres.newSchema()) {
            survivesARestart(
                    () -> JdbcSessionStore.builder()
                            .dataSource(schema.dataSource())
                            .build(),
                    "pg");
        }
    }

    private void survivesARestart(Supplier<JdbcSessionStore> stores, String tag) {
        String owner = "owner-" + tag;
        String id;
        try (JdbcSessionStore store = stores.get();
                CopilotClient client = CopilotClient.builder()
                        .transport(offline.stdioTransport())
                        .sessionStore(store)
                        .build()) {
            client.start();
            CopilotSession s = client.createSession(
                    SessionConfig.builder().owner(owner).model("gpt-5").build());
            id = s.sessionId();
            s.sendAndWait("How do I initialize a module?", TURN);
            s.sendAndWait("And how do I add a dependency?", TURN);
            client.createSession(SessionConfig.builder()
                            .owner("someone-else")
                            .model("gpt-5")
                            .build())
                    .sendAndWait("unrelated", TURN);
        }
        try (JdbcSessionStore store = stores.get();
                CopilotClient client = CopilotClient.builder()
                        .transport(offline.stdioTransport())
                        .sessionStore(store)
                        .build()) {
            assertStored(store, id);
            Page<SessionInfo> mine = client.listSessions(SessionQuery.byOwner(owner));
            assertEquals(
                    List.of(id),
                    mine.items().stream().map(SessionInfo::sessionId).toList(),
                    "owner filter, before connecting");
            assertEquals("How do I initialize a module?", mine.items().get(0).summary());
            assertEquals("gpt-5", mine.items().get(0).model());

            client.start();
            CopilotSession again = client.resumeSession(id);
            List<String> prompts = again.messages().stream()
                    .flatMap(e -> e.as(UserMessage.class).stream())
                    .map(UserMessage::content)
                    .toList();
            assertEquals(List.of("How do I initialize a module?", "And how do I add a dependency?"), prompts);
            AssistantMessage m = again.sendAndWait("And how do I tidy it?", TURN);
            assertEquals("ECHO: And how do I tidy it?", m.content());
            List<String> userTexts = offline.fakeApi().chatRequests(id).stream()
                    .filter(r -> r.lastUserText().equals("And how do I tidy it?"))
                    .findFirst()
                    .orElseThrow()
                    .texts("user");
            assertEquals(
                    List.of("How do I initialize a module?", "And how do I add a dependency?", "And how do I tidy it?"),
                    userTexts);
            assertEquals(SessionStatus.ACTIVE, store.find(id).orElseThrow().status());
        }
    }

    private static void assertStored(SessionStore store, String id) {
        List<StoredEvent> events = store.readEvents(id, 0, 10_000);
        assertTrue(events.size() >= 6, "events stored: " + events.size());
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).seq(), "gap-free seq");
        }
        assertTrue(
                events.stream()
                        .noneMatch(e -> e.type().equals("assistant.message_delta")
                                || e.type().equals("session.idle")),
                "ephemeral events are not stored");
        assertEquals(SessionStatus.DETACHED, store.find(id).orElseThrow().status(), "closed with the client: detached");
    }
}
