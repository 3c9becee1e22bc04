package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionFsOptions;
import io.github.copilot4j.SessionInfo;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.ChatRequest;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.store.jdbc.state.JdbcSessionStateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The REAL Copilot CLI with the client as its session filesystem, the state in a database: a
 * session made on "machine A" is resumed on "machine B" (a fresh CLI home, nothing on disk), one
 * client drives it at a time, and nothing of the conversation lands on either CLI's disk. At most
 * two CLI processes at a time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
abstract class SessionFsRealCliContract {
    static final Duration TURN = Duration.ofSeconds(60);
    static final String MODEL = "claude-sonnet-4.5";

    DataSource dataSource;
    SessionStateStore state;

    /** A fresh database (H2 or PostgreSQL) for this class. */
    abstract DataSource openDatabase();

    abstract void dropDatabase();

    @BeforeAll
    void openStore() {
        dataSource = openDatabase();
        state = JdbcSessionStateStore.builder().dataSource(dataSource).build();
    }

    @AfterAll
    void closeStore() {
        if (state != null) {
            state.close();
        }
        dropDatabase();
    }

    static CopilotClient client(
            Transport transport, InMemorySessionStore sessions, SessionStateStore state, String holder, Path cwd) {
        return CopilotClient.builder()
                .transport(transport)
                .sessionStore(sessions)
                .sessionFs(
                        state,
                        SessionFsOptions.builder()
                                .holderId(holder)
                                .initialCwd(cwd.toString())
                                .build())
                .requestTimeout(Duration.ofSeconds(30))
                .startTimeout(Duration.ofSeconds(60))
                .build();
    }

    @Test
    void theSessionMovesToAFreshCliThroughTheStoreAndOneClientDrivesItAtATime() throws Exception {
        String id = "fs-e2e-" + getClass().getSimpleName() + "-" + System.nanoTime();
        String p1 = "My favourite colour is teal.";
        String p2 = "What did I say my favourite colour was?";
        String p3 = "And what is my name?";
        String p4 = "Continue on the third client.";
        InMemorySessionStore sessions = new InMemorySessionStore();

        Path homeA;
        try (OfflineCopilot a = OfflineCopilot.start()) {
            homeA = a.environment().copilotHome();
            try (CopilotClient ca = client(
                    a.stdioTransport(),
                    sessions,
                    state,
                    "machine-A",
                    a.environment().workDir())) {
                ca.start();
                CopilotSession s = ca.createSession(
                        SessionConfig.builder().sessionId(id).model(MODEL).build());
                assertEquals(SessionFsOptions.DEFAULT_SESSION_STATE_PATH, s.workspacePath());
                assertEquals("ECHO: " + p1, s.sendAndWait(p1, TURN).content());
                assertEquals("ECHO: " + p2, s.sendAndWait(p2, TURN).content());
                String body =
                        a.fakeApi().chatRequests(id).get(0).request().body().toString();
                assertTrue(
                        body.contains("Session folder: " + SessionFsOptions.DEFAULT_SESSION_STATE_PATH),
                        "the system prompt names the virtual session folder (the CLI's own home was refused)");
                assertFalse(
                        body.contains(a.environment().copilotHome().toString() + "/session-state"),
                        "and not the CLI's home");
                assertEquals("machine-A", state.findLease(id).orElseThrow().holder());
            }
            assertNothingOfTheConversationOnDisk(a.environment().copilotHome(), List.of(p1, p2));
            assertNothingOfTheConversationOnDisk(a.environment().home(), List.of(p1, p2));
        }
        assertFalse(Files.exists(homeA), "machine A's CLI home is gone");
        assertTrue(state.findLease(id).isEmpty(), "closing the client gave the lease back");
        String events = state.readFile(id, "/events.jsonl");
        assertTrue(
                events.contains(p1) && events.contains(p2) && events.contains("\"session.shutdown\""),
                "events.jsonl is in the store");
        assertTrue(state.readFile(id, "/workspace.yaml").contains("id: " + id));

        try (OfflineCopilot b = OfflineCopilot.start()) {
            try (CopilotClient cb = client(
                    b.stdioTransport(),
                    sessions,
                    state,
                    "machine-B",
                    b.environment().workDir())) {
                cb.start();
                assertEquals(
                        List.of(id),
                        cb.listSessions().stream().map(SessionInfo::sessionId).toList(),
                        "listed from the store");
                CopilotSession r = cb.resumeSession(
                        id, SessionConfig.builder().model(MODEL).build());
                assertEquals("ECHO: " + p3, r.sendAndWait(p3, TURN).content());
                ChatRequest sawB = b.fakeApi().chatRequests(id).stream()
                        .filter(x -> x.lastUserText().equals(p3))
                        .findFirst()
                        .orElseThrow();
                assertEquals(List.of(p1, p2, p3), sawB.texts("user"), "the model on machine B saw the earlier turns");
                assertEquals(List.of("ECHO: " + p1, "ECHO: " + p2), sawB.texts("assistant"));
                List<String> prompts = r.messages().stream()
                        .flatMap(e -> e.as(UserMessage.class).stream())
                        .map(UserMessage::content)
                        .toList();
                assertEquals(List.of(p1, p2, p3), prompts, "messages() is complete");
                assertTrue(r.messages().stream().map(SessionEvent::type).anyMatch("session.resume"::equals));

                // a third client (another CLI) is refused while machine B drives the session, then takes over
                try (CopilotClient cc = client(
                        b.stdioTransport(),
                        sessions,
                        state,
                        "machine-C",
                        b.environment().workDir())) {
                    cc.start();
                    SessionLeaseException.Held refused = assertThrows(
                            SessionLeaseException.Held.class,
                            () -> cc.resumeSession(
                                    id, SessionConfig.builder().model(MODEL).build()));
                    assertEquals("machine-B", refused.holder());
                    assertTrue(
                            refused.getMessage().contains("machine-B")
                                    && refused.getMessage().contains("lease until"),
                            refused.getMessage());
                    r.close();
                    CopilotSession rc = cc.resumeSession(
                            id, SessionConfig.builder().model(MODEL).build());
                    assertEquals("ECHO: " + p4, rc.sendAndWait(p4, TURN).content());
                    ChatRequest sawC = b.fakeApi().chatRequests(id).stream()
                            .filter(x -> x.lastUserText().equals(p4))
                            .findFirst()
                            .orElseThrow();
                    assertEquals(List.of(p1, p2, p3, p4), sawC.texts("user"));

                    cc.deleteSession(id);
                    assertTrue(cc.listSessions().isEmpty());
                }
            }
            assertNothingOfTheConversationOnDisk(b.environment().copilotHome(), List.of(p1, p2, p3, p4));
        }
        for (String table : List.of("copilot4j_state_files", "copilot4j_state_leases")) {
            assertEquals(
                    0,
                    count("SELECT COUNT(*) FROM " + table + " WHERE session_id = '" + id + "'"),
                    "delete removed every row of " + table);
        }
        assertEquals(0, count("SELECT COUNT(*) FROM copilot4j_state_chunks"), "and every chunk");
        assertTrue(sessions.find(id).isEmpty());
    }

    /** No session-state directory, no local conversation database, and none of the prompts in any file. */
    static void assertNothingOfTheConversationOnDisk(Path dir, List<String> prompts) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(p -> {
                String name = p.getFileName().toString();
                assertNotEquals("session-state", name, "the CLI wrote session state to its own disk: " + p);
                assertFalse(name.startsWith("session-store.db"), "the CLI kept its local conversation database: " + p);
                if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            });
        }
        for (Path f : files) {
            if (Files.size(f) > 50_000_000) {
                continue;
            }
            String text;
            try {
                text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String p : prompts) {
                assertFalse(text.contains(p), "conversation text '" + p + "' found in " + f);
            }
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
