package io.github.copilot4j.testing.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.internal.rpc.FrameReader;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 60,000,000-byte response to a real {@link CopilotClient} in a child JVM with {@code -Xmx128m}
 * (this test plays the runtime over the child's stdin/stdout, see {@link LargeFrameChild}). With
 * the default frame cap, the frame is refused before it is read, and the error names its size, the
 * cap and {@code maxFrameBytes}. With the cap raised to 64 MiB, parsing the frame runs out of heap,
 * and the call fails with a {@link io.github.copilot4j.ConnectionClosedException} that says so, not
 * "output ended".
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LargeFrameHeapTest {
    static final int FRAME = 60_000_000;

    @Test
    void withTheDefaultCapTheFrameIsRefusedNamingItsSizeAndTheSetting() throws Exception {
        String result = runChild("default");
        int cap = FrameReader.defaultMaxFrameBytes(128L * 1024 * 1024);
        assertTrue(
                result.startsWith("io.github.copilot4j.ConnectionClosedException: ping failed: Protocol error"),
                result);
        assertTrue(
                result.contains("frame of " + FRAME + " bytes exceeds the maximum of ")
                        && result.contains("maxFrameBytes"),
                result);
        // The child's heap is a little under -Xmx (survivor space), so its cap is at most the 128 MiB one.
        assertTrue(result.matches(".*maximum of (\\d+) bytes.*"), result);
        long childCap = Long.parseLong(result.replaceAll(".*maximum of (\\d+) bytes.*", "$1"));
        assertTrue(childCap <= cap && childCap >= cap / 2, "cap " + childCap + " in a 128 MiB JVM: " + result);
    }

    @Test
    void aFrameThatDoesNotFitInTheHeapSaysSo() throws Exception {
        String result = runChild(Integer.toString(64 * 1024 * 1024));
        assertTrue(result.startsWith("io.github.copilot4j.ConnectionClosedException: ping failed: "), result);
        assertTrue(
                result.contains("frame of " + FRAME + " bytes")
                        && result.contains("did not fit in this JVM's heap")
                        && result.contains("-Xmx")
                        && result.contains("maxFrameBytes"),
                result);
        assertFalse(result.contains("output ended"), result);
    }

    /** Runs the child, answers its handshake, sends the big response to its ping, returns its RESULT line. */
    private static String runChild(String maxFrameBytes) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                java,
                "-Xmx128m",
                "-XX:-HeapDumpOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                LargeFrameChild.class.getName(),
                maxFrameBytes);
        Process child = pb.start();
        List<String> stderr = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread drain = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            stderr.add(line);
                            if (line.startsWith("RESULT ")) {
                                result.complete(line.substring("RESULT ".length()));
                            }
                        }
                        result.completeExceptionally(
                                new AssertionError("the child printed no RESULT; stderr: " + stderr));
                    } catch (IOException e) {
                        result.completeExceptionally(e);
                    }
                },
                "large-frame-child-stderr");
        drain.setDaemon(true);
        drain.start();
        try {
            FrameReader requests = new FrameReader(new BufferedInputStream(child.getInputStream()), 1 << 20);
            OutputStream toChild = child.getOutputStream();
            JsonNode connect = Json.MAPPER.readTree(requests.next());
            assertEquals("connect", connect.get("method").asText());
            send(
                    toChild,
                    ("{\"jsonrpc\":\"2.0\",\"id\":" + connect.get("id") + ",\"result\":{\"protocolVersion\":"
                                    + CopilotClient.MAX_PROTOCOL_VERSION + ",\"version\":\"large-frame-test\"}}")
                            .getBytes(StandardCharsets.UTF_8));
            JsonNode ping = Json.MAPPER.readTree(requests.next());
            assertEquals("ping", ping.get("method").asText());
            sendBig(toChild, ping.get("id").asLong());
            String line = result.get(60, TimeUnit.SECONDS);
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child exits");
            return line;
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void send(OutputStream out, byte[] body) throws IOException {
        out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** A valid response of exactly {@value #FRAME} bytes, streamed (never held whole in this JVM). */
    private static void sendBig(OutputStream out, long id) {
        byte[] head = ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"message\":\"")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}}".getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        try {
            out.write(("Content-Length: " + FRAME + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            long left = FRAME - head.length - tail.length;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
            out.write(tail);
            out.flush();
        } catch (IOException e) {
            // The child refused the frame and closed its input: expected with the default cap.
        }
    }
}
