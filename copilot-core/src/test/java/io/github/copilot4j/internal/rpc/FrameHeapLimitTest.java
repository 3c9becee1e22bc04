package io.github.copilot4j.internal.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.ProtocolException;
import io.github.copilot4j.internal.json.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default frame cap follows the heap, and an {@link OutOfMemoryError} on the reader thread
 * (injected here: the stream throws it inside a frame's body) fails every pending call with a
 * {@link ConnectionClosedException} that names the frame size, the heap and {@code maxFrameBytes},
 * and ends the channel. {@code LargeFrameHeapTest} in copilot-testing proves both against a real
 * 128 MiB child JVM.
 */
@Timeout(20)
class FrameHeapLimitTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void theDefaultCapIsASixteenthOfTheHeapWithinOneAndSixtyFourMiB() {
        assertEquals(8 * MIB, FrameReader.defaultMaxFrameBytes(128 * MIB));
        assertEquals(32 * MIB, FrameReader.defaultMaxFrameBytes(512 * MIB));
        assertEquals(64 * MIB, FrameReader.defaultMaxFrameBytes(1024 * MIB));
        assertEquals(64 * MIB, FrameReader.defaultMaxFrameBytes(16L * 1024 * MIB));
        assertEquals(1 * MIB, FrameReader.defaultMaxFrameBytes(8 * MIB));
        assertEquals(64 * MIB, FrameReader.defaultMaxFrameBytes(Long.MAX_VALUE), "no heap limit");
        assertEquals(
                FrameReader.defaultMaxFrameBytes(Runtime.getRuntime().maxMemory()), FrameReader.defaultMaxFrameBytes());
    }

    @Test
    void aFrameOverTheCapNamesItsSizeTheCapAndTheSetting() {
        InputStream in =
                new ByteArrayInputStream("Content-Length: 60000000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        ProtocolException e = assertThrows(ProtocolException.class, () -> new FrameReader(in, 8 * 1024 * 1024).next());
        assertTrue(
                e.getMessage().contains("60000000")
                        && e.getMessage().contains("8388608")
                        && e.getMessage().contains("maxFrameBytes"),
                e.getMessage());
    }

    @Test
    void anOutOfMemoryErrorInTheReaderFailsEveryPendingCallSayingWhatHappened() throws Exception {
        ExecutorService executor = Executors.newCachedThreadPool();
        CompletableFuture<Void> requested = new CompletableFuture<>();
        AtomicBoolean channelClosed = new AtomicBoolean();
        CompletableFuture<ConnectionClosedException> closed = new CompletableFuture<>();
        byte[] head = "Content-Length: 50000000\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\""
                .getBytes(StandardCharsets.US_ASCII);
        InputStream body = new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                requested.join(); // both calls are pending before the frame "arrives"
                throw new OutOfMemoryError("Java heap space (injected)");
            }
        };
        InputStream input = new SequenceInputStream(new ByteArrayInputStream(head), body);
        io.github.copilot4j.spi.TransportChannel channel = new io.github.copilot4j.spi.TransportChannel() {
            @Override
            public InputStream input() {
                return input;
            }

            @Override
            public OutputStream output() {
                return OutputStream.nullOutputStream();
            }

            @Override
            public boolean ownsRuntime() {
                return true;
            }

            @Override
            public String describeTermination(Throwable readError, Duration wait) {
                return "Copilot CLI (pid 1) is still running but its output ended";
            }

            @Override
            public boolean isAlive() {
                return !channelClosed.get();
            }

            @Override
            public void close(Duration grace) {
                channelClosed.set(true);
            }
        };
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
                    public void onClosed(ConnectionClosedException reason) {
                        closed.complete(reason);
                    }
                },
                executor,
                64 * 1024 * 1024,
                Duration.ofMillis(100));
        try {
            conn.start();
            CompletableFuture<JsonNode> first =
                    conn.request("session.getMessages", Json.object(), Duration.ofMinutes(1));
            CompletableFuture<JsonNode> second = conn.request("ping", Json.object(), Duration.ofMinutes(1));
            requested.complete(null);
            for (CompletableFuture<JsonNode> call : java.util.List.of(first, second)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
                ConnectionClosedException c = assertInstanceOf(ConnectionClosedException.class, e.getCause());
                String m = c.getMessage();
                assertTrue(
                        m.contains("frame of 50000000 bytes")
                                && m.contains("did not fit in this JVM's heap")
                                && m.contains("-Xmx")
                                && m.contains("maxFrameBytes 67108864"),
                        m);
                assertFalse(m.contains("output ended"), m);
            }
            assertTrue(closed.get(5, TimeUnit.SECONDS).getMessage().contains("did not fit"));
            assertTrue(channelClosed.get(), "the channel (and the runtime behind it) was ended");
            assertFalse(conn.isOpen());
        } finally {
            conn.close("test over", Duration.ofMillis(100));
            executor.shutdownNow();
        }
    }
}
