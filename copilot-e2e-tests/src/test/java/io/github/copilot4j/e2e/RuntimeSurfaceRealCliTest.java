package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotException;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.RpcException;
import io.github.copilot4j.RuntimeCore;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionLifecycleEvent;
import io.github.copilot4j.Subscription;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.ChatRequest;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.data.AssistantUsageData;
import io.github.copilot4j.event.data.InfoData;
import io.github.copilot4j.event.data.UsageInfoData;
import io.github.copilot4j.internal.rpc.JsonRpcConnection;
import io.github.copilot4j.rpc.RpcSurface;
import io.github.copilot4j.rpc.model.CurrentModel;
import io.github.copilot4j.rpc.model.LogResult;
import io.github.copilot4j.rpc.model.PlanReadResult;
import io.github.copilot4j.rpc.model.SessionLogParams;
import io.github.copilot4j.rpc.model.SessionModelSwitchToParams;
import io.github.copilot4j.rpc.model.SessionPlanUpdateParams;
import io.github.copilot4j.rpc.model.UsageGetMetricsResult;
import io.github.copilot4j.spi.TransportChannel;
import io.github.copilot4j.store.InMemorySessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The generated runtime surface against the REAL pinned CLI (offline, against the fake Copilot API):
 * the CLI knows every method the generated client presents (except those listed), and typed calls
 * and typed events work end to end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RuntimeSurfaceRealCliTest {
    static final Duration TURN = Duration.ofSeconds(60);
    /**
     * Methods of the pinned schema (typed by the generated client) that the pinned CLI answers
     * "method not found": the schema is a little ahead of the CLI there. Keep this list exact.
     */
    static final java.util.Map<String, String> UNKNOWN_TO_THE_PINNED_CLI = java.util.Map.of(
            "user.settings.reload", "Unhandled method user.settings.reload",
            "agentRegistry.spawn", "agentRegistry.spawn is not enabled on this server");
    /** Ends the CLI when called; probed last. */
    static final String SHUTDOWN = "runtime.shutdown";

    OfflineCopilot offline;
    CopilotClient client;

    @BeforeAll
    void start() {
        offline = OfflineCopilot.start();
        client = CopilotClient.builder()
                .transport(offline.stdioTransport())
                .sessionStore(new InMemorySessionStore())
                .requestTimeout(Duration.ofSeconds(30))
                .startTimeout(Duration.ofSeconds(60))
                .build();
        client.start();
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (offline != null) {
            offline.close();
        }
    }

    /**
     * Asks a CLI of its own about every generated method, all at once, with params that are not an
     * object (so session methods fail before they act). An unknown method is answered at once with
     * -32601; a method still running when every other answer is in (some wait for a network that
     * is not there offline) is known. {@code runtime.shutdown} ends the CLI, so it goes last, alone.
     */
    @Test
    void thePinnedCliKnowsEveryGeneratedMethodExceptTheListedOnes() throws Exception {
        List<String> methods = new ArrayList<>();
        methods.addAll(RpcSurface.SERVER_METHODS);
        methods.addAll(RpcSurface.SESSION_METHODS);
        assertTrue(methods.remove(SHUTDOWN), "the schema still has " + SHUTDOWN);
        ExecutorService completions = Executors.newSingleThreadExecutor();
        TransportChannel channel = offline.stdioTransport().open();
        JsonRpcConnection conn = new JsonRpcConnection(
                channel,
                new JsonRpcConnection.Handler() {
                    @Override
                    public void onNotification(String method, JsonNode params) {}

                    @Override
                    public CompletableFuture<JsonNode> onRequest(String method, JsonNode params) {
                        return null;
                    }

                    @Override
                    public void onClosed(ConnectionClosedException reason) {}
                },
                completions,
                64 * 1024 * 1024,
                Duration.ofSeconds(5));
        Set<String> unknown = new TreeSet<>();
        List<String> stillRunning = new ArrayList<>();
        try {
            conn.start();
            Duration t = Duration.ofSeconds(120);
            TextNode notAnObject = TextNode.valueOf("copilot4j-probe");
            java.util.Map<String, CompletableFuture<JsonNode>> probes = new java.util.LinkedHashMap<>();
            for (String m : methods) {
                probes.put(m, conn.request(m, notAnObject, t));
            }
            // Everything answers within milliseconds except handlers that wait on something: a generous shared
            // deadline.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (java.util.Map.Entry<String, CompletableFuture<JsonNode>> p : probes.entrySet()) {
                long left = Math.max(0, deadline - System.nanoTime());
                Integer code = codeOf(p.getValue(), left);
                if (code == null) {
                    stillRunning.add(p.getKey());
                } else if (code == RpcException.METHOD_NOT_FOUND) {
                    unknown.add(p.getKey());
                }
            }
            Integer code = codeOf(conn.request(SHUTDOWN, notAnObject, t), TimeUnit.SECONDS.toNanos(30));
            assertTrue(code == null || code != RpcException.METHOD_NOT_FOUND, SHUTDOWN + " is unknown");
        } finally {
            conn.close();
            completions.shutdownNow();
        }
        assertTrue(
                stillRunning.size() < 10, "too many methods did not answer, the probe is not telling: " + stillRunning);
        assertEquals(
                new TreeSet<>(UNKNOWN_TO_THE_PINNED_CLI.keySet()),
                unknown,
                "methods the generated client presents that the pinned CLI "
                        + System.getProperty("copilot4j.cli.version") + " does not know (of " + (methods.size() + 1)
                        + "; still running, so known: " + stillRunning + ")");
        int all = methods.size() + 1;
        String row = "| methods the pinned CLI knows | " + (all - unknown.size()) + " | " + all + " |";
        java.nio.file.Path readme = java.nio.file.Path.of("..", "README.md");
        assertTrue(
                java.nio.file.Files.readString(readme).contains(row), "the README's Runtime surface table has: " + row);
    }

    /**
     * The JSON-RPC error code a call failed with: 0 if it succeeded, -1 for another failure (e.g.
     * the connection closed), null if it has not answered within {@code nanos}.
     */
    static Integer codeOf(CompletableFuture<JsonNode> f, long nanos) {
        try {
            f.get(nanos, TimeUnit.NANOSECONDS);
            return 0;
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException ce && ce.getCause() != null
                    ? ce.getCause()
                    : e.getCause();
            return c instanceof RpcException re ? re.code() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void switchingTheModelChangesTheNextModelRequestAndGetCurrentReportsIt() {
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        s.sendAndWait("before the switch", TURN);
        s.rpc()
                .model()
                .switchTo(SessionModelSwitchToParams.builder()
                        .modelId("claude-sonnet-4.5")
                        .build());
        CurrentModel current = s.rpc().model().getCurrent();
        assertEquals("claude-sonnet-4.5", current.modelId());
        s.sendAndWait("after the switch", TURN);
        List<ChatRequest> requests = offline.fakeApi().chatRequests(s.sessionId());
        ChatRequest before = requests.stream()
                .filter(r -> r.lastUserText().equals("before the switch"))
                .findFirst()
                .orElseThrow();
        ChatRequest after = requests.stream()
                .filter(r -> r.lastUserText().equals("after the switch"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no model request after the switch: " + requests));
        assertEquals("gpt-5", before.model());
        assertEquals("claude-sonnet-4.5", after.model());
        s.close();
    }

    @Test
    void usageFiguresAndTypedUsageEventsAfterATurn() throws Exception {
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        CompletableFuture<AssistantUsageData> usage = new CompletableFuture<>();
        CompletableFuture<UsageInfoData> info = new CompletableFuture<>();
        s.on(AssistantUsageData.class, usage::complete);
        s.on(UsageInfoData.class, info::complete);
        s.sendAndWait("count my tokens please", TURN);
        UsageGetMetricsResult metrics = s.rpc().usage().getMetrics();
        assertNotNull(metrics.totalUserRequests(), metrics.toString());
        assertTrue(metrics.totalUserRequests() >= 1, "user requests: " + metrics);
        assertTrue(
                metrics.modelMetrics() != null && metrics.modelMetrics().containsKey("gpt-5"),
                "model metrics: " + metrics);

        AssistantUsageData u = usage.get(30, TimeUnit.SECONDS);
        assertEquals("gpt-5", u.model());
        assertTrue(
                u.inputTokens() != null && u.inputTokens() > 0 && u.outputTokens() != null && u.outputTokens() > 0,
                u.toString());
        UsageInfoData i = info.get(30, TimeUnit.SECONDS);
        assertTrue(i.tokenLimit() != null && i.tokenLimit() > 0, i.toString());
        s.close();
    }

    @Test
    void planRoundTripsAndLogAppearsInTheEventStream() throws Exception {
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        CompletableFuture<SessionEvent> logged = new CompletableFuture<>();
        s.on(e -> {
            if (e.payload() instanceof InfoData d && "hello from copilot4j".equals(d.message())) {
                logged.complete(e);
            }
        });
        s.rpc()
                .plan()
                .update(SessionPlanUpdateParams.builder()
                        .content("# Plan\n1. generate the client\n")
                        .build());
        PlanReadResult plan = s.rpc().plan().read();
        assertEquals(Boolean.TRUE, plan.exists());
        assertEquals("# Plan\n1. generate the client\n", plan.content());
        s.rpc().plan().delete();
        assertEquals(Boolean.FALSE, s.rpc().plan().read().exists());

        LogResult r = s.rpc()
                .log(SessionLogParams.builder().message("hello from copilot4j").build());
        SessionEvent e = logged.get(30, TimeUnit.SECONDS);
        assertEquals("session.info", e.type());
        assertEquals(r.eventId(), e.id(), "the log call names the event it emitted");
        s.close();
    }

    @Test
    void coreMethodsOutsideTheSchemaAndALifecycleListener() throws Exception {
        String id = "lifecycle-" + java.util.UUID.randomUUID();
        CompletableFuture<SessionLifecycleEvent> created = new CompletableFuture<>();
        CompletableFuture<SessionLifecycleEvent> deleted = new CompletableFuture<>();
        Subscription sub = client.core().onSessionLifecycle(e -> {
            if (id.equals(e.sessionId()) && e.type().equals("session.created")) {
                created.complete(e);
            } else if (id.equals(e.sessionId()) && e.type().equals("session.deleted")) {
                deleted.complete(e);
            }
        });
        CopilotSession s = client.createSession(
                SessionConfig.builder().sessionId(id).model("gpt-5").build());
        assertTrue(created.get(30, TimeUnit.SECONDS).metadata().has("startTime"));
        assertTrue(client.core().sessionMetadata(id).isObject());
        s.close();
        client.deleteSession(id);
        assertEquals(id, deleted.get(30, TimeUnit.SECONDS).sessionId());
        sub.close();

        RuntimeCore.Status status = client.core().status();
        assertEquals(System.getProperty("copilot4j.cli.version"), status.version());
        assertEquals(client.protocolVersion(), status.protocolVersion());
        assertTrue(client.core().authStatus().raw().has("isAuthenticated"));
        assertTrue(client.core().foregroundSessionId().isEmpty(), "a headless runtime has no foreground session");
        CopilotException refused = org.junit.jupiter.api.Assertions.assertThrows(
                CopilotException.class, () -> client.core().setForegroundSession(id));
        assertTrue(refused.getMessage().contains("TUI"), refused.getMessage());
    }

    @Test
    void rawCallsReachMethodsByName() {
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        JsonNode current = s.rpc().call("session.model.getCurrent", null);
        assertEquals("gpt-5", current.path("modelId").asText());
        JsonNode ping = client.rpc().call("ping", null);
        assertTrue(ping.has("protocolVersion"), ping.toString());
        RpcException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                RpcException.class, () -> s.rpc().call("session.copilot4jNoSuchMethod", null));
        assertEquals(RpcException.METHOD_NOT_FOUND, unknown.code());
        s.close();
    }
}
