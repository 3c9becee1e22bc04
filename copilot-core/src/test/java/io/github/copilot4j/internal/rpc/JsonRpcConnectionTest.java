package io.github.copilot4j.internal.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotTimeoutException;
import io.github.copilot4j.ProtocolException;
import io.github.copilot4j.RpcException;
import io.github.copilot4j.internal.json.Json;
import java.io.BufferedInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class JsonRpcConnectionTest {
    PipeChannel channel;
    JsonRpcConnection conn;
    FrameReader peerReader;
    ExecutorService executor = Executors.newCachedThreadPool();
    final BlockingQueue<String> notifications = new LinkedBlockingQueue<>();
    final List<ProtocolException> protocolErrors = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<ConnectionClosedException> closed = new CompletableFuture<>();

    @BeforeEach
    void setUp() {
        channel = new PipeChannel();
        conn = new JsonRpcConnection(
                channel,
                new JsonRpcConnection.Handler() {
                    @Override
                    public void onNotification(String method, JsonNode params) {
                        notifications.add(method + " " + params);
                    }

                    @Override
                    public CompletableFuture<JsonNode> onRequest(String method, JsonNode params) {
                        switch (method) {
                            case "echo":
                                return CompletableFuture.completedFuture(params);
                            case "fail":
                                return CompletableFuture.failedFuture(new IllegalStateException("handler exploded"));
                            default:
                                return null;
                        }
                    }

                    @Override
                    public void onProtocolError(ProtocolException error) {
                        protocolErrors.add(error);
                    }

                    @Override
                    public void onClosed(ConnectionClosedException reason) {
                        closed.complete(reason);
                    }
                },
                executor,
                4096,
                Duration.ofMillis(100));
        conn.start();
        peerReader = new FrameReader(new BufferedInputStream(channel.peerIn()), 1 << 20);
    }

    @AfterEach
    void tearDown() {
        conn.close("test over", Duration.ofMillis(100));
        executor.shutdownNow();
    }

    void peerSend(String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        channel.peerOut().write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        channel.peerOut().write(body);
        channel.peerOut().flush();
    }

    void peerSendRaw(String raw) throws Exception {
        channel.peerOut().write(raw.getBytes(StandardCharsets.UTF_8));
        channel.peerOut().flush();
    }

    JsonNode peerReceive() throws Exception {
        return Json.MAPPER.readTree(peerReader.next());
    }

    @Test
    void requestResponseRoundTrip() throws Exception {
        CompletableFuture<JsonNode> f = conn.request("ping", Json.object().put("message", "hi"), Duration.ofSeconds(5));
        JsonNode req = peerReceive();
        assertEquals("2.0", req.get("jsonrpc").asText());
        assertEquals("ping", req.get("method").asText());
        assertEquals("hi", req.get("params").get("message").asText());
        peerSend("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":{\"ok\":true}}");
        assertTrue(f.get(5, TimeUnit.SECONDS).get("ok").asBoolean());
    }

    @Test
    void errorResponseBecomesRpcException() throws Exception {
        CompletableFuture<JsonNode> f = conn.request("nope", null, Duration.ofSeconds(5));
        JsonNode req = peerReceive();
        peerSend("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id")
                + ",\"error\":{\"code\":-32601,\"message\":\"Unhandled method nope\"}}");
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        RpcException rpc = (RpcException) e.getCause();
        assertEquals(-32601, rpc.code());
        assertEquals("nope", rpc.method());
    }

    @Test
    void unknownResponseIdsAreIgnored() throws Exception {
        peerSend("{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":{}}");
        CompletableFuture<JsonNode> f = conn.request("ping", null, Duration.ofSeconds(5));
        JsonNode req = peerReceive();
        peerSend("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":\"pong\"}");
        assertEquals("pong", f.get(5, TimeUnit.SECONDS).asText());
        assertTrue(conn.isOpen());
    }

    @Test
    void serverRequestsAreAnsweredOrRefused() throws Exception {
        peerSend("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"echo\",\"params\":{\"x\":1}}");
        JsonNode r1 = peerReceive();
        assertEquals(7, r1.get("id").asInt());
        assertEquals(1, r1.get("result").get("x").asInt());

        peerSend("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"unknown.method\",\"params\":{}}");
        JsonNode r2 = peerReceive();
        assertEquals("abc", r2.get("id").asText(), "ids are echoed verbatim");
        assertEquals(-32601, r2.get("error").get("code").asInt());

        peerSend("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"fail\",\"params\":{}}");
        JsonNode r3 = peerReceive();
        assertEquals(-32603, r3.get("error").get("code").asInt());
        String msg = r3.get("error").get("message").asText();
        assertTrue(msg.contains("handler exploded"), msg);
        assertFalse(msg.contains("\tat ") || msg.contains(".java:"), "no stack trace: " + msg);
    }

    @Test
    void notificationsAreRouted() throws Exception {
        peerSend("{\"jsonrpc\":\"2.0\",\"method\":\"session.event\",\"params\":{\"sessionId\":\"s1\"}}");
        String n = notifications.poll(5, TimeUnit.SECONDS);
        assertTrue(n != null && n.startsWith("session.event") && n.contains("s1"), String.valueOf(n));
    }

    @Test
    void invalidJsonAndNonObjectsAreRejectedAndTheConnectionLives() throws Exception {
        peerSend("{not json");
        peerSend("[1,2,3]");
        peerSend("42");
        peerSend("{\"jsonrpc\":\"2.0\",\"method\":17,\"id\":3}");
        JsonNode invalidRequestReply = peerReceive();
        assertEquals(-32600, invalidRequestReply.get("error").get("code").asInt());
        CompletableFuture<JsonNode> f = conn.request("ping", null, Duration.ofSeconds(5));
        JsonNode req = peerReceive();
        peerSend("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":1}");
        assertEquals(1, f.get(5, TimeUnit.SECONDS).asInt());
        assertEquals(4, protocolErrors.size(), protocolErrors.toString());
        assertTrue(protocolErrors.get(0).getMessage().contains("not valid JSON"));
        assertTrue(protocolErrors.get(1).getMessage().contains("not an object"));
    }

    @Test
    void missingContentLengthClosesWithProtocolError() throws Exception {
        assertClosesWith("Content-Type: application/json\r\n\r\n{}", "without a Content-Length");
    }

    @Test
    void negativeContentLengthClosesWithProtocolError() throws Exception {
        assertClosesWith("Content-Length: -5\r\n\r\n", "negative Content-Length");
    }

    /**
     * Whoever hears of the end first (the client flips its state there) can already read why, so a
     * call refused right after names the protocol error. It did not: the reason was recorded after.
     */
    @Test
    void theReasonOfAProtocolErrorIsKnownWhenTheHandlerHearsOfTheEnd() throws Exception {
        PipeChannel ch = new PipeChannel();
        java.util.concurrent.atomic.AtomicReference<JsonRpcConnection> self =
                new java.util.concurrent.atomic.AtomicReference<>();
        CompletableFuture<Optional<ConnectionClosedException>> atEnding = new CompletableFuture<>();
        JsonRpcConnection c = new JsonRpcConnection(
                ch,
                new JsonRpcConnection.Handler() {
                    @Override
                    public void onNotification(String method, JsonNode params) {}

                    @Override
                    public CompletableFuture<JsonNode> onRequest(String method, JsonNode params) {
                        return null;
                    }

                    @Override
                    public void onEnding() {
                        atEnding.complete(Optional.ofNullable(self.get().closeReason()));
                    }

                    @Override
                    public void onClosed(ConnectionClosedException reason) {}
                },
                executor,
                4096,
                Duration.ofMillis(100));
        self.set(c);
        try {
            c.start();
            ch.peerOut().write("Content-Length: 99999999999\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            ch.peerOut().flush();
            ConnectionClosedException known = atEnding.get(10, TimeUnit.SECONDS).orElse(null);
            assertNotNull(known, "the reason is recorded before the handler hears of the end");
            assertTrue(known.getMessage().contains("Protocol error"), known.getMessage());
        } finally {
            c.close();
        }
    }

    @Test
    void hugeContentLengthIsRejectedBeforeAllocating() throws Exception {
        assertClosesWith("Content-Length: 99999999999\r\n\r\n", "exceeds the maximum");
    }

    @Test
    void nonNumericContentLength() throws Exception {
        assertClosesWith("Content-Length: 12abc\r\n\r\n", "not a number");
    }

    @Test
    void headerLineWithoutColon() throws Exception {
        assertClosesWith("garbage garbage\r\n\r\n", "malformed frame header");
    }

    private void assertClosesWith(String raw, String expected) throws Exception {
        CompletableFuture<JsonNode> pending = conn.request("ping", null, Duration.ofSeconds(30));
        peerReceive();
        peerSendRaw(raw);
        ConnectionClosedException reason = closed.get(5, TimeUnit.SECONDS);
        assertTrue(reason.getMessage().contains(expected), reason.getMessage());
        assertTrue(reason.getCause() instanceof ProtocolException);
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(2, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof ConnectionClosedException);
        assertFalse(conn.isOpen());
    }

    @Test
    void channelDeathFailsAllPendingCallsAtOnceWithTheReason() throws Exception {
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(conn.request("slow" + i, null, Duration.ofMinutes(5)));
        }
        channel.termination = "Copilot CLI (pid 1) exited with code 1; last stderr lines: boom";
        long t0 = System.nanoTime();
        channel.peerOut().close();
        for (CompletableFuture<JsonNode> c : calls) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> c.get(2, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof ConnectionClosedException);
            assertTrue(
                    e.getCause().getMessage().contains("exited with code 1"),
                    e.getCause().getMessage());
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
        assertEquals(0, conn.pendingCount());
        // calls after the death fail immediately, naming the reason
        ExecutionException after = assertThrows(
                ExecutionException.class,
                () -> conn.request("late", null, Duration.ofSeconds(5)).get(1, TimeUnit.SECONDS));
        assertTrue(after.getCause().getMessage().contains("exited with code 1"));
    }

    @Test
    void requestTimeoutRemovesThePendingCall() throws Exception {
        CompletableFuture<JsonNode> f = conn.request("never", null, Duration.ofMillis(100));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof CopilotTimeoutException);
        assertEquals(0, conn.pendingCount());
    }

    @Test
    void oversizedOutgoingMessageIsRefusedWithoutClosing() {
        CompletableFuture<JsonNode> f =
                conn.request("big", Json.object().put("blob", "x".repeat(10_000)), Duration.ofSeconds(5));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(2, TimeUnit.SECONDS));
        assertTrue(
                e.getCause().getMessage().contains("exceeds the maximum frame size"),
                e.getCause().getMessage());
        assertTrue(conn.isOpen());
    }

    @Test
    void concurrentWritersNeverInterleaveFrames() throws Exception {
        int n = 200;
        List<CompletableFuture<JsonNode>> calls = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < n / 4; i++) {
                    calls.add(conn.request("m", Json.object().put("pad", "y".repeat(500)), Duration.ofSeconds(10)));
                }
            });
            threads.add(th);
            th.start();
        }
        for (int i = 0; i < n; i++) {
            JsonNode req = peerReceive();
            assertEquals(500, req.get("params").get("pad").asText().length());
            peerSend("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":null}");
        }
        for (Thread th : threads) {
            th.join();
        }
        for (CompletableFuture<JsonNode> c : calls) {
            assertTrue(c.get(5, TimeUnit.SECONDS).isNull());
        }
    }
}
