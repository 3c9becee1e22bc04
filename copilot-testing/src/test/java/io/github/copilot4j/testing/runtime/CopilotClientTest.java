package io.github.copilot4j.testing.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.AuthenticationException;
import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.CopilotTimeoutException;
import io.github.copilot4j.Page;
import io.github.copilot4j.ProtocolException;
import io.github.copilot4j.RpcException;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionErrorException;
import io.github.copilot4j.SessionInfo;
import io.github.copilot4j.SessionNotFoundException;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.Subscription;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.AssistantMessageDelta;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.spi.SessionStatus;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CopilotClientTest {
    FakeRuntime runtime;
    InMemorySessionStore store;
    CopilotClient client;

    @BeforeEach
    void setUp() {
        runtime = FakeRuntime.create();
        store = new InMemorySessionStore();
        client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .sessionStore(store)
                .requestTimeout(Duration.ofSeconds(5))
                .build();
        client.start();
    }

    @AfterEach
    void tearDown() {
        client.close();
        runtime.close();
    }

    @Test
    void handshakeReportsVersion() {
        assertEquals(ClientState.CONNECTED, client.state());
        assertEquals(3, client.protocolVersion());
        assertEquals("0.0.0-fake", client.runtimeVersion());
        assertEquals("connect", runtime.requests().get(0).method());
        assertTrue(client.ping().message().startsWith("pong"));
    }

    @Test
    void multipleSessionsKeepTheirOwnContext() {
        CopilotSession py =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        CopilotSession ts =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        CopilotSession go = client.createSession(
                SessionConfig.builder().model("claude-sonnet-4.5").build());
        Map<String, List<String>> historiesSeen = new ConcurrentHashMap<>();
        runtime.responder(turn -> {
            historiesSeen.put(turn.sessionId() + "/" + turn.prompt(), turn.history());
            return Reply.text("ECHO: " + turn.prompt());
        });
        py.sendAndWait("You are helping with a Python project");
        ts.sendAndWait("You are helping with a TypeScript project");
        go.sendAndWait("You are helping with a Go project");
        assertEquals(
                "ECHO: How do I create a virtual environment?",
                py.sendAndWait("How do I create a virtual environment?").content());
        assertEquals(
                "ECHO: How do I set up tsconfig?",
                ts.sendAndWait("How do I set up tsconfig?").content());
        assertEquals(
                List.of("You are helping with a Python project", "ECHO: You are helping with a Python project"),
                historiesSeen.get(py.sessionId() + "/How do I create a virtual environment?"));
        assertEquals(
                List.of("You are helping with a TypeScript project", "ECHO: You are helping with a TypeScript project"),
                historiesSeen.get(ts.sessionId() + "/How do I set up tsconfig?"));
        assertNotEquals3(py.sessionId(), ts.sessionId(), go.sessionId());
    }

    private static void assertNotEquals3(String a, String b, String c) {
        assertEquals(3, Set.of(a, b, c).size());
    }

    @Test
    void customSessionIdRoundTripsAndIsRecordedWithOwner() {
        CopilotSession chat = client.createSession(SessionConfig.builder()
                .sessionId("user-123-chat")
                .owner("user-123")
                .model("claude-sonnet-4.5")
                .build());
        assertEquals("user-123-chat", chat.sessionId());
        assertEquals(
                "user-123-chat",
                runtime.requests().stream()
                        .filter(r -> r.method().equals("session.create"))
                        .findFirst()
                        .orElseThrow()
                        .params()
                        .get("sessionId")
                        .asText());
        var rec = store.find("user-123-chat").orElseThrow();
        assertEquals("user-123", rec.owner());
        assertEquals("claude-sonnet-4.5", rec.model());
        assertEquals(SessionStatus.ACTIVE, rec.status());
    }

    @Test
    void generatedIdIsRegisteredBeforeTheRequestGoesOut() {
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        // The fake emits session.start during create, before replying; it must be delivered and stored.
        List<SessionEvent> history = s.messages();
        assertEquals("session.start", history.get(0).type());
        assertTrue(runtime.requests().stream()
                .filter(r -> r.method().equals("session.create"))
                .allMatch(r -> r.params().hasNonNull("sessionId")));
    }

    @Test
    void listAndDeleteAcrossStoreAndRuntime() {
        client.createSession(SessionConfig.builder().sessionId("a").owner("u1").build());
        client.createSession(SessionConfig.builder().sessionId("b").owner("u2").build());
        List<SessionInfo> all = client.listSessions();
        assertEquals(Set.of("a", "b"), all.stream().map(SessionInfo::sessionId).collect(Collectors.toSet()));
        assertTrue(all.stream().allMatch(i -> i.knownTo().size() == 2), all.toString());
        Page<SessionInfo> u1 = client.listSessions(SessionQuery.byOwner("u1"));
        assertEquals(
                List.of("a"), u1.items().stream().map(SessionInfo::sessionId).toList());

        client.deleteSession("a");
        assertFalse(runtime.sessionIds().contains("a"));
        assertTrue(store.find("a").isEmpty());
        assertEquals(
                List.of("b"),
                client.listSessions().stream().map(SessionInfo::sessionId).toList());
        SessionNotFoundException e = assertThrows(SessionNotFoundException.class, () -> client.deleteSession("a"));
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    }

    @Test
    void ownerScopedResumeAndDeleteNeverReachAnotherOwnersSession() {
        CopilotSession alice = client.createSession(
                SessionConfig.builder().sessionId("alice-chat").owner("alice").build());
        alice.sendAndWait("secret of alice");
        alice.close();
        SessionNotFoundException resume = assertThrows(
                SessionNotFoundException.class,
                () -> client.resumeSession(
                        "alice-chat", SessionConfig.builder().owner("bob").build()));
        assertTrue(resume.getMessage().contains("'bob'"), resume.getMessage());
        SessionNotFoundException delete =
                assertThrows(SessionNotFoundException.class, () -> client.deleteSession("alice-chat", "bob"));
        assertTrue(delete.getMessage().contains("'bob'"), delete.getMessage());
        assertTrue(
                runtime.sessionIds().contains("alice-chat")
                        && store.find("alice-chat").isPresent(),
                "untouched");
        assertEquals(List.of(), store.readEvents("alice-chat", "bob", 0, 100));
        client.deleteSession("alice-chat", "alice");
        assertTrue(store.find("alice-chat").isEmpty() && !runtime.sessionIds().contains("alice-chat"));
    }

    @Test
    void sessionsMadeByOtherToolsShowAsRuntimeOnly() throws Exception {
        try (CopilotClient other =
                CopilotClient.builder().transport(InMemoryTransport.to(runtime)).build()) {
            other.start();
            other.createSession(
                    SessionConfig.builder().sessionId("from-elsewhere").build());
        }
        SessionInfo info = client.listSessions().stream()
                .filter(i -> i.sessionId().equals("from-elsewhere"))
                .findFirst()
                .orElseThrow();
        assertEquals(Set.of(SessionInfo.Source.RUNTIME), info.knownTo());
    }

    @Test
    void streamingDeltasConcatenateToTheFinalMessage() throws Exception {
        runtime.responder(
                t -> Reply.text("The quick brown fox jumps over the lazy dog").withChunks(5));
        CopilotSession s =
                client.createSession(SessionConfig.builder().streaming(true).build());
        StringBuffer streamed = new StringBuffer();
        AtomicInteger deltas = new AtomicInteger();
        s.on(AssistantMessageDelta.class, d -> {
            streamed.append(d.deltaContent());
            deltas.incrementAndGet();
        });
        AssistantMessage m = s.sendAndWait("go");
        assertEquals(m.content(), streamed.toString());
        assertTrue(deltas.get() >= 5, "deltas: " + deltas.get());
        // deltas are ephemeral: never stored
        assertTrue(s.messages().stream().noneMatch(e -> e.type().equals("assistant.message_delta")));
    }

    @Test
    void parallelSendAndWaitOnManySessions() {
        runtime.responder(t -> Reply.text("ECHO: " + t.prompt()).withDelay(Duration.ofMillis(50)));
        List<CopilotSession> sessions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sessions.add(client.createSession(
                    SessionConfig.builder().sessionId("s" + i).build()));
        }
        List<CompletableFuture<AssistantMessage>> futures = new ArrayList<>();
        for (CopilotSession s : sessions) {
            futures.add(s.sendAndWaitAsync("hello " + s.sessionId(), Duration.ofSeconds(10)));
        }
        for (int i = 0; i < sessions.size(); i++) {
            assertEquals("ECHO: hello s" + i, futures.get(i).join().content());
        }
    }

    @Test
    void interleavedEventsAreRoutedToTheirOwnSessionsInOrder() {
        runtime.responder(t -> Reply.text("reply to " + t.prompt()).withChunks(10));
        List<CopilotSession> sessions = new ArrayList<>();
        Map<String, List<String>> types = new ConcurrentHashMap<>();
        for (int i = 0; i < 8; i++) {
            CopilotSession s =
                    client.createSession(SessionConfig.builder().streaming(true).build());
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            types.put(s.sessionId(), seen);
            s.on(e -> {
                if (!e.sessionId().equals(s.sessionId())) {
                    seen.add("FOREIGN " + e.sessionId());
                }
                seen.add(e.type());
            });
            sessions.add(s);
        }
        List<CompletableFuture<AssistantMessage>> fs = new ArrayList<>();
        for (CopilotSession s : sessions) {
            fs.add(s.sendAndWaitAsync("p-" + s.sessionId(), Duration.ofSeconds(10)));
        }
        for (int i = 0; i < sessions.size(); i++) {
            assertEquals(
                    "reply to p-" + sessions.get(i).sessionId(),
                    fs.get(i).join().content());
            List<String> seen = types.get(sessions.get(i).sessionId());
            assertTrue(seen.stream().noneMatch(t -> t.startsWith("FOREIGN")), seen.toString());
            int user = seen.indexOf("user.message");
            int msg = seen.indexOf("assistant.message");
            int idle = seen.indexOf("session.idle");
            assertTrue(user >= 0 && user < msg && msg < idle, seen.toString());
        }
    }

    @Test
    void sessionErrorFailsSendAndWait() {
        runtime.responder(t -> Reply.error("Model refused the request"));
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        SessionErrorException e = assertThrows(SessionErrorException.class, () -> s.sendAndWait("x"));
        assertTrue(e.getMessage().contains("Model refused the request"), e.getMessage());
        assertEquals("query", e.error().errorType());
    }

    @Test
    void timeoutDoesNotAbortTheTurn() throws Exception {
        runtime.responder(t -> Reply.text("late").withDelay(Duration.ofMillis(700)));
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        CountDownLatch gotLate = new CountDownLatch(1);
        s.on(AssistantMessage.class, m -> {
            if (m.content().equals("late")) {
                gotLate.countDown();
            }
        });
        CopilotTimeoutException e =
                assertThrows(CopilotTimeoutException.class, () -> s.sendAndWait("x", Duration.ofMillis(100)));
        assertTrue(e.getMessage().contains("abort()"), e.getMessage());
        assertTrue(gotLate.await(5, TimeUnit.SECONDS), "the turn should go on after the timeout");
        assertTrue(runtime.requests().stream().noneMatch(r -> r.method().equals("session.abort")));
    }

    @Test
    void throwingListenerDoesNotStopDelivery() {
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        List<String> after = Collections.synchronizedList(new ArrayList<>());
        s.on(e -> {
            throw new IllegalStateException("boom");
        });
        s.on(e -> after.add(e.type()));
        assertEquals("ECHO: hi", s.sendAndWait("hi").content());
        assertTrue(after.contains("assistant.message") && after.contains("session.idle"), after.toString());
    }

    @Test
    void unsubscribeStopsTheListener() {
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        AtomicInteger count = new AtomicInteger();
        Subscription sub = s.on(UserMessage.class, m -> count.incrementAndGet());
        s.sendAndWait("one");
        sub.close();
        sub.close();
        s.sendAndWait("two");
        assertEquals(1, count.get());
    }

    @Test
    void slowListenerInOneSessionDoesNotDelayAnother() throws Exception {
        CopilotSession slow = client.createSession(SessionConfig.builder().build());
        CopilotSession fast = client.createSession(SessionConfig.builder().build());
        CountDownLatch release = new CountDownLatch(1);
        List<String> slowSeen = Collections.synchronizedList(new ArrayList<>());
        slow.on(e -> {
            slowSeen.add(e.type());
            if (e.type().equals("user.message")) {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CompletableFuture<AssistantMessage> slowTurn = slow.sendAndWaitAsync("blocked", Duration.ofSeconds(20));
        long t0 = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertEquals(
                    "ECHO: quick " + i,
                    fast.sendAndWait("quick " + i, Duration.ofSeconds(5)).content());
        }
        long fastMillis = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(slowTurn.isDone(), "the slow session's turn must wait for its listener");
        assertTrue(fastMillis < 5000, "fast session took " + fastMillis + " ms");
        release.countDown();
        assertEquals("ECHO: blocked", slowTurn.get(5, TimeUnit.SECONDS).content());
        List<String> order = List.copyOf(slowSeen);
        assertTrue(order.indexOf("user.message") < order.indexOf("assistant.message"), order.toString());
        assertTrue(order.indexOf("assistant.message") < order.indexOf("session.idle"), order.toString());
    }

    @Test
    void toolCallRunsTheHandlerAndReturnsTheResult() {
        runtime.responder(t -> Reply.callTool("get_weather", "{\"city\":\"Paris\"}", "Weather: {result}"));
        List<String> cities = Collections.synchronizedList(new ArrayList<>());
        CopilotSession s = client.createSession(SessionConfig.builder()
                .tool(ToolDefinition.of(
                        "get_weather",
                        "Weather of a city",
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}",
                        inv -> {
                            cities.add(inv.arguments().get("city").asText());
                            return "sunny in " + inv.arguments().get("city").asText();
                        }))
                .build());
        assertEquals("Weather: sunny in Paris", s.sendAndWait("weather?").content());
        assertEquals(List.of("Paris"), cities);
        var create = runtime.requests().stream()
                .filter(r -> r.method().equals("session.create"))
                .findFirst()
                .orElseThrow();
        assertEquals(
                "get_weather", create.params().path("tools").get(0).path("name").asText());
    }

    @Test
    void failingToolIsReportedToTheModel() {
        runtime.responder(t -> Reply.callTool("broken", "{}", "Result: {result}"));
        CopilotSession s = client.createSession(SessionConfig.builder()
                .tool(ToolDefinition.of("broken", "fails", "{\"type\":\"object\"}", inv -> {
                    throw new IllegalStateException("database unavailable");
                }))
                .build());
        assertEquals(
                "Result: Tool 'broken' failed: database unavailable",
                s.sendAndWait("go").content());
    }

    @Test
    void closeDetachesAndResumeContinues() {
        CopilotSession s = client.createSession(
                SessionConfig.builder().sessionId("keep").model("gpt-5").build());
        s.sendAndWait("remember teal");
        s.close();
        s.close();
        assertTrue(s.isClosed());
        assertEquals(SessionStatus.DETACHED, awaitStatus("keep", SessionStatus.DETACHED));
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> s.send("again"));
        assertTrue(closed.getMessage().contains("resumeSession"), closed.getMessage());

        Map<String, List<String>> seen = new ConcurrentHashMap<>();
        runtime.responder(t -> {
            seen.put(t.prompt(), t.history());
            return Reply.text("ECHO: " + t.prompt());
        });
        CopilotSession again = client.resumeSession("keep");
        assertEquals("gpt-5", again.config().model(), "model comes back from the store");
        assertEquals("ECHO: what colour?", again.sendAndWait("what colour?").content());
        assertEquals(List.of("remember teal", "ECHO: remember teal"), seen.get("what colour?"));
        List<String> types = again.messages().stream().map(SessionEvent::type).toList();
        assertEquals(2, types.stream().filter(t -> t.equals("user.message")).count(), types.toString());
        assertEquals(SessionStatus.ACTIVE, store.find("keep").orElseThrow().status());
    }

    private SessionStatus awaitStatus(String id, SessionStatus want) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        SessionStatus st = null;
        while (System.nanoTime() < end) {
            st = store.find(id).orElseThrow().status();
            if (st == want) {
                return st;
            }
            Thread.onSpinWait();
        }
        return st;
    }

    @Test
    void newClientResumesAfterTheFirstIsClosed() {
        CopilotSession s =
                client.createSession(SessionConfig.builder().sessionId("carry").build());
        s.sendAndWait("first");
        client.close();
        try (CopilotClient second = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .sessionStore(store)
                .build()) {
            second.start();
            CopilotSession r = second.resumeSession("carry");
            assertEquals("ECHO: second", r.sendAndWait("second").content());
            List<String> contents = r.messages().stream()
                    .flatMap(e -> e.as(UserMessage.class).stream())
                    .map(UserMessage::content)
                    .toList();
            assertEquals(List.of("first", "second"), contents);
        }
    }

    @Test
    void summaryComesFromTheFirstPrompt() {
        CopilotSession s =
                client.createSession(SessionConfig.builder().sessionId("sum").build());
        s.sendAndWait("How do I initialize a module?");
        s.messages(); // flushes the store lane
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (store.find("sum").orElseThrow().summary() == null && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        assertEquals(
                "How do I initialize a module?", store.find("sum").orElseThrow().summary());
    }

    @Test
    void refusedModelGivesAClearError() {
        RpcException e = assertThrows(
                RpcException.class,
                () -> client.createSession(
                        SessionConfig.builder().model("gpt-4.1").build()));
        assertTrue(e.getMessage().contains("gpt-4.1") && e.getMessage().contains("listModels"), e.getMessage());
        assertTrue(store.list(SessionQuery.all()).items().isEmpty(), "a failed create leaves nothing in the store");
    }

    @Test
    void duplicateIdIsRefused() {
        client.createSession(SessionConfig.builder().sessionId("dup").build());
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> client.createSession(
                        SessionConfig.builder().sessionId("dup").build()));
        assertTrue(e.getMessage().contains("already open"), e.getMessage());
    }

    @Test
    void runtimeDeathFailsEverythingPendingQuickly() throws Exception {
        runtime.responder(t -> Reply.text("never").withDelay(Duration.ofSeconds(20)));
        CopilotSession a = client.createSession(SessionConfig.builder().build());
        CopilotSession b = client.createSession(SessionConfig.builder().build());
        CompletableFuture<AssistantMessage> fa = a.sendAndWaitAsync("x", Duration.ofSeconds(30));
        CompletableFuture<AssistantMessage> fb = b.sendAndWaitAsync("y", Duration.ofSeconds(30));
        Thread.sleep(100);
        long t0 = System.nanoTime();
        runtime.kill("Copilot CLI (pid 42) was killed by signal 9 (SIGKILL)");
        for (CompletableFuture<AssistantMessage> f : List.of(fa, fb)) {
            Exception e = assertThrows(Exception.class, () -> f.get(2, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof ConnectionClosedException, e.toString());
            assertTrue(
                    e.getCause().getMessage().contains("SIGKILL"), e.getCause().getMessage());
        }
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000);
        awaitState(ClientState.DISCONNECTED);
        ConnectionClosedException e = assertThrows(ConnectionClosedException.class, () -> a.send("more"));
        assertTrue(e.getMessage().contains("start()"), e.getMessage());
        // events received before the kill are in the store
        assertTrue(store.readEvents(a.sessionId(), 0, 100).stream()
                .anyMatch(ev -> ev.type().equals("user.message")));
        // reconnect and resume
        client.start();
        assertEquals(ClientState.CONNECTED, client.state());
        runtime.responder(Responder.ECHO);
        CopilotSession again = client.resumeSession(a.sessionId());
        assertEquals("ECHO: back", again.sendAndWait("back").content());
    }

    private void awaitState(ClientState want) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (client.state() != want && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        assertEquals(want, client.state());
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailClearly() {
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        client.close();
        client.close();
        assertEquals(ClientState.CLOSED, client.state());
        IllegalStateException e1 = assertThrows(
                IllegalStateException.class,
                () -> client.createSession(SessionConfig.builder().build()));
        assertTrue(e1.getMessage().contains("closed"), e1.getMessage());
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> s.send("x"));
        assertTrue(e2.getMessage().contains("closed"), e2.getMessage());
        assertThrows(IllegalStateException.class, () -> client.start());
        assertTrue(runtime.requests().stream().anyMatch(r -> r.method().equals("session.destroy")));
        assertTrue(runtime.requests().stream().anyMatch(r -> r.method().equals("runtime.shutdown")));
    }

    @Test
    void closeWithTurnsInFlightReturnsAndFailsThem() throws Exception {
        runtime.responder(t -> Reply.text("slow").withDelay(Duration.ofSeconds(20)));
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        CompletableFuture<AssistantMessage> f = s.sendAndWaitAsync("x", Duration.ofSeconds(30));
        long t0 = System.nanoTime();
        client.close();
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 11_000);
        assertThrows(Exception.class, () -> f.get(2, TimeUnit.SECONDS));
    }

    @Test
    void callsBeforeStartFailClearly() {
        CopilotClient fresh =
                CopilotClient.builder().transport(InMemoryTransport.to(runtime)).build();
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> fresh.createSession(SessionConfig.builder().build()));
        assertTrue(e.getMessage().contains("start()"), e.getMessage());
        fresh.close();
    }

    @Test
    void wrongTokenIsAnAuthenticationError() {
        try (FakeRuntime guarded = FakeRuntime.builder().requireToken("right").build();
                CopilotClient c = CopilotClient.builder()
                        .transport(InMemoryTransport.to(guarded).withConnectionToken("wrong"))
                        .build()) {
            AuthenticationException e = assertThrows(AuthenticationException.class, c::start);
            assertFalse(
                    e.getMessage().contains("wrong"), "the token must not appear in the message: " + e.getMessage());
            assertEquals(ClientState.DISCONNECTED, c.state());
        }
        try (FakeRuntime guarded = FakeRuntime.builder().requireToken("right").build();
                CopilotClient c = CopilotClient.builder()
                        .transport(InMemoryTransport.to(guarded).withConnectionToken("right"))
                        .build()) {
            c.start();
            assertEquals(ClientState.CONNECTED, c.state());
        }
    }

    @Test
    void unsupportedProtocolVersionIsRefused() {
        try (FakeRuntime old = FakeRuntime.builder().protocolVersion(2).build();
                CopilotClient c = CopilotClient.builder()
                        .transport(InMemoryTransport.to(old))
                        .build()) {
            ProtocolException e = assertThrows(ProtocolException.class, c::start);
            assertTrue(
                    e.getMessage().contains("version 2") && e.getMessage().contains("upgrade the Copilot CLI"),
                    e.getMessage());
        }
    }

    @Test
    void hostileValuesAreRejectedOrRoundTrip() {
        assertThrows(
                IllegalArgumentException.class,
                () -> SessionConfig.builder().sessionId("").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> SessionConfig.builder().sessionId("a\nb").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> SessionConfig.builder().sessionId("x".repeat(257)).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> SessionConfig.builder().owner("\u0000").build());
        assertThrows(IllegalArgumentException.class, () -> client.createSession(null));
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        assertThrows(IllegalArgumentException.class, () -> s.send(null));
        assertThrows(IllegalArgumentException.class, () -> s.send("   "));
        String sqlish = "x'); DROP TABLE sessions; --";
        CopilotSession odd = client.createSession(SessionConfig.builder()
                .sessionId(sqlish)
                .owner("o'wner \"q\" ü")
                .build());
        assertEquals(sqlish, odd.sessionId());
        assertEquals("o'wner \"q\" ü", store.find(sqlish).orElseThrow().owner());
        assertEquals(
                "ECHO: ünïcødé ✓ \"quotes\"",
                odd.sendAndWait("ünïcødé ✓ \"quotes\"").content());
    }

    @Test
    void listModels() {
        assertEquals(
                List.of("gpt-5", "claude-sonnet-4.5"),
                client.listModels().stream().map(m -> m.id()).toList());
    }
}
