package io.github.copilot4j.testing.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.CopilotTimeoutException;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.testing.LeakCheck;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import io.github.copilot4j.testing.runtime.Reply;
import io.github.copilot4j.tool.ToolDefinition;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tool handlers that block (and ignore interrupts) do not stall the client: one session cannot take
 * every callback thread, a blocked handler is answered with a failure at its deadline, and even
 * with every callback thread blocked, pings, new sessions, and {@code sendAndWait} timeouts complete
 * promptly, because timers and request completions never wait for the callback pool. Bounds are
 * generous ("well within"), for a loaded machine.
 */
@Timeout(120)
class CallbackStarvationTest {
    private static final Duration HANDLER_TIMEOUT = Duration.ofSeconds(2);
    private static final String TOOL_ANSWER = "session.tools.handlePendingToolCall";

    /** A tool handler that blocks until released, ignoring interrupts, and counts how many run at once. */
    private static final class Blocker {
        final CountDownLatch release = new CountDownLatch(1);
        final Semaphore entered = new Semaphore(0);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final AtomicInteger total = new AtomicInteger();

        ToolDefinition tool() {
            return ToolDefinition.of("block", "blocks until released", "{\"type\":\"object\"}", inv -> {
                total.incrementAndGet();
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                entered.release();
                try {
                    awaitIgnoringInterrupts(release);
                } finally {
                    running.decrementAndGet();
                }
                return "released";
            });
        }
    }

    @Test
    void oneSessionCannotTakeEveryCallbackThread() throws Exception {
        ExecutorService callbacks = Executors.newFixedThreadPool(4);
        Blocker blocker = new Blocker();
        FakeRuntime runtime = FakeRuntime.builder()
                .responder(t -> t.prompt().startsWith("tool")
                        ? Reply.callTool("block", "{}", "Tool said: {result}")
                        : Reply.text("ECHO: " + t.prompt()))
                .build();
        CopilotClient client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .callbackExecutor(callbacks)
                .requestTimeout(Duration.ofSeconds(30))
                .handlerTimeout(HANDLER_TIMEOUT)
                .maxConcurrentHandlersPerSession(2)
                .build();
        try {
            client.start();
            CopilotSession greedy = client.createSession(
                    SessionConfig.builder().tool(blocker.tool()).build());
            CopilotSession other = client.createSession(SessionConfig.builder().build());

            long t0 = System.nanoTime();
            CompletableFuture<AssistantMessage> greedyTurn =
                    greedy.sendAndWaitAsync("tool please", Duration.ofSeconds(60));
            for (int i = 0; i < 6; i++) {
                requestTool(runtime, greedy, "extra-" + i);
            }
            assertTrue(blocker.entered.tryAcquire(2, 20, TimeUnit.SECONDS), "two of the session's handlers run");

            // Seven blocked handlers asked for, four callback threads: another session still gets its turn.
            assertEquals(
                    "ECHO: hello",
                    other.sendAndWait("hello", Duration.ofSeconds(20)).content());

            // The turn's own tool call is answered with a failure at its deadline, and the turn goes on.
            AssistantMessage m = greedyTurn.get(30, TimeUnit.SECONDS);
            long turnMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(m.content().startsWith("Tool said: Tool 'block' did not finish within 2000 ms"), m.content());
            assertTrue(
                    turnMillis >= HANDLER_TIMEOUT.toMillis(),
                    "answered after " + turnMillis + " ms, before the deadline");
            JsonNode answer = runtime.awaitRequest(
                            r -> r.method().equals(TOOL_ANSWER)
                                    && r.params().path("sessionId").asText().equals(greedy.sessionId())
                                    && !r.params().path("requestId").asText().startsWith("extra-"),
                            Duration.ofSeconds(1))
                    .params();
            assertEquals("failure", answer.path("result").path("resultType").asText(), answer.toString());
            assertTrue(answer.path("result").path("error").asText().contains("2000 ms"), answer.toString());
            // The queued extra calls are answered at their deadlines too, without ever getting a thread.
            for (int i = 0; i < 6; i++) {
                String id = "extra-" + i;
                runtime.awaitRequest(
                        r -> r.method().equals(TOOL_ANSWER)
                                && r.params().path("requestId").asText().equals(id),
                        Duration.ofSeconds(20));
            }
            assertEquals(2, blocker.maxRunning.get(), "handlers of one session running at once");
            assertEquals(2, blocker.total.get(), "handlers started (the others timed out in the queue)");
        } finally {
            blocker.release.countDown();
            client.close();
            runtime.close();
            callbacks.shutdownNow();
        }
    }

    @Test
    void aFullyBlockedCallbackPoolStallsNeitherCallsNorTimers() throws Exception {
        LeakCheck leaks = LeakCheck.start();
        ExecutorService callbacks = Executors.newFixedThreadPool(2);
        Blocker blocker = new Blocker();
        FakeRuntime runtime = FakeRuntime.create();
        CopilotClient client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .callbackExecutor(callbacks)
                .requestTimeout(Duration.ofSeconds(30))
                .handlerTimeout(HANDLER_TIMEOUT)
                .maxConcurrentHandlersPerSession(2)
                .build();
        try {
            client.start();
            CopilotSession blocked = client.createSession(
                    SessionConfig.builder().tool(blocker.tool()).build());
            CopilotSession waiting =
                    client.createSession(SessionConfig.builder().build());
            long t0 = System.nanoTime();
            requestTool(runtime, blocked, "first");
            requestTool(runtime, blocked, "second");
            assertTrue(
                    blocker.entered.tryAcquire(2, 20, TimeUnit.SECONDS),
                    "both callback threads are blocked in handlers");

            long t = System.nanoTime();
            assertTrue(client.ping().message().startsWith("pong"));
            assertWellWithin(t, 10_000, "ping");

            t = System.nanoTime();
            CopilotSession created =
                    client.createSession(SessionConfig.builder().build());
            assertWellWithin(t, 10_000, "createSession");

            t = System.nanoTime();
            CopilotTimeoutException timeout = assertThrows(
                    CopilotTimeoutException.class,
                    () -> waiting.sendAndWait("no thread to see my turn end", Duration.ofSeconds(1)));
            assertTrue(timeout.getMessage().contains("did not finish the turn within 1000 ms"), timeout.getMessage());
            assertWellWithin(t, 4_000, "a sendAndWait timeout of 1 s");

            for (String id : new String[] {"first", "second"}) {
                JsonNode answer = runtime.awaitRequest(
                                r -> r.method().equals(TOOL_ANSWER)
                                        && r.params().path("requestId").asText().equals(id),
                                Duration.ofSeconds(20))
                        .params();
                assertEquals("failure", answer.path("result").path("resultType").asText(), answer.toString());
            }
            long answeredMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(
                    answeredMillis >= HANDLER_TIMEOUT.toMillis(),
                    "answered after " + answeredMillis + " ms, before the deadline");

            // Once the handlers return, the callback threads serve the sessions again.
            blocker.release.countDown();
            assertEquals(
                    "ECHO: after",
                    created.sendAndWait("after", Duration.ofSeconds(20)).content());
        } finally {
            blocker.release.countDown();
            client.close();
            runtime.close();
            callbacks.shutdownNow();
        }
        assertTrue(callbacks.awaitTermination(10, TimeUnit.SECONDS));
        leaks.assertNoLeaks(Duration.ofSeconds(10));
    }

    @Test
    void withTheDefaultsOneSessionsBlockedHandlersStallNothingElse() throws Exception {
        Blocker blocker = new Blocker();
        FakeRuntime runtime = FakeRuntime.create();
        CopilotClient client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .requestTimeout(Duration.ofSeconds(30))
                .handlerTimeout(HANDLER_TIMEOUT)
                .build();
        try {
            client.start();
            CopilotSession greedy = client.createSession(
                    SessionConfig.builder().tool(blocker.tool()).build());
            CopilotSession other = client.createSession(SessionConfig.builder().build());
            for (int i = 0; i < 40; i++) {
                requestTool(runtime, greedy, "call-" + i);
            }
            assertTrue(blocker.entered.tryAcquire(1, 20, TimeUnit.SECONDS), "a handler runs");
            long t = System.nanoTime();
            assertTrue(client.ping().message().startsWith("pong"));
            assertEquals(
                    "ECHO: hello",
                    other.sendAndWait("hello", Duration.ofSeconds(20)).content());
            CopilotSession created =
                    client.createSession(SessionConfig.builder().build());
            assertEquals(
                    "ECHO: new",
                    created.sendAndWait("new", Duration.ofSeconds(20)).content());
            assertWellWithin(t, 15_000, "ping, another session's turn, a new session and its turn");
            for (int i = 0; i < 40; i++) {
                String id = "call-" + i;
                runtime.awaitRequest(
                        r -> r.method().equals(TOOL_ANSWER)
                                && r.params().path("requestId").asText().equals(id),
                        Duration.ofSeconds(20));
            }
            assertTrue(
                    blocker.maxRunning.get() <= 8,
                    "at most 8 handlers of one session at once by default, saw " + blocker.maxRunning.get());
        } finally {
            blocker.release.countDown();
            client.close();
            runtime.close();
        }
    }

    /** Makes the runtime ask the client for a call of the blocking tool (as the model would), outside any turn. */
    private static void requestTool(FakeRuntime runtime, CopilotSession session, String requestId) {
        runtime.emitEvent(
                session.sessionId(),
                "external_tool.requested",
                Json.object()
                        .put("requestId", requestId)
                        .put("sessionId", session.sessionId())
                        .put("toolCallId", "call_" + requestId)
                        .put("toolName", "block")
                        .set("arguments", Json.object()),
                false);
    }

    private static void assertWellWithin(long startNanos, long millis, String what) {
        long took = (System.nanoTime() - startNanos) / 1_000_000;
        assertTrue(took < millis, what + " took " + took + " ms with every callback thread blocked");
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (latch.getCount() > 0 && System.nanoTime() < end) {
            try {
                latch.await(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
