package io.github.copilot4j.testing.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.testing.cli.internal.Processes;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Test-only: the real CLI in {@code --stdio} mode and a minimal JSON-RPC 2.0 peer speaking
 * Content-Length framing to it. Keeps every frame (both directions) for assertions and writes them to
 * a JSON-lines transcript. One reader thread; requests from any thread; every wait is bounded.
 */
final class CliRpc implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One frame on the wire. */
    record Frame(String direction, JsonNode message) {
    }

    private final Process process;
    private final OutputStream stdin;
    private final Object writeLock = new Object();
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<Frame> frames = new ArrayList<>(); // guarded by itself
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Path transcript;
    private volatile Function<JsonNode, JsonNode> serverRequestHandler = req -> null;
    private volatile boolean closed;

    private CliRpc(Process process, Path transcript) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.transcript = transcript;
        Thread reader = new Thread(this::readLoop, "cli-rpc-reader");
        reader.setDaemon(true);
        reader.start();
        Thread err = new Thread(this::drainStderr, "cli-rpc-stderr");
        err.setDaemon(true);
        err.start();
    }

    /** Spawns the native CLI with {@code --headless --no-auto-update --stdio} and the isolated env. */
    static CliRpc start(Path cli, IsolatedCliEnvironment env, Path transcript) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(cli.toString(), "--headless", "--no-auto-update", "--stdio",
                "--log-level", "debug"));
        cmd.addAll(env.cliArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(env.workDir().toFile());
        pb.environment().clear();
        pb.environment().putAll(env.env());
        Files.createDirectories(transcript.getParent());
        Files.deleteIfExists(transcript);
        return new CliRpc(pb.start(), transcript);
    }

    /** Answers server-to-client requests: return a result node, or null for a -32601 error. */
    void onServerRequest(Function<JsonNode, JsonNode> handler) {
        this.serverRequestHandler = handler;
    }

    JsonNode request(String method, Object params, Duration timeout) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        write(msg);
        JsonNode response;
        try {
            response = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer to " + method + " within " + timeout + "; " + diagnostics());
        } catch (ExecutionException e) {
            throw new AssertionError("connection lost while waiting for " + method + "; " + diagnostics(), e.getCause());
        } finally {
            pending.remove(id);
        }
        if (response.has("error")) {
            throw new AssertionError(method + " failed: " + response.get("error"));
        }
        return response.path("result");
    }

    /** Waits for a {@code session.event} of this session and type; fails early on {@code session.error}. */
    JsonNode awaitEvent(String sessionId, String type, Duration timeout) throws InterruptedException {
        return awaitEvent(0, sessionId, type, timeout);
    }

    /** Like {@link #awaitEvent(String, String, Duration)}, looking only at frames from index {@code from} on. */
    JsonNode awaitEvent(int from, String sessionId, String type, Duration timeout) throws InterruptedException {
        return awaitFrame(from, f -> isEvent(f, sessionId, type), sessionId, timeout).message().path("params")
                .path("event");
    }

    /** Waits for a frame (received or sent) at index {@code from} or later matching {@code p}. */
    Frame awaitFrame(int from, Predicate<Frame> p, String sessionIdForErrors, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (frames) {
            int checked = from;
            while (true) {
                for (; checked < frames.size(); checked++) {
                    Frame f = frames.get(checked);
                    if (p.test(f)) {
                        return f;
                    }
                    if (sessionIdForErrors != null && isEvent(f, sessionIdForErrors, "session.error")) {
                        throw new AssertionError("session.error: " + f.message().path("params").path("event"));
                    }
                }
                if (closed || !process.isAlive()) {
                    throw new AssertionError("the CLI is gone; " + diagnostics());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out after " + timeout + "; " + diagnostics());
                }
                frames.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    static boolean isEvent(Frame f, String sessionId, String type) {
        JsonNode m = f.message();
        return "in".equals(f.direction()) && "session.event".equals(m.path("method").asText())
                && sessionId.equals(m.path("params").path("sessionId").asText())
                && type.equals(m.path("params").path("event").path("type").asText());
    }

    List<Frame> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    /** Event types of one session, in arrival order. */
    List<String> eventTypes(String sessionId) {
        List<String> out = new ArrayList<>();
        for (Frame f : frames()) {
            JsonNode m = f.message();
            if ("in".equals(f.direction()) && "session.event".equals(m.path("method").asText())
                    && sessionId.equals(m.path("params").path("sessionId").asText())) {
                out.add(m.path("params").path("event").path("type").asText());
            }
        }
        return out;
    }

    private void write(JsonNode msg) throws IOException {
        byte[] body = JSON.writeValueAsBytes(msg);
        synchronized (writeLock) {
            stdin.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            stdin.write(body);
            stdin.flush();
        }
        keep(new Frame("out", msg));
    }

    private void keep(Frame f) {
        synchronized (frames) { // the transcript keeps the order of the in-memory list
            frames.add(f);
            try {
                Files.writeString(transcript, JSON.writeValueAsString(Map.of("dir", f.direction(), "msg", f.message()))
                        + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException ignored) {
                // the transcript is a debugging aid only
            }
            frames.notifyAll();
        }
    }

    private void readLoop() {
        try (InputStream in = new BufferedInputStream(process.getInputStream())) {
            while (true) {
                JsonNode msg = readFrame(in);
                if (msg == null) {
                    break;
                }
                keep(new Frame("in", msg));
                if (msg.has("method") && msg.has("id")) {
                    answerServerRequest(msg);
                } else if (msg.has("id") && !msg.has("method")) {
                    CompletableFuture<JsonNode> f = pending.get(msg.path("id").asLong());
                    if (f != null) {
                        f.complete(msg);
                    }
                }
            }
        } catch (IOException e) {
            // fall through: the process ended or we closed
        } finally {
            IOException gone = new IOException("CLI output ended");
            pending.values().forEach(f -> f.completeExceptionally(gone));
            synchronized (frames) {
                frames.notifyAll();
            }
        }
    }

    private void answerServerRequest(JsonNode msg) {
        JsonNode result;
        try {
            result = serverRequestHandler.apply(msg);
        } catch (RuntimeException e) {
            result = null;
        }
        ObjectNode reply = JSON.createObjectNode().put("jsonrpc", "2.0");
        reply.set("id", msg.get("id"));
        if (result != null) {
            reply.set("result", result);
        } else {
            reply.putObject("error").put("code", -32601).put("message", "test client does not implement "
                    + msg.path("method").asText());
        }
        try {
            write(reply);
        } catch (IOException ignored) {
            // the CLI went away
        }
    }

    private static JsonNode readFrame(InputStream in) throws IOException {
        int length = -1;
        while (true) {
            String line = readLine(in);
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                if (length >= 0) {
                    break;
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            return null;
        }
        return JSON.readTree(body);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                buf.write(b);
            }
        }
        if (b < 0 && buf.size() == 0) {
            return null;
        }
        return buf.toString(StandardCharsets.US_ASCII);
    }

    private void drainStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > 30) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    String diagnostics() {
        String err;
        synchronized (stderrTail) {
            err = String.join("\n", stderrTail);
        }
        return "CLI alive=" + process.isAlive() + (process.isAlive() ? "" : " exit=" + process.exitValue())
                + ", transcript " + transcript + ", stderr tail:\n" + err;
    }

    /** Closes stdin (the CLI exits by itself), then ends the process and its descendants if needed. */
    @Override
    public void close() {
        closed = true;
        List<ProcessHandle> descendants = process.descendants().toList();
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Processes.destroyTree(process, Duration.ofSeconds(3));
        Processes.destroyAll(descendants, Duration.ofSeconds(3));
    }
}
