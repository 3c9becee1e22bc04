package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.ChatRequest;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.testing.LeakCheck;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real CLI killed with SIGKILL in the middle of two turns, over stdio and over TCP: both
 * waits fail within 2 s with an exception naming the signal and the CLI's stderr, the client says
 * DISCONNECTED, later calls fail at once, the events received before the kill are in the store,
 * and the sessions resume (stdio: the same client reconnects with {@code start()}; TCP: a new
 * client) and finish a new turn that still knows the earlier conversation. No CLI process and no
 * thread is left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CliCrashTest {
    static final Duration TURN = Duration.ofSeconds(60);
    OfflineCopilot offline;

    @BeforeAll
    void startFake() {
        offline = OfflineCopilot.start();
    }

    @AfterAll
    void stopFake() {
        offline.close();
    }

    Transport transport(String kind) {
        return kind.equals("stdio") ? offline.stdioTransport() : offline.tcpTransport();
    }

    CopilotClient newClient(String kind, InMemorySessionStore store) {
        return CopilotClient.builder()
                .transport(transport(kind))
                .sessionStore(store)
                .requestTimeout(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofSeconds(5))
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stdio", "tcp"})
    void sigkillInTheMiddleOfTurns(String kind) throws Exception {
        FakeCopilotApi fake = offline.fakeApi();
        fake.clearScripts();
        LeakCheck leaks = LeakCheck.start().ignoringThreads("fake-copilot-api");
        InMemorySessionStore store = new InMemorySessionStore();
        String a;
        String b;
        CopilotClient client = newClient(kind, store);
        CopilotClient second = null;
        try {
            client.start();
            CopilotSession sa =
                    client.createSession(SessionConfig.builder().model("gpt-5").build());
            CopilotSession sb = client.createSession(
                    SessionConfig.builder().model("claude-sonnet-4.5").build());
            a = sa.sessionId();
            b = sb.sessionId();
            assertEquals(
                    "ECHO: " + kind + " a: the code word is heron",
                    sa.sendAndWait(kind + " a: the code word is heron", TURN).content());
            // (The CLI writes a session to disk only once a turn completed: one killed in its first turn cannot be
            // resumed.)
            sb.sendAndWait(kind + " b: hello", TURN);
            fake.when(FakeCopilotApi.promptContains("during the crash"))
                    .always()
                    .reply(Reply.text("never seen").delayed(Duration.ofSeconds(60)));
            CompletableFuture<AssistantMessage> ta = sa.sendAndWaitAsync(kind + " a: during the crash", TURN);
            CompletableFuture<AssistantMessage> tb = sb.sendAndWaitAsync(kind + " b: during the crash", TURN);
            fake.awaitChatRequest(r -> r.lastUserText().equals(kind + " a: during the crash"), Duration.ofSeconds(30));
            fake.awaitChatRequest(r -> r.lastUserText().equals(kind + " b: during the crash"), Duration.ofSeconds(30));

            ProcessHandle cli = Cli.onlyNewCli(leaks);
            long t0 = System.nanoTime();
            assertTrue(cli.destroyForcibly(), "SIGKILL sent");
            for (CompletableFuture<AssistantMessage> turn : List.of(ta, tb)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> turn.get(5, TimeUnit.SECONDS));
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(millis < 2000, "the wait failed only after " + millis + " ms");
                assertTrue(
                        e.getCause() instanceof ConnectionClosedException,
                        e.getCause().toString());
                String msg = e.getCause().getMessage();
                assertTrue(
                        msg.contains("pid " + cli.pid()) && msg.contains("killed by signal 9 (SIGKILL)"),
                        "names the exit: " + msg);
                assertTrue(msg.contains("stderr"), "says what the CLI wrote to stderr: " + msg);
            }
            Cli.awaitState(client, ClientState.DISCONNECTED, 2000);
            long t1 = System.nanoTime();
            ConnectionClosedException later = assertThrows(ConnectionClosedException.class, () -> sa.send("more"));
            assertTrue(
                    later.getMessage().contains("SIGKILL") && later.getMessage().contains("start()"),
                    later.getMessage());
            assertThrows(ConnectionClosedException.class, client::ping);
            assertTrue(System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(1), "calls after the crash fail at once");
            awaitStored(store, a, kind + " a: during the crash");
            awaitStored(store, b, kind + " b: during the crash");
            assertTrue(Cli.newCliProcesses(leaks).isEmpty(), "the killed CLI is gone");

            // Resume: stdio reconnects the same client; TCP uses a brand new client.
            fake.clearScripts();
            CopilotClient resumer;
            if (kind.equals("stdio")) {
                client.start();
                assertEquals(ClientState.CONNECTED, client.state());
                resumer = client;
            } else {
                // The dead connection's sessions give their claims back just after the state flips.
                Cli.awaitClaimReleased(store, a);
                Cli.awaitClaimReleased(store, b);
                second = newClient(kind, store);
                second.start();
                resumer = second;
            }
            CopilotSession ra = resumer.resumeSession(
                    a, SessionConfig.builder().model("gpt-5").build());
            CopilotSession rb = resumer.resumeSession(b);
            assertEquals("claude-sonnet-4.5", rb.config().model(), "the model comes back from the store");
            assertEquals(
                    "ECHO: " + kind + " a: what was the code word?",
                    ra.sendAndWait(kind + " a: what was the code word?", TURN).content());
            assertEquals(
                    "ECHO: " + kind + " b: after the crash",
                    rb.sendAndWait(kind + " b: after the crash", TURN).content());
            ChatRequest last = fake.chatRequests(a).stream()
                    .filter(r -> r.lastUserText().equals(kind + " a: what was the code word?"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    last.texts("user").contains(kind + " a: the code word is heron"),
                    "the model saw the earlier conversation: " + last);
            for (String id : List.of(a, b)) {
                CopilotSession s = resumer.session(id).orElseThrow();
                List<String> prompts = s.messages().stream()
                        .flatMap(e -> e.as(UserMessage.class).stream())
                        .map(UserMessage::content)
                        .toList();
                assertTrue(
                        prompts.contains(kind + (id.equals(a) ? " a: during the crash" : " b: during the crash")),
                        prompts.toString());
                assertNoDuplicates(store, id);
            }
        } finally {
            client.close();
            if (second != null) {
                second.close();
            }
        }
        leaks.assertNoLeaks(Duration.ofSeconds(10));
    }

    static void awaitStored(InMemorySessionStore store, String sessionId, String prompt) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            if (store.readEvents(sessionId, 0, 1000).stream()
                    .anyMatch(
                            e -> e.type().equals("user.message") && e.dataJson().contains(prompt))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the event of '" + prompt + "' received before the kill is not in the store");
    }

    static void assertNoDuplicates(InMemorySessionStore store, String sessionId) {
        List<StoredEvent> events = store.readEvents(sessionId, 0, 10_000);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1L, events.get(i).seq());
            assertTrue(
                    ids.add(events.get(i).eventId()),
                    "duplicate event " + events.get(i).eventId());
        }
        assertFalse(events.isEmpty());
    }
}
