package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionLeaseOptions;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.testing.db.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One driver per session without sessionFs, with real CLIs: two JVMs, each with its own CLI on one
 * shared CLI home, share one PostgreSQL store. While the other JVM drives a session this JVM's
 * resume, create and delete of it are refused (naming the holder and its expiry) and nothing
 * reaches this JVM's CLI; once the other JVM closes the session, this JVM takes it over, its model
 * sees the other JVM's turn, and the stored history is one chain: every event's parent is the
 * event stored before it.
 */
@Timeout(180)
class SessionClaimsRealCliTest {
    static final Duration TURN = Duration.ofSeconds(60);

    @Test
    void theSecondJvmIsRefusedWhileTheFirstDrivesAndTakesOverAfterItCloses(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("copilot-home"));
        Path work = Files.createDirectories(dir.resolve("work"));
        String id = "claimed-" + System.nanoTime();
        try (TestPostgres.TestSchema schema = TestPostgres.newSchema();
                OfflineCopilot offline =
                        OfflineCopilot.builder().copilotHome(home).workDir(work).build();
                JdbcSessionStore store = JdbcSessionStore.builder()
                        .dataSource(TwoJvmLeaseTest.dataSource(
                                schema.url(), schema.server.user(), schema.server.password()))
                        .build();
                CopilotClient client = CopilotClient.builder()
                        .transport(offline.stdioTransport())
                        .sessionStore(store)
                        .sessionLeases(
                                SessionLeaseOptions.builder().holderId("jvm-B").build())
                        .build()) {
            client.start();
            TwoJvmLeaseTest.Child other = TwoJvmLeaseTest.Child.startMain(
                    ClaimDriverChild.class,
                    schema.url(),
                    schema.server.user(),
                    schema.server.password(),
                    id,
                    "jvm-A",
                    "My name is Ada.",
                    home.toString(),
                    work.toString());
            try {
                other.await("READY");
                SessionLease claimA = store.findClaim(id).orElseThrow();
                assertEquals("jvm-A", claimA.holder());
                try {
                    client.resumeSession(id);
                    throw new AssertionError("resume of a session another JVM drives was not refused; claim: "
                            + store.findClaim(id) + "; the other JVM said:\n" + other.output());
                } catch (SessionLeaseException.Held held) {
                    assertEquals("jvm-A", held.holder());
                    assertTrue(
                            held.getMessage().contains("jvm-A")
                                    && held.getMessage().contains("close it in that client first"),
                            held.getMessage());
                }
                assertThrowsHeld(() -> client.createSession(
                        SessionConfig.builder().sessionId(id).model("gpt-5").build()));
                assertThrowsHeld(() -> client.deleteSession(id));
                assertTrue(store.find(id).isPresent(), "the refused delete deleted nothing");
                assertTrue(offline.fakeApi().chatRequests(id).isEmpty(), "this JVM's CLI never ran a turn of it");

                other.send("detach");
                other.await("DETACHED");
                CopilotSession s = client.resumeSession(id);
                SessionLease claimB = store.findClaim(id).orElseThrow();
                assertEquals("jvm-B", claimB.holder());
                assertTrue(claimB.fencingToken() > claimA.fencingToken());
                assertEquals(
                        "ECHO: What is my name?",
                        s.sendAndWait("What is my name?", TURN).content());
                assertEquals(
                        List.of("My name is Ada.", "What is my name?"),
                        offline.fakeApi().chatRequests(id).stream()
                                .filter(r -> r.lastUserText().equals("What is my name?"))
                                .findFirst()
                                .orElseThrow()
                                .texts("user"),
                        "this JVM's model saw the other JVM's turn");
                s.close();
            } finally {
                other.kill();
            }
            assertTrue(store.findClaim(id).isEmpty(), "released on close");
            List<StoredEvent> events = store.readEvents(id, 0, 10_000);
            assertTrue(events.size() >= 8, "both JVMs' events are stored: " + events.size());
            // One chain: each event's parent is the event stored before it, or an ephemeral event the
            // store does not keep (the CLI parents assistant.message on one); never an earlier stored
            // event, which is what two drivers appending to one history produce.
            Set<String> stored = events.stream().map(StoredEvent::eventId).collect(Collectors.toSet());
            String chain = events.stream()
                    .map(e -> e.seq() + " " + e.type() + " " + e.eventId() + " <- " + e.parentId())
                    .collect(Collectors.joining("\n"));
            for (int i = 0; i < events.size(); i++) {
                StoredEvent e = events.get(i);
                assertEquals(i + 1, e.seq(), "gap-free seq");
                if (i == 0) {
                    assertEquals(null, e.parentId(), "the first event has no parent:\n" + chain);
                } else if (stored.contains(e.parentId())) {
                    assertEquals(
                            events.get(i - 1).eventId(),
                            e.parentId(),
                            "event " + (i + 1) + " (" + e.type()
                                    + ") follows an earlier event instead of its predecessor: the history forked\n"
                                    + chain);
                }
            }
            List<String> types = events.stream().map(StoredEvent::type).toList();
            int resume = types.indexOf("session.resume");
            assertTrue(resume > 0, types.toString());
            assertEquals(
                    "session.shutdown",
                    types.get(resume - 1),
                    "the first JVM's history ends before the second's begins: " + types);
            assertEquals(
                    events.get(resume - 1).eventId(),
                    events.get(resume).parentId(),
                    "the second JVM continues the first one's chain:\n" + chain);
            client.deleteSession(id);
            assertTrue(store.find(id).isEmpty());
        }
    }

    private static void assertThrowsHeld(Runnable action) {
        try {
            action.run();
            throw new AssertionError("not refused although another JVM drives the session");
        } catch (SessionLeaseException.Held expected) {
            assertEquals("jvm-A", expected.holder());
        }
    }
}
