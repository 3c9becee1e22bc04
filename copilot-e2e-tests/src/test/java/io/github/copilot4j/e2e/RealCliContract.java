package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.RpcException;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionInfo;
import io.github.copilot4j.SessionNotFoundException;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.ChatMessage;
import io.github.copilot4j.devruntime.fakeapi.ChatRequest;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.AssistantMessageDelta;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.tool.ToolDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The end-to-end contract against the REAL Copilot CLI (pinned version, offline against the fake
 * Copilot API). Each transport runs it; one CLI process per test class, shared by the tests, plus a
 * few short-lived ones where a test needs a fresh client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class RealCliContract {
    static final Duration TURN = Duration.ofSeconds(60);

    OfflineCopilot offline;
    InMemorySessionStore store;
    CopilotClient client;

    /** The transport under test, to the CLI of {@code offline}. */
    abstract Transport transport(OfflineCopilot offline);

    @BeforeAll
    void startCli() {
        offline = OfflineCopilot.start();
        store = new InMemorySessionStore();
        client = newClient(store);
        client.start();
    }

    CopilotClient newClient(InMemorySessionStore s) {
        return CopilotClient.builder()
                .transport(transport(offline))
                .sessionStore(s)
                .requestTimeout(Duration.ofSeconds(30))
                .startTimeout(Duration.ofSeconds(60))
                .build();
    }

    @AfterAll
    void stopCli() {
        if (client != null) {
            client.close();
        }
        if (offline != null) {
            offline.close();
        }
    }

    @BeforeEach
    void resetFake() {
        offline.fakeApi().clearScripts();
    }

    FakeCopilotApi fake() {
        return offline.fakeApi();
    }

    @Test
    void multipleSessionsEachKeepTheirOwnContext() {
        String[][] plan = {
            {"gpt-5", "You are helping with a Python project", "How do I create a virtual environment?"},
            {"gpt-5", "You are helping with a TypeScript project", "How do I set up tsconfig?"},
            {"claude-sonnet-4.5", "You are helping with a Go project", "How do I initialize a module?"},
        };
        List<CopilotSession> sessions = new ArrayList<>();
        for (String[] p : plan) {
            sessions.add(
                    client.createSession(SessionConfig.builder().model(p[0]).build()));
        }
        for (int i = 0; i < plan.length; i++) {
            assertEquals(
                    "ECHO: " + plan[i][1],
                    sessions.get(i).sendAndWait(plan[i][1], TURN).content());
        }
        for (int i = 0; i < plan.length; i++) {
            assertEquals(
                    "ECHO: " + plan[i][2],
                    sessions.get(i).sendAndWait(plan[i][2], TURN).content());
        }
        for (int i = 0; i < plan.length; i++) {
            String id = sessions.get(i).sessionId();
            String followUpPrompt = plan[i][2];
            List<ChatRequest> requests = fake().chatRequests(id);
            ChatRequest followUp = requests.stream()
                    .filter(r -> r.lastUserText().equals(followUpPrompt))
                    .findFirst()
                    .orElseThrow(
                            () -> new AssertionError("no model request for the follow-up of " + id + ": " + requests));
            assertEquals(plan[i][0], followUp.model());
            List<String> dialog =
                    followUp.dialog().stream().map(ChatMessage::text).toList();
            assertEquals(
                    List.of(plan[i][1], "ECHO: " + plan[i][1], plan[i][2]),
                    dialog,
                    "session " + id + " must carry only its own earlier messages");
        }
        sessions.forEach(CopilotSession::close);
    }

    @Test
    void customSessionIdListAndDelete() {
        String id = "user-123-chat-" + getClass().getSimpleName();
        CopilotSession chat = client.createSession(SessionConfig.builder()
                .sessionId(id)
                .owner("user-123")
                .model("claude-sonnet-4.5")
                .build());
        assertEquals(id, chat.sessionId());
        CopilotSession other =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        chat.sendAndWait("hello from the custom session", TURN);
        other.sendAndWait("hello from the other session", TURN);

        Map<String, SessionInfo> listed =
                client.listSessions().stream().collect(Collectors.toMap(SessionInfo::sessionId, i -> i));
        assertTrue(
                listed.containsKey(id) && listed.containsKey(other.sessionId()),
                listed.keySet().toString());
        assertEquals(
                Set.of(SessionInfo.Source.STORE, SessionInfo.Source.RUNTIME),
                listed.get(id).knownTo());
        assertEquals("user-123", listed.get(id).owner());

        client.deleteSession(id);
        Set<String> after =
                client.listSessions().stream().map(SessionInfo::sessionId).collect(Collectors.toSet());
        assertFalse(after.contains(id), after.toString());
        assertTrue(after.contains(other.sessionId()));
        assertThrows(SessionNotFoundException.class, () -> client.deleteSession(id));
        other.close();
    }

    @Test
    void parallelTurnsAndStreamingDeltas() throws Exception {
        List<CopilotSession> sessions = new ArrayList<>();
        Map<String, StringBuffer> streamed = new ConcurrentHashMap<>();
        for (int i = 0; i < 4; i++) {
            CopilotSession s = client.createSession(
                    SessionConfig.builder().model("gpt-5").streaming(true).build());
            StringBuffer buf = new StringBuffer();
            streamed.put(s.sessionId(), buf);
            s.on(AssistantMessageDelta.class, d -> buf.append(d.deltaContent()));
            sessions.add(s);
        }
        List<CompletableFuture<AssistantMessage>> turns = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            turns.add(sessions.get(i).sendAndWaitAsync("parallel prompt number " + i + " with several words", TURN));
        }
        for (int i = 0; i < sessions.size(); i++) {
            AssistantMessage m = turns.get(i).get(90, TimeUnit.SECONDS);
            assertEquals("ECHO: parallel prompt number " + i + " with several words", m.content());
            assertEquals(
                    m.content(),
                    streamed.get(sessions.get(i).sessionId()).toString(),
                    "deltas concatenate to the message");
        }
        sessions.forEach(CopilotSession::close);
    }

    @Test
    void resumeAfterCloseAndFromANewClient() {
        String id = "resume-" + getClass().getSimpleName();
        CopilotSession s = client.createSession(
                SessionConfig.builder().sessionId(id).model("gpt-5").build());
        s.sendAndWait("My favourite colour is teal.", TURN);
        s.close();

        CopilotSession again = client.resumeSession(id);
        again.sendAndWait("What did I say my favourite colour was?", TURN);
        again.close();

        // A whole new client (and a new CLI process) on the same CLI home and the same store.
        try (CopilotClient second = newClient(store)) {
            second.start();
            CopilotSession third = second.resumeSession(
                    id, SessionConfig.builder().model("gpt-5").build());
            assertEquals(
                    "ECHO: And what is my name?",
                    third.sendAndWait("And what is my name?", TURN).content());
            ChatRequest last = fake().chatRequests(id).stream()
                    .filter(r -> r.lastUserText().equals("And what is my name?"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    List.of(
                            "My favourite colour is teal.",
                            "What did I say my favourite colour was?",
                            "And what is my name?"),
                    last.texts("user"),
                    "the model saw the whole conversation");
            List<String> prompts = third.messages().stream()
                    .flatMap(e -> e.as(UserMessage.class).stream())
                    .map(UserMessage::content)
                    .toList();
            assertEquals(
                    List.of(
                            "My favourite colour is teal.",
                            "What did I say my favourite colour was?",
                            "And what is my name?"),
                    prompts);
            assertTrue(third.messages().stream().map(SessionEvent::type).anyMatch("session.resume"::equals));
            third.close();
        }
    }

    @Test
    void customToolIsCalledAndItsResultReachesTheModel() {
        fake().when(FakeCopilotApi.promptContains("weather in Paris"))
                .times(1)
                .reply(Reply.toolCall("get_weather", "{\"city\":\"Paris\"}")
                        .thenReply(results -> Reply.text("The tool said: " + results.content())));
        List<String> cities = Collections.synchronizedList(new ArrayList<>());
        CopilotSession s = client.createSession(SessionConfig.builder()
                .model("gpt-5")
                .tool(ToolDefinition.of(
                        "get_weather",
                        "Current weather for a city",
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}",
                        inv -> {
                            cities.add(inv.arguments().path("city").asText());
                            return "sunny, 21C";
                        }))
                .build());
        AssistantMessage m = s.sendAndWait("What is the weather in Paris?", TURN);
        assertEquals("The tool said: sunny, 21C", m.content());
        assertEquals(List.of("Paris"), cities);
        ChatRequest withResult = fake().chatRequests(s.sessionId()).stream()
                .filter(r -> !r.toolMessages().isEmpty())
                .findFirst()
                .orElseThrow();
        assertEquals("sunny, 21C", withResult.toolMessages().get(0).text());
        s.close();
    }

    @Test
    void refusedModelIsAClearErrorQuickly() {
        long t0 = System.nanoTime();
        RpcException e = assertThrows(
                RpcException.class,
                () -> client.createSession(
                        SessionConfig.builder().model("gpt-4.1").build()));
        assertTrue(e.getMessage().contains("gpt-4.1"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30));
        assertEquals(ClientState.CONNECTED, client.state(), "a refused model does not hurt the connection");
    }

    @Test
    void modelErrorFailsTheTurnWithSessionError() {
        fake().when(FakeCopilotApi.promptContains("please fail"))
                .times(1)
                .reply(Reply.error(400, "{\"error\":{\"message\":\"bad request from fake\"}}"));
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        Exception e = assertThrows(Exception.class, () -> s.sendAndWait("please fail", TURN));
        assertTrue(e instanceof io.github.copilot4j.SessionErrorException, e.toString());
        s.close();
    }

    @Test
    void killedCliFailsTheTurnQuicklyAndTheSessionResumesOnANewClient() throws Exception {
        try (CopilotClient victim = newClient(store)) {
            victim.start();
            CopilotSession s =
                    victim.createSession(SessionConfig.builder().model("gpt-5").build());
            s.sendAndWait("before the crash", TURN);
            fake().when(FakeCopilotApi.promptContains("during the crash"))
                    .times(1)
                    .reply(Reply.text("never seen").delayed(Duration.ofSeconds(30)));
            CompletableFuture<AssistantMessage> turn = s.sendAndWaitAsync("during the crash", TURN);
            fake().awaitChatRequest(r -> r.lastUserText().equals("during the crash"), Duration.ofSeconds(30));
            List<ProcessHandle> clis = ProcessHandle.current()
                    .descendants()
                    .filter(p ->
                            p.info().command().map(c -> c.endsWith("/copilot")).orElse(false))
                    .toList();
            assertFalse(clis.isEmpty(), "no CLI process found");
            ProcessHandle newest =
                    clis.stream().max((a, b) -> Long.compare(a.pid(), b.pid())).orElseThrow();
            long t0 = System.nanoTime();
            newest.destroyForcibly();
            ExecutionException e = assertThrows(ExecutionException.class, () -> turn.get(10, TimeUnit.SECONDS));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(
                    e.getCause() instanceof ConnectionClosedException,
                    e.getCause().toString());
            assertTrue(millis < 2000, "failed after " + millis + " ms");
            assertTrue(
                    e.getCause().getMessage().toLowerCase().matches("(?s).*(signal 9|sigkill|exited|closed).*"),
                    e.getCause().getMessage());
            awaitState(victim, ClientState.DISCONNECTED);
            assertTrue(
                    store.readEvents(s.sessionId(), 0, 1000).stream()
                            .anyMatch(ev -> ev.type().equals("user.message")),
                    "events received before the kill are in the store");

            // The dead connection's sessions give their claims back (just after the state flips).
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (store.findClaim(s.sessionId()).isPresent() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(
                    store.findClaim(s.sessionId()).isEmpty(),
                    "the victim released its claim: " + store.findClaim(s.sessionId()));

            fake().clearScripts();
            CopilotSession resumed = client.resumeSession(
                    s.sessionId(), SessionConfig.builder().model("gpt-5").build());
            assertEquals(
                    "ECHO: after the crash",
                    resumed.sendAndWait("after the crash", TURN).content());
            resumed.close();
        }
    }

    static void awaitState(CopilotClient c, ClientState want) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (c.state() != want && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(want, c.state());
    }

    @Test
    void pingAndModels() {
        assertNotNull(client.ping().timestamp());
        List<String> ids = client.listModels().stream().map(m -> m.id()).toList();
        assertTrue(ids.contains("gpt-5") && ids.contains("claude-sonnet-4.5"), ids.toString());
        assertEquals(3, client.protocolVersion());
        assertEquals("1.0.102", client.runtimeVersion());
    }
}
