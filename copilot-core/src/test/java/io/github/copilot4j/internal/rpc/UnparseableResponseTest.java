package io.github.copilot4j.internal.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotTimeoutException;
import io.github.copilot4j.ProtocolException;
import io.github.copilot4j.internal.json.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A response that is not valid JSON (invalid UTF-8, 100,000-deep nesting) fails its call at once
 * with a {@link ProtocolException} naming the problem when its id can still be read; when it
 * cannot, the log and the timeout that follows say so. The connection stays usable. Each wait for
 * the "at once" failure is far shorter than the call's own timeout, so a call that is merely left
 * waiting fails the test.
 */
@Timeout(30)
class UnparseableResponseTest {
    static final Duration LONG = Duration.ofSeconds(60);
    PipeChannel channel;
    JsonRpcConnection conn;
    FrameReader peerReader;
    final ExecutorService executor = Executors.newCachedThreadPool();
    final List<ProtocolException> protocolErrors = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        channel = new PipeChannel();
        conn = new JsonRpcConnection(
                channel,
                new JsonRpcConnection.Handler() {
                    @Override
                    public void onNotification(String method, JsonNode params) {}

                    @Override
                    public CompletableFuture<JsonNode> onRequest(String method, JsonNode params) {
                        return null;
                    }

                    @Override
                    public void onProtocolError(ProtocolException error) {
                        protocolErrors.add(error);
                    }

                    @Override
                    public void onClosed(ConnectionClosedException reason) {}
                },
                executor,
                4 * 1024 * 1024,
                Duration.ofMillis(100));
        conn.start();
        peerReader = new FrameReader(new BufferedInputStream(channel.peerIn()), 1 << 20);
    }

    @AfterEach
    void tearDown() {
        conn.close("test over", Duration.ofMillis(100));
        executor.shutdownNow();
    }

    private void peerSend(byte[] body) throws Exception {
        channel.peerOut().write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        channel.peerOut().write(body);
        channel.peerOut().flush();
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            byte[] b = p instanceof byte[] raw ? raw : p.toString().getBytes(StandardCharsets.UTF_8);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private long requestId() throws Exception {
        return Json.MAPPER.readTree(peerReader.next()).get("id").asLong();
    }

    private static ProtocolException failsAtOnce(CompletableFuture<JsonNode> call) {
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> call.get(5, TimeUnit.SECONDS),
                "the call fails at once, long before its own timeout of " + LONG.toSeconds() + " s");
        return assertInstanceOf(ProtocolException.class, e.getCause());
    }

    private void assertStillAnswers() throws Exception {
        CompletableFuture<JsonNode> ping = conn.request("ping", null, LONG);
        peerSend(bytes("{\"jsonrpc\":\"2.0\",\"id\":" + requestId() + ",\"result\":\"pong\"}"));
        assertEquals("pong", ping.get(5, TimeUnit.SECONDS).asText());
        assertTrue(conn.isOpen());
    }

    @Test
    void invalidUtf8InAResponseFailsItsCallAtOnce() throws Exception {
        CompletableFuture<JsonNode> call = conn.request("session.getMessages", null, LONG);
        long id = requestId();
        peerSend(bytes(
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":\"a",
                new byte[] {(byte) 0xFF, (byte) 0xFE},
                "b\"}}"));
        ProtocolException e = failsAtOnce(call);
        assertTrue(
                e.getMessage().contains("session.getMessages") && e.getMessage().contains("id " + id), e.getMessage());
        assertTrue(e.getMessage().contains("Invalid UTF-8"), e.getMessage());
        assertEquals(0, conn.pendingCount());
        assertStillAnswers();
    }

    @Test
    void a100000DeepResponseFailsItsCallAtOnceWhereverItsIdIs() throws Exception {
        int depth = 100_000;
        String deep = "[".repeat(depth) + "]".repeat(depth);
        CompletableFuture<JsonNode> idFirst = conn.request("first", null, LONG);
        peerSend(bytes("{\"jsonrpc\":\"2.0\",\"id\":" + requestId() + ",\"result\":" + deep + "}"));
        ProtocolException e = failsAtOnce(idFirst);
        assertTrue(e.getMessage().contains("first") && e.getMessage().contains("nesting depth"), e.getMessage());

        // The id after the deep part, and deep strings with brackets and escaped quotes inside: found all the same.
        CompletableFuture<JsonNode> idLast = conn.request("last", null, LONG);
        long id = requestId();
        String tricky = "{\"s\":\"]}\\\"[{\",\"a\":" + deep + ",\"id\":\"not this\"}";
        peerSend(bytes("\uFEFF { \"jsonrpc\" : \"2.0\" , \"result\" : " + tricky + " , \"id\" : " + id + " }"));
        ProtocolException last = failsAtOnce(idLast);
        assertTrue(last.getMessage().contains("last") && last.getMessage().contains("id " + id), last.getMessage());
        assertStillAnswers();
    }

    @Test
    void aBrokenRequestFromTheRuntimeNeverFailsOurCallWithTheSameId() throws Exception {
        CompletableFuture<JsonNode> call = conn.request("mine", null, LONG);
        long id = requestId();
        // The runtime's request ids are its own: a broken request with our id is not our answer.
        peerSend(bytes(
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"x\",\"params\":{\"v\":\"",
                new byte[] {(byte) 0xC3, 0x28},
                "\"}}"));
        peerSend(bytes("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"mine\"}"));
        assertEquals("mine", call.get(5, TimeUnit.SECONDS).asText());
        assertTrue(protocolErrors.get(0).getMessage().contains("a request or notification"), protocolErrors.toString());
    }

    @Test
    void withoutAReadableIdTheLogAndTheTimeoutSaySo() throws Exception {
        CompletableFuture<JsonNode> call = conn.request("lost", null, Duration.ofMillis(500));
        requestId();
        peerSend(bytes("{\"jsonrpc\":\"2.0\",\"id\":", new byte[] {(byte) 0xFF}, ",\"result\":1}"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
        CopilotTimeoutException timeout = assertInstanceOf(CopilotTimeoutException.class, e.getCause());
        assertTrue(timeout.getMessage().contains("No answer to lost"), timeout.getMessage());
        assertTrue(
                timeout.getMessage().contains("id could not be read")
                        && timeout.getMessage().contains("Invalid"),
                timeout.getMessage());
        assertEquals(1, protocolErrors.size(), protocolErrors.toString());
        assertTrue(protocolErrors.get(0).getMessage().contains("id could not be read"), protocolErrors.toString());

        // A later call that times out with nothing unreadable since it was sent says nothing of the sort.
        CompletableFuture<JsonNode> quiet = conn.request("quiet", null, Duration.ofMillis(200));
        requestId();
        ExecutionException q = assertThrows(ExecutionException.class, () -> quiet.get(10, TimeUnit.SECONDS));
        assertFalse(
                q.getCause().getMessage().contains("could not be read"),
                q.getCause().getMessage());
        assertStillAnswers();
    }

    @Test
    void theTopLevelScanFindsOnlyATopLevelIntegerId() {
        assertEquals(
                7L, MessageHead.scan(bytes("{\"result\":{\"id\":3},\"id\":7}")).responseId());
        assertEquals(
                -2L, MessageHead.scan(bytes("{\"id\":-2,\"result\":[\"}\"]}")).responseId());
        assertNull(MessageHead.scan(bytes("{\"result\":{\"id\":3}}")).responseId());
        assertNull(MessageHead.scan(bytes("{\"id\":1.5}")).responseId());
        assertNull(MessageHead.scan(bytes("{\"id\":\"7\"}")).responseId());
        assertNull(MessageHead.scan(bytes("{\"id\":99999999999999999999}")).responseId());
        assertNull(MessageHead.scan(bytes("{\"method\":\"m\",\"id\":7}")).responseId());
        assertNull(MessageHead.scan(bytes("[{\"id\":7}]")).responseId());
        assertNull(MessageHead.scan(bytes("{\"a\":\"unterminated, \"id\":7}")).responseId());
        assertEquals(7L, MessageHead.scan(bytes("{\"id\":7,\"a\":[[[")).responseId());
    }
}
