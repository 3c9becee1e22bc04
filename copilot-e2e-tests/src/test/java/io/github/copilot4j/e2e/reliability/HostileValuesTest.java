package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.RpcException;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionInfo;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile values through the public API, against each kind of store (in memory, H2 and
 * PostgreSQL through {@link JdbcSessionStore}): each one is either refused at once with a clear
 * {@link IllegalArgumentException} (the same way whatever the store), or kept verbatim — as ids,
 * owners, prompts and history — and never corrupts the store.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileValuesTest {
    static final Duration TURN = Duration.ofSeconds(20);

    /** Values every store must keep exactly, as session ids and owners. */
    static final List<String> VERBATIM = List.of(
            "x'); DROP TABLE copilot4j_sessions; --",
            "' OR '1'='1",
            "%",
            "_",
            "a%b_c",
            "\\",
            "\\\\'\"",
            "\"quoted\"",
            "${jndi:ldap://127.0.0.1/x}",
            "a;b",
            "/*comment*/",
            "$1",
            ":name",
            "?",
            "NULL",
            "null",
            "  leading and trailing  ",
            "\u00e9",
            "e\u0301",
            "\ud83d\ude00 emoji",
            "\u202eRTL override",
            "\u0645\u0631\u062d\u0628\u0627",
            "\u4e2d\u6587",
            "x".repeat(256));

    /** Prompts (free text) that must come back verbatim from the store. */
    static final List<String> PROMPTS = List.of(
            "line one\nline two\ttabbed\r\n",
            "bell \u0007 and NUL \u0000 inside",
            "'); DELETE FROM copilot4j_events; --",
            "{\"json\": [1, 2]}",
            "\ud83d\ude00\u200d\u2764\ufe0f",
            "big " + "y".repeat(300_000));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "h2", "postgres"})
    void refusedClearlyOrKeptVerbatim(String kind) throws Exception {
        Pg.Tenant pg = kind.equals("postgres") ? Pg.newTenant() : null;
        HikariDataSource pool = pg == null ? null : pg.pool();
        SessionStore store = switch (kind) {
            case "memory" -> new InMemorySessionStore();
            case "h2" -> JdbcSessionStore.h2InMemory("hostile" + System.nanoTime() % 100_000);
            default -> JdbcSessionStore.builder().dataSource(pool).build();
        };
        try (FakeRuntime runtime = FakeRuntime.create();
                CopilotClient client = CopilotClient.builder()
                        .transport(InMemoryTransport.to(runtime))
                        .sessionStore(store)
                        .requestTimeout(Duration.ofSeconds(10))
                        .build()) {
            client.start();
            CopilotSession plain = client.createSession(SessionConfig.builder().build());

            // Refused at once, whatever the store.
            List<Executable> refused = List.of(
                    () -> client.createSession(null),
                    () -> SessionConfig.builder().sessionId("").build(),
                    () -> SessionConfig.builder().sessionId("   ").build(),
                    () -> SessionConfig.builder().sessionId("x".repeat(257)).build(),
                    () -> SessionConfig.builder().sessionId("a\nb").build(),
                    () -> SessionConfig.builder().sessionId("nul\u0000").build(),
                    () -> SessionConfig.builder().sessionId("del\u007f").build(),
                    () -> SessionConfig.builder()
                            .sessionId("lone \ud800 surrogate")
                            .build(),
                    () -> SessionConfig.builder().owner("").build(),
                    () -> SessionConfig.builder().owner("o".repeat(257)).build(),
                    () -> SessionConfig.builder().owner("tab\there").build(),
                    () -> SessionConfig.builder().owner("\udc00").build(),
                    () -> SessionConfig.builder().model("").build(),
                    () -> SessionConfig.builder().model("m\r\n").build(),
                    () -> SessionConfig.builder().model("m".repeat(129)).build(),
                    () -> SessionConfig.builder().systemMessage("nul \u0000").build(),
                    () -> SessionConfig.builder().systemMessage("lone \ud800").build(),
                    () -> SessionConfig.builder().workingDirectory("dir\nname").build(),
                    () -> plain.send(null),
                    () -> plain.send(""),
                    () -> plain.send(" \n\t "),
                    () -> plain.send("lone \udbff surrogate"),
                    () -> client.resumeSession(null),
                    () -> client.resumeSession("a\u0000b"),
                    () -> client.deleteSession(null),
                    () -> client.deleteSession(""),
                    () -> client.deleteSession("x".repeat(257)),
                    () -> client.listSessions(null));
            for (int i = 0; i < refused.size(); i++) {
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, refused.get(i), "hostile value #" + i);
                assertTrue(
                        e.getMessage() != null && e.getMessage().length() > 10,
                        "a clear message for #" + i + ": " + e.getMessage());
            }

            // An unknown model: a clear error from the runtime, and nothing left in the store.
            RpcException unknown = assertThrows(
                    RpcException.class,
                    () -> client.createSession(SessionConfig.builder()
                            .sessionId("bad-model")
                            .model("no-such-model-'; DROP TABLE x; --")
                            .build()));
            assertTrue(
                    unknown.getMessage().contains("no-such-model")
                            && unknown.getMessage().contains("listModels"),
                    unknown.getMessage());
            assertTrue(store.find("bad-model").isEmpty(), "a refused session is not kept in the store");

            // Kept verbatim as ids and owners: created, found, listed by owner, then deleted, one by one.
            List<String> created = new ArrayList<>();
            for (String v : VERBATIM) {
                CopilotSession s = client.createSession(
                        SessionConfig.builder().sessionId(v).owner(v).build());
                assertEquals(v, s.sessionId());
                SessionRecord r = store.find(v).orElseThrow(() -> new AssertionError("not found: " + v));
                assertEquals(v, r.sessionId());
                assertEquals(v, r.owner());
                List<String> byOwner = client.listSessions(SessionQuery.byOwner(v)).items().stream()
                        .map(SessionInfo::sessionId)
                        .toList();
                assertEquals(List.of(v), byOwner, "owner filter '" + v + "' matches exactly its own session");
                created.add(v);
            }
            List<String> listed =
                    client.listSessions().stream().map(SessionInfo::sessionId).toList();
            assertTrue(
                    listed.containsAll(created),
                    "missing from the list: "
                            + created.stream().filter(c -> !listed.contains(c)).toList() + "; store list: "
                            + store.list(SessionQuery.all().withLimit(1000)).items().stream()
                                    .map(SessionRecord::sessionId)
                                    .toList());
            CopilotSession sqlish = client.session(VERBATIM.get(0)).orElseThrow();
            for (String p : PROMPTS) {
                String reply = sqlish.sendAndWait(p, TURN).content();
                assertEquals("ECHO: " + p, reply);
            }
            List<String> prompts = sqlish.messages().stream()
                    .flatMap(e -> e.as(UserMessage.class).stream())
                    .map(UserMessage::content)
                    .toList();
            assertEquals(PROMPTS, prompts, "prompts come back verbatim from the store");
            for (String v : VERBATIM) {
                client.deleteSession(v);
                assertTrue(store.find(v).isEmpty(), "deleted: " + v);
            }

            // The store is intact: the plain session, its history, listing and paging still work.
            assertEquals(
                    "ECHO: still fine", plain.sendAndWait("still fine", TURN).content());
            plain.messages(); // waits until the session's events are in the store
            List<StoredEvent> events = store.readEvents(plain.sessionId(), 0, 1000);
            assertTrue(events.stream()
                    .anyMatch(e ->
                            Json.read(e.dataJson()).path("content").asText().equals("still fine")));
            assertEquals(
                    List.of(plain.sessionId()),
                    store.list(SessionQuery.all()).items().stream()
                            .map(SessionRecord::sessionId)
                            .toList());
        } finally {
            store.close();
            if (pool != null) {
                pool.close();
            }
            if (pg != null) {
                pg.close();
            }
        }
    }
}
