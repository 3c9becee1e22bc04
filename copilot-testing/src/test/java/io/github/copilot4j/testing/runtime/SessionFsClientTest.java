package io.github.copilot4j.testing.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.RpcException;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionErrorException;
import io.github.copilot4j.SessionFsOptions;
import io.github.copilot4j.SessionInfo;
import io.github.copilot4j.SessionNotFoundException;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.StateDirEntry;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import io.github.copilot4j.store.InMemorySessionStateStore;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.testing.state.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client as the runtime's session filesystem, against the {@link FakeRuntime} (which calls
 * {@code sessionFs.*} like CLI 1.0.102 does: before the create/resume reply, per turn, at destroy).
 */
@Timeout(30)
class SessionFsClientTest {
    static final String ROOT = "/virtual/session-state";

    final MutableClock clock = new MutableClock();
    final InMemorySessionStateStore state = new InMemorySessionStateStore(clock);
    final InMemorySessionStore sessions = new InMemorySessionStore();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    FakeRuntime runtime(Responder responder) {
        FakeRuntime rt = FakeRuntime.builder().responder(responder).build();
        toClose.add(rt);
        return rt;
    }

    CopilotClient client(FakeRuntime rt, SessionStateStore store, SessionFsOptions.Builder options) {
        return client(InMemoryTransport.to(rt), store, options);
    }

    CopilotClient client(Transport transport, SessionStateStore store, SessionFsOptions.Builder options) {
        CopilotClient c = CopilotClient.builder()
                .transport(transport)
                .sessionStore(sessions)
                .sessionFs(
                        store,
                        options.sessionStatePath(ROOT).initialCwd("/work/here").build())
                .requestTimeout(Duration.ofSeconds(10))
                .build();
        toClose.add(c);
        return c;
    }

    static SessionFsOptions.Builder opts(String holder) {
        return SessionFsOptions.builder().holderId(holder);
    }

    static JsonNode call(FakeRuntime rt, String method, String json) throws Exception {
        return rt.callClient(method, Json.read(json)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void registersRightAfterTheHandshakeAndCreatesWithTheLocalDatabaseOff() {
        FakeRuntime rt = runtime(Responder.ECHO);
        CopilotClient c = client(rt, state, opts("a"));
        c.start();
        CopilotSession s = c.createSession(
                SessionConfig.builder().sessionId("s1").model("gpt-5").build());
        List<String> methods =
                rt.requests().stream().map(FakeRuntime.Request::method).toList();
        assertEquals(List.of("connect", "sessionFs.setProvider", "session.create"), methods.subList(0, 3));
        JsonNode sp = rt.requests().get(1).params();
        assertEquals(ROOT, sp.path("sessionStatePath").asText());
        assertEquals("/work/here", sp.path("initialCwd").asText());
        assertEquals("posix", sp.path("conventions").asText());
        assertFalse(sp.path("capabilities").path("sqlite").asBoolean(true));
        assertFalse(rt.requests().get(2).params().path("enableSessionStore").asBoolean(true));
        assertEquals(ROOT, s.workspacePath());
        // the runtime's calls came before the create reply, and landed in the store without the root prefix
        assertTrue(state.exists("s1", "/workspace.yaml"));
        assertTrue(state.stat("s1", "/checkpoints").isDirectory());
        assertEquals("id: s1\n", state.readFile("s1", "/workspace.yaml"));
        assertFalse(state.exists("s1", "/workspace.yaml.tmp"), "the temp file was renamed over the target");
        // the CLI's probe of its own COPILOT_HOME path is refused in-band, and nothing is stored for it
        FakeRuntime.ClientCall probe = rt.clientCalls().stream()
                .filter(x -> x.params().path("path").asText().startsWith("/fake-copilot-home"))
                .findFirst()
                .orElseThrow();
        assertEquals(
                "UNKNOWN",
                probe.response().path("result").path("error").path("code").asText());
        assertTrue(probe.response()
                .path("result")
                .path("error")
                .path("message")
                .asText()
                .contains("outside the session state directory"));
        assertEquals(
                List.of(new StateDirEntry("checkpoints", true), new StateDirEntry("workspace.yaml", false)),
                state.readdir("s1", "/"));
        assertEquals("a", state.findLease("s1").orElseThrow().holder());
        s.close();
        assertTrue(state.findLease("s1").isEmpty(), "the lease is back when close() returns");
    }

    @Test
    void historyTravelsThroughTheStoreToAnotherRuntime() {
        List<List<String>> seenByB = Collections.synchronizedList(new ArrayList<>());
        FakeRuntime a = runtime(Responder.ECHO);
        CopilotClient ca = client(a, state, opts("a"));
        ca.start();
        CopilotSession s = ca.createSession(
                SessionConfig.builder().sessionId("travel").model("gpt-5").build());
        assertEquals(
                "ECHO: My favourite colour is teal.",
                s.sendAndWait("My favourite colour is teal.", Duration.ofSeconds(10))
                        .content());
        s.sendAndWait("What did I say?", Duration.ofSeconds(10));
        ca.close();
        assertTrue(
                state.readFile("travel", "/events.jsonl").contains("session.shutdown"),
                "destroy appended the shutdown event");
        assertTrue(state.findLease("travel").isEmpty(), "closing the client gave the lease back");

        FakeRuntime b = runtime(turn -> {
            seenByB.add(turn.history());
            return Reply.text("ECHO: " + turn.prompt());
        });
        CopilotClient cb = client(b, state, opts("b"));
        cb.start();
        CopilotSession r = cb.resumeSession(
                "travel", SessionConfig.builder().model("gpt-5").build());
        r.sendAndWait("And what is my name?", Duration.ofSeconds(10));
        assertEquals(
                List.of(List.of(
                        "My favourite colour is teal.",
                        "ECHO: My favourite colour is teal.",
                        "What did I say?",
                        "ECHO: What did I say?")),
                seenByB);
        String events = state.readFile("travel", "/events.jsonl");
        assertEquals(1, count(events, "\"session.resume\""));
        assertEquals(1, count(events, "\"content\":\"And what is my name?\""));
        assertEquals(
                events.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                state.stat("travel", "/events.jsonl").size());
    }

    @Test
    void resumeWithoutStateFailsClearlyAndReleasesTheLease() {
        FakeRuntime rt = runtime(Responder.ECHO);
        CopilotClient c = client(rt, state, opts("a"));
        c.start();
        RpcException e = assertThrows(
                RpcException.class,
                () -> c.resumeSession(
                        "ghost", SessionConfig.builder().model("gpt-5").build()));
        assertTrue(e.getMessage().contains("Session not found: ghost"), e.getMessage());
        assertTrue(state.findLease("ghost").isEmpty());
        RpcException refused = assertThrows(
                RpcException.class,
                () -> c.createSession(SessionConfig.builder()
                        .sessionId("bad")
                        .model("gpt-4.1")
                        .build()));
        assertTrue(refused.getMessage().contains("gpt-4.1"));
        assertTrue(state.findLease("bad").isEmpty());
        assertFalse(state.deleteSession("bad"), "a failed create leaves no state");
        state.writeFile("orphan", "/events.jsonl", "{}\n", SessionStateStore.UNFENCED);
        IllegalStateException taken = assertThrows(
                IllegalStateException.class,
                () -> c.createSession(SessionConfig.builder()
                        .sessionId("orphan")
                        .model("gpt-5")
                        .build()));
        assertTrue(taken.getMessage().contains("resumeSession"), taken.getMessage());
        assertEquals(
                "{}\n", state.readFile("orphan", "/events.jsonl"), "existing state is neither inherited nor deleted");
        assertTrue(state.findLease("orphan").isEmpty());
    }

    @Test
    void answersInBandInTheObservedShapes() throws Exception {
        FakeRuntime rt = runtime(Responder.ECHO);
        CopilotClient c = client(rt, state, opts("a"));
        c.start();
        CopilotSession s = c.createSession(
                SessionConfig.builder().sessionId("shapes").model("gpt-5").build());

        JsonNode missing = call(
                        rt, "sessionFs.readFile", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/plan.md\"}")
                .get("result");
        assertEquals("", missing.path("content").asText());
        assertEquals("ENOENT", missing.path("error").path("code").asText());
        assertEquals(
                "ENOENT: no such file or directory, open '" + ROOT + "/plan.md'",
                missing.path("error").path("message").asText());

        JsonNode write = call(
                rt,
                "sessionFs.writeFile",
                "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/a/b/plan.md\",\"content\":\"p\",\"mode\":384}");
        assertTrue(write.has("result") && write.get("result").isNull(), write.toString());
        JsonNode append = call(
                rt,
                "sessionFs.appendFile",
                "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/a/b/plan.md\",\"content\":\"é\",\"mode\":384}");
        assertTrue(append.get("result").isNull());
        assertEquals(
                "pé",
                call(rt, "sessionFs.readFile", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/a/b/plan.md\"}")
                        .path("result")
                        .path("content")
                        .asText());
        assertFalse(call(rt, "sessionFs.readFile", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/a/b/plan.md\"}")
                .path("result")
                .has("error"));

        JsonNode stat = call(rt, "sessionFs.stat", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/a/b/plan.md\"}")
                .get("result");
        assertTrue(stat.path("isFile").asBoolean());
        assertFalse(stat.path("isDirectory").asBoolean());
        assertEquals(3, stat.path("size").asLong(), "UTF-8 bytes");
        assertTrue(
                stat.path("mtime").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                stat.toString());
        JsonNode noStat = call(rt, "sessionFs.stat", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/nope\"}")
                .get("result");
        assertEquals("ENOENT", noStat.path("error").path("code").asText());
        assertEquals(0, noStat.path("size").asInt());
        assertFalse(
                noStat.path("isFile").asBoolean() || noStat.path("isDirectory").asBoolean());

        JsonNode mkdir = call(
                rt,
                "sessionFs.mkdir",
                "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/temp\",\"recursive\":true,\"mode\":448}");
        assertTrue(mkdir.get("result").isNull());
        JsonNode dirAsFile = call(
                        rt,
                        "sessionFs.writeFile",
                        "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/temp\",\"content\":\"x\"}")
                .get("result");
        assertEquals("UNKNOWN", dirAsFile.path("code").asText(), "the error object is the result of a void method");
        assertTrue(dirAsFile.path("message").asText().startsWith("EISDIR: "), dirAsFile.toString());

        JsonNode typed = call(
                        rt, "sessionFs.readdirWithTypes", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/a\"}")
                .get("result");
        assertEquals(
                "[{\"name\":\"b\",\"type\":\"directory\"}]",
                typed.path("entries").toString());
        JsonNode names = call(rt, "sessionFs.readdir", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/a/b\"}")
                .get("result");
        assertEquals("[\"plan.md\"]", names.path("entries").toString());
        JsonNode noDir = call(
                        rt, "sessionFs.readdirWithTypes", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/files\"}")
                .get("result");
        assertEquals("[]", noDir.path("entries").toString());
        assertEquals("ENOENT", noDir.path("error").path("code").asText());

        assertTrue(call(rt, "sessionFs.exists", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "\"}")
                .path("result")
                .path("exists")
                .asBoolean());
        assertFalse(call(rt, "sessionFs.exists", "{\"sessionId\":\"shapes\",\"path\":\"/etc/passwd\"}")
                .path("result")
                .path("exists")
                .asBoolean(true));
        assertFalse(
                call(rt, "sessionFs.exists", "{\"path\":\"" + ROOT + "\"}")
                        .path("result")
                        .path("exists")
                        .asBoolean(true),
                "exists never fails, even without a session id");

        JsonNode outside = call(rt, "sessionFs.readFile", "{\"sessionId\":\"shapes\",\"path\":\"/etc/passwd\"}")
                .get("result");
        assertEquals("UNKNOWN", outside.path("error").path("code").asText());
        JsonNode escape = call(
                        rt,
                        "sessionFs.writeFile",
                        "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/../../escape\",\"content\":\"x\"}")
                .get("result");
        assertEquals("UNKNOWN", escape.path("code").asText(), "'..' cannot leave the state directory");
        assertFalse(state.exists("shapes", "/escape"));
        JsonNode renameOut = call(
                        rt,
                        "sessionFs.rename",
                        "{\"sessionId\":\"shapes\",\"src\":\"" + ROOT + "/a/b/plan.md\",\"dest\":\"/tmp/x\"}")
                .get("result");
        assertEquals("UNKNOWN", renameOut.path("code").asText());
        assertTrue(call(
                        rt,
                        "sessionFs.rename",
                        "{\"sessionId\":\"shapes\",\"src\":\"" + ROOT + "/a/b/plan.md\",\"dest\":\"" + ROOT
                                + "/plan.md\"}")
                .get("result")
                .isNull());
        assertTrue(call(rt, "sessionFs.rm", "{\"sessionId\":\"shapes\",\"path\":\"" + ROOT + "/a\",\"recursive\":true}")
                .get("result")
                .isNull());
        assertEquals(
                List.of("checkpoints", "plan.md", "temp", "workspace.yaml"),
                state.readdir("shapes", "/").stream().map(StateDirEntry::name).toList());

        JsonNode noLease = call(
                        rt,
                        "sessionFs.writeFile",
                        "{\"sessionId\":\"someone-else\",\"path\":\"" + ROOT + "/x\",\"content\":\"x\"}")
                .get("result");
        assertEquals("UNKNOWN", noLease.path("code").asText());
        assertTrue(noLease.path("message").asText().contains("holds no lease"), noLease.toString());
        assertFalse(state.exists("someone-else", "/x"));

        JsonNode sqlite = call(
                rt,
                "sessionFs.sqliteQuery",
                "{\"sessionId\":\"shapes\",\"queryType\":\"query\",\"query\":\"SELECT 1\"}");
        assertEquals(-32601, sqlite.path("error").path("code").asInt(), sqlite.toString());
        s.close();
    }

    @Test
    void requestsAreAnsweredOffTheReaderThreadAndConcurrently() throws Exception {
        ControllableStateStore slow = new ControllableStateStore(state);
        FakeRuntime rt = runtime(Responder.ECHO);
        CopilotClient c = client(rt, slow, opts("a"));
        c.start();
        c.createSession(SessionConfig.builder().sessionId("conc").model("gpt-5").build());
        slow.blockReadsOf = "/slow.txt";
        CompletableFuture<JsonNode> stuck = rt.callClient(
                "sessionFs.readFile", Json.read("{\"sessionId\":\"conc\",\"path\":\"" + ROOT + "/slow.txt\"}"));
        assertTrue(slow.blocked.await(10, TimeUnit.SECONDS));
        JsonNode quick =
                call(rt, "sessionFs.exists", "{\"sessionId\":\"conc\",\"path\":\"" + ROOT + "/workspace.yaml\"}");
        assertTrue(
                quick.path("result").path("exists").asBoolean(),
                "answered while another request is still being served");
        assertEquals("pong: ", c.ping().message(), "the connection is not blocked either");
        assertFalse(stuck.isDone());
        slow.unblock.countDown();
        assertEquals(
                "ENOENT",
                stuck.get(10, TimeUnit.SECONDS)
                        .path("result")
                        .path("error")
                        .path("code")
                        .asText());
        assertTrue(slow.threadNames.stream().noneMatch(n -> n.contains("rpc-reader")), slow.threadNames.toString());
    }

    @Test
    void aSecondClientCannotResumeADrivenSessionButCanWaitForIt() throws Exception {
        FakeRuntime a = runtime(Responder.ECHO);
        CopilotClient ca = client(a, state, opts("client-a"));
        ca.start();
        CopilotSession s = ca.createSession(
                SessionConfig.builder().sessionId("busy").model("gpt-5").build());
        s.sendAndWait("hello", Duration.ofSeconds(10));
        SessionLease held = state.findLease("busy").orElseThrow();

        FakeRuntime b = runtime(Responder.ECHO);
        CopilotClient cb = client(b, state, opts("client-b"));
        cb.start();
        SessionLeaseException.Held e = assertThrows(
                SessionLeaseException.Held.class,
                () -> cb.resumeSession("busy", SessionConfig.builder().build()));
        assertEquals("client-a", e.holder());
        assertTrue(
                e.getMessage().contains("client-a")
                        && e.getMessage().contains(held.expiresAt().toString()),
                e.getMessage());
        assertTrue(
                b.requests().stream().noneMatch(r -> r.method().equals("session.resume")),
                "refused before asking the runtime");
        assertThrows(
                SessionLeaseException.Held.class,
                () -> cb.createSession(SessionConfig.builder().sessionId("busy").build()));
        assertThrows(SessionLeaseException.Held.class, () -> cb.deleteSession("busy"));
        assertTrue(cb.openSessions().isEmpty());

        CopilotClient waiting =
                client(runtime(Responder.ECHO), state, opts("client-c").leaseWait(Duration.ofSeconds(20)));
        waiting.start();
        CompletableFuture<CopilotSession> resumed = CompletableFuture.supplyAsync(
                () -> waiting.resumeSession("busy", SessionConfig.builder().build()));
        Thread.sleep(300);
        assertFalse(resumed.isDone(), "waits while client-a drives the session");
        s.close();
        CopilotSession r = resumed.get(20, TimeUnit.SECONDS);
        assertEquals("client-c", state.findLease("busy").orElseThrow().holder());
        assertEquals(
                "ECHO: again", r.sendAndWait("again", Duration.ofSeconds(10)).content());
    }

    @Test
    void aPausedHolderWhoseLeaseWasTakenOverCannotWriteAnyMore() throws Exception {
        FakeRuntime a = runtime(Responder.ECHO);
        CopilotClient ca = client(a, state, opts("client-a").leaseDuration(Duration.ofHours(1)));
        ca.start();
        CopilotSession sa = ca.createSession(
                SessionConfig.builder().sessionId("fenced").model("gpt-5").build());
        sa.sendAndWait("turn one from A", Duration.ofSeconds(10));
        long tokenA = state.findLease("fenced").orElseThrow().fencingToken();

        clock.advance(Duration.ofHours(2)); // A "paused": its lease expired without renewal
        FakeRuntime b = runtime(Responder.ECHO);
        CopilotClient cb = client(b, state, opts("client-b").leaseDuration(Duration.ofHours(1)));
        cb.start();
        CopilotSession sb = cb.resumeSession(
                "fenced", SessionConfig.builder().model("gpt-5").build());
        assertTrue(state.findLease("fenced").orElseThrow().fencingToken() > tokenA);

        // A wakes up and carries on: its runtime's append is refused with the stale token
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> sa.sendAndWaitAsync("turn two from A (stale)", Duration.ofSeconds(10))
                        .get(15, TimeUnit.SECONDS));
        assertTrue(
                e.getCause() instanceof SessionLeaseException.Stale || e.getCause() instanceof SessionErrorException,
                e.getCause().toString());
        // (the lost lease fails the turn as soon as the store refuses; the runtime records the reply just after)
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.clientCalls().stream().noneMatch(SessionFsClientTest::refusedAppend) && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        FakeRuntime.ClientCall refused = a.clientCalls().stream()
                .filter(SessionFsClientTest::refusedAppend)
                .findFirst()
                .orElseThrow();
        assertEquals("UNKNOWN", refused.response().path("result").path("code").asText());
        assertTrue(
                refused.response().path("result").path("message").asText().contains("client-b"),
                refused.response().toString());

        sb.sendAndWait("turn two from B", Duration.ofSeconds(10));
        String events = state.readFile("fenced", "/events.jsonl");
        assertTrue(events.contains("turn one from A"));
        assertTrue(events.contains("turn two from B"));
        assertFalse(events.contains("(stale)"), "nothing of the stale holder reached the store");
        sa.close(); // its destroy append is refused too; B keeps the lease
        assertEquals("client-b", state.findLease("fenced").orElseThrow().holder());
        assertFalse(state.readFile("fenced", "/events.jsonl").contains("(stale)"));
    }

    @Test
    void aStoreOutageDuringAWriteIsReportedAndNothingIsLostOrDuplicated() {
        ControllableStateStore flaky = new ControllableStateStore(state);
        FakeRuntime rt = runtime(Responder.ECHO);
        CopilotClient c = client(rt, flaky, opts("a"));
        c.start();
        CopilotSession s = c.createSession(
                SessionConfig.builder().sessionId("flaky").model("gpt-5").build());
        flaky.failAppends.set(1);
        SessionErrorException e = assertThrows(
                SessionErrorException.class, () -> s.sendAndWait("during the outage", Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("simulated database outage"), e.getMessage());
        assertFalse(state.exists("flaky", "/events.jsonl"));
        s.sendAndWait("after recovery", Duration.ofSeconds(10));
        String events = state.readFile("flaky", "/events.jsonl");
        assertEquals(1, count(events, "\"during the outage\""));
        assertEquals(1, count(events, "\"after recovery\""));
        List<String> ids = Arrays.stream(events.split("\n"))
                .map(l -> Json.read(l).path("id").asText())
                .toList();
        assertEquals(ids.size(), ids.stream().distinct().count(), "no event stored twice");
    }

    @Test
    void listAndDeleteUseTheStoresOnly() {
        FakeRuntime rt = runtime(Responder.ECHO);
        CopilotClient c = client(rt, state, opts("a"));
        c.start();
        CopilotSession s = c.createSession(
                SessionConfig.builder().sessionId("gone-soon").model("gpt-5").build());
        s.sendAndWait("hello", Duration.ofSeconds(10));
        List<String> listed =
                c.listSessions().stream().map(SessionInfo::sessionId).toList();
        assertEquals(List.of("gone-soon"), listed);
        assertEquals(
                java.util.Set.of(SessionInfo.Source.STORE),
                c.listSessions().get(0).knownTo());
        assertTrue(
                rt.requests().stream().noneMatch(r -> r.method().equals("session.list")),
                "the runtime's list is blind to these sessions");

        c.deleteSession("gone-soon");
        assertTrue(s.isClosed());
        assertTrue(
                rt.requests().stream().anyMatch(r -> r.method().equals("session.destroy")),
                "an open session is detached first");
        assertTrue(rt.requests().stream().noneMatch(r -> r.method().equals("session.delete")));
        assertFalse(state.exists("gone-soon", "/workspace.yaml"));
        assertTrue(state.readdir("gone-soon", "/").isEmpty());
        assertTrue(state.findLease("gone-soon").isEmpty());
        assertTrue(sessions.find("gone-soon").isEmpty());
        assertTrue(c.listSessions().isEmpty());
        assertThrows(SessionNotFoundException.class, () -> c.deleteSession("gone-soon"));
    }

    @Test
    void leasesAreRenewedInTheBackgroundAndTheRenewerStopsOnClose() throws Exception {
        FakeRuntime rt = runtime(Responder.ECHO);
        CopilotClient c = client(
                rt,
                state,
                opts("renewing").leaseDuration(Duration.ofMillis(900)).leaseRenewInterval(Duration.ofMillis(100)));
        c.start();
        c.createSession(SessionConfig.builder().sessionId("kept").model("gpt-5").build());
        SessionLease first = state.findLease("kept").orElseThrow();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!state.findLease("kept").orElseThrow().expiresAt().isAfter(first.expiresAt())
                && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        SessionLease later = state.findLease("kept").orElseThrow();
        assertTrue(later.expiresAt().isAfter(first.expiresAt()), "renewed");
        assertEquals(first.fencingToken(), later.fencingToken(), "renewal keeps the token");
        assertTrue(renewerThreads() == 1, "one renewer thread per client");
        c.close();
        assertTrue(state.findLease("kept").isEmpty(), "released on close");
        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (renewerThreads() > 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(0, renewerThreads(), "the renewer thread stopped");
    }

    static boolean refusedAppend(FakeRuntime.ClientCall c) {
        return c.method().equals("sessionFs.appendFile")
                && c.response().path("result").path("message").asText().startsWith("ESTALE: ");
    }

    static long renewerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("copilot4j-lease-renewer") && t.isAlive())
                .count();
    }

    @Test
    void aLostConnectionGivesTheLeasesBack() throws Exception {
        FakeRuntime rt = runtime(Responder.ECHO);
        CopilotClient c = client(rt, state, opts("a"));
        c.start();
        c.createSession(SessionConfig.builder()
                        .sessionId("dropped")
                        .model("gpt-5")
                        .build())
                .sendAndWait("hello", Duration.ofSeconds(10));
        assertTrue(state.findLease("dropped").isPresent());
        rt.kill("the runtime crashed");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((c.state() != ClientState.DISCONNECTED
                        || state.findLease("dropped").isPresent())
                && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertEquals(ClientState.DISCONNECTED, c.state());
        assertTrue(state.findLease("dropped").isEmpty());
        c.start(); // a new runtime connection registers again
        CopilotSession again = c.resumeSession(
                "dropped", SessionConfig.builder().model("gpt-5").build());
        assertNotNull(again);
        assertEquals(
                2,
                rt.requests().stream()
                        .filter(r -> r.method().equals("sessionFs.setProvider"))
                        .count());
    }

    @Test
    void anExternalSharedServerIsRefused() {
        FakeRuntime rt = runtime(Responder.ECHO);
        Transport inner = InMemoryTransport.to(rt);
        Transport external = new Transport() {
            @Override
            public TransportChannel open() throws IOException {
                return new NotOwned(inner.open());
            }

            @Override
            public String describe() {
                return "tcp://shared.example:4321";
            }
        };
        CopilotClient c = client(external, state, opts("a"));
        IllegalStateException e = assertThrows(IllegalStateException.class, c::start);
        assertTrue(
                e.getMessage().contains("tcp://shared.example:4321")
                        && e.getMessage().contains("TcpTransport.spawn()"),
                e.getMessage());
        assertEquals(ClientState.DISCONNECTED, c.state());
        assertTrue(rt.requests().stream().noneMatch(r -> r.method().startsWith("sessionFs.")));
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** A channel that says its runtime is an external server. */
    private static final class NotOwned implements TransportChannel {
        private final TransportChannel c;

        NotOwned(TransportChannel c) {
            this.c = c;
        }

        @Override
        public InputStream input() {
            return c.input();
        }

        @Override
        public OutputStream output() {
            return c.output();
        }

        @Override
        public boolean ownsRuntime() {
            return false;
        }

        @Override
        public String describeTermination(Throwable readError, Duration wait) {
            return c.describeTermination(readError, wait);
        }

        @Override
        public boolean isAlive() {
            return c.isAlive();
        }

        @Override
        public void close(Duration grace) {
            c.close(grace);
        }
    }
}
