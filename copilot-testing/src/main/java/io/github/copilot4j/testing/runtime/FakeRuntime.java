package io.github.copilot4j.testing.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.internal.Executors2;
import io.github.copilot4j.internal.SerialLane;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.internal.rpc.FrameReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A scriptable stand-in for the Copilot runtime that speaks the same JSON-RPC protocol (protocol
 * version 3): {@code connect}, {@code ping}, {@code models.list}, {@code session.create / resume /
 * send / abort / destroy / delete / list / getMessages}, client-side tools, {@code
 * runtime.shutdown}. For fast unit tests and for users' tests; never a replacement for the real
 * CLI in end-to-end tests.
 *
 * <p>Each prompt is answered by a {@link Responder} (default: echo). A turn emits, like the real
 * runtime: {@code user.message}, {@code assistant.turn_start}, {@code assistant.message_delta}s
 * (with streaming), {@code assistant.message}, {@code assistant.turn_end}, {@code session.idle}.
 * Sessions outlive connections, so a new client can resume them.
 *
 * <p>Session filesystem: after {@code sessionFs.setProvider} on a connection, sessions created or
 * resumed there keep their state through the client like the real CLI does (a small subset of its
 * calls): create reads and writes {@code workspace.yaml} (atomically, via a temp file and {@code
 * rename}) and probes a path outside the state directory; resume needs {@code events.jsonl} and
 * rebuilds the session's history from it; every turn and {@code session.destroy} append the new
 * events to {@code events.jsonl} (a refused append becomes a {@code session.error} of type {@code
 * persistence}, and the events are re-sent with the next flush). {@link #callClient} sends any
 * request to the client.
 *
 * <p>Threading: one reader thread per connection; each session's turns run one at a time on a
 * shared daemon pool; writes to a connection are serialized.
 */
public final class FakeRuntime implements AutoCloseable {
    private final String name;
    private final String version;
    private final int protocolVersion;
    private final String requiredToken;
    private final List<String> models;
    private volatile Responder responder;
    private final ExecutorService turns = Executors2.defaultExecutor("fake-runtime-turn", 16);
    private final Map<String, FakeSession> sessions = new ConcurrentHashMap<>();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<ClientCall> clientCalls = Collections.synchronizedList(new ArrayList<>());
    private final boolean recordRequests;
    private final Set<String> unanswered;
    private final Map<String, CompletionStage<?>> heldAnswers;

    /** A request the runtime received. */
    public record Request(String method, JsonNode params) {}

    /** A request the runtime sent to the client, with the client's whole response message ({@code result} or {@code error}). */
    public record ClientCall(String method, JsonNode params, JsonNode response) {}

    private FakeRuntime(Builder b) {
        this.name = b.name;
        this.version = b.version;
        this.protocolVersion = b.protocolVersion;
        this.requiredToken = b.requiredToken;
        this.models = List.copyOf(b.models);
        this.responder = b.responder;
        this.recordRequests = b.recordRequests;
        this.unanswered = Set.copyOf(b.unanswered);
        this.heldAnswers = Map.copyOf(b.heldAnswers);
    }

    /** A builder with the defaults (echo responder). */
    public static Builder builder() {
        return new Builder();
    }

    /** A runtime with default settings (echo replies, models gpt-5 and claude-sonnet-4.5). */
    public static FakeRuntime create() {
        return builder().build();
    }

    /** This runtime's name, as given to the builder. */
    public String name() {
        return name;
    }

    /** Replaces the responder for later prompts. */
    public void responder(Responder r) {
        this.responder = Objects.requireNonNull(r, "responder");
    }

    /** Requests received so far, in order (when recording is on, the default). */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /**
     * Waits up to {@code timeout} for a received request that matches (one received earlier
     * counts too) and returns the first such; needs recording on (the default).
     *
     * @throws AssertionError if none came within the timeout
     */
    public Request awaitRequest(Predicate<Request> which, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(which, "which");
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (requests) {
            while (true) {
                for (Request r : requests) {
                    if (which.test(r)) {
                        return r;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(
                            "no matching request reached the fake runtime within " + timeout.toMillis() + " ms");
                }
                TimeUnit.NANOSECONDS.timedWait(requests, left);
            }
        }
    }

    /** Requests this runtime sent to its clients ({@code sessionFs.*}), in order, with their responses. */
    public List<ClientCall> clientCalls() {
        synchronized (clientCalls) {
            return List.copyOf(clientCalls);
        }
    }

    /**
     * Sends a request to the most recently opened live connection's client and completes with its
     * whole response message ({@code result} or {@code error}); fails if no client is connected or
     * it does not answer within 10 s.
     */
    public CompletableFuture<JsonNode> callClient(String method, JsonNode params) {
        for (int i = connections.size() - 1; i >= 0; i--) {
            Connection c = connections.get(i);
            if (c.isOpen()) {
                return c.call(method, params);
            }
        }
        return CompletableFuture.failedFuture(new IllegalStateException("no client is connected"));
    }

    /** Ids of sessions the runtime has (created or resumed, not deleted). */
    public Set<String> sessionIds() {
        return Set.copyOf(sessions.keySet());
    }

    /** Number of open connections. */
    public int connectionCount() {
        return (int) connections.stream().filter(Connection::isOpen).count();
    }

    /** Simulates a crash: every connection ends abruptly; clients see {@code reason} as the termination cause. */
    public void kill(String reason) {
        for (Connection c : connections) {
            c.terminate(reason);
        }
    }

    /** Writes raw bytes to every open connection (to test malformed input). */
    public void sendRaw(byte[] bytes) {
        for (Connection c : connections) {
            c.writeRaw(bytes);
        }
    }

    /** Emits an arbitrary event for a session to the connection attached to it. */
    public void emitEvent(String sessionId, String type, JsonNode data, boolean ephemeral) {
        FakeSession s = sessions.get(sessionId);
        if (s == null) {
            throw new IllegalArgumentException("no session " + sessionId);
        }
        s.emit(type, data == null ? Json.object() : data, ephemeral);
    }

    Connection accept(InputStream in, OutputStream out) {
        Connection c = new Connection(in, out);
        connections.add(c);
        c.start();
        return c;
    }

    @Override
    public void close() {
        kill("the fake runtime was closed");
        turns.shutdownNow();
    }

    // ------------------------------------------------------------------ connection

    /** One client connection. */
    public final class Connection {
        private final InputStream in;
        private final OutputStream out;
        private final Thread reader;
        private final AtomicBoolean open = new AtomicBoolean(true);
        private final Object writeLock = new Object();
        private volatile boolean authenticated = requiredToken == null;
        private volatile String terminationReason;
        private volatile JsonNode provider;
        private final Map<Long, CompletableFuture<JsonNode>> pendingCalls = new ConcurrentHashMap<>();
        private final AtomicLong nextCallId = new AtomicLong(1);

        Connection(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
            this.reader = new Thread(this::readLoop, "fake-runtime-reader");
            this.reader.setDaemon(true);
        }

        void start() {
            reader.start();
        }

        boolean isOpen() {
            return open.get();
        }

        String terminationReason() {
            return terminationReason;
        }

        void terminate(String reason) {
            terminationReason = reason;
            close();
        }

        void close() {
            if (open.compareAndSet(true, false)) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // in-memory
                }
                try {
                    in.close();
                } catch (IOException ignored) {
                    // in-memory
                }
                for (FakeSession s : sessions.values()) {
                    if (s.connection == this) {
                        s.connection = null;
                    }
                }
                for (CompletableFuture<JsonNode> f : pendingCalls.values()) {
                    f.completeExceptionally(new IOException("the connection closed"));
                }
                connections.remove(this); // its pipes hold megabytes; a long test reconnects hundreds of times
            }
        }

        /** Sends a request to this connection's client; completes with the whole response message. */
        CompletableFuture<JsonNode> call(String method, JsonNode params) {
            long id = nextCallId.getAndIncrement();
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pendingCalls.put(id, f);
            ObjectNode m = Json.object();
            m.put("jsonrpc", "2.0");
            m.put("id", id);
            m.put("method", method);
            m.set("params", params);
            write(m);
            if (!open.get()) {
                f.completeExceptionally(new IOException("the connection is closed"));
            }
            return f.orTimeout(10, TimeUnit.SECONDS).whenComplete((r, e) -> {
                pendingCalls.remove(id);
                clientCalls.add(new ClientCall(
                        method,
                        params,
                        r != null
                                ? r
                                : Json.object()
                                        .set(
                                                "error",
                                                Json.object().put("code", -1).put("message", String.valueOf(e)))));
            });
        }

        private void readLoop() {
            FrameReader frames = new FrameReader(new BufferedInputStream(in), 64 * 1024 * 1024);
            try {
                byte[] body;
                while ((body = frames.next()) != null) {
                    JsonNode msg;
                    try {
                        msg = Json.MAPPER.readTree(body);
                    } catch (IOException e) {
                        continue;
                    }
                    if (msg != null && msg.has("method")) {
                        handle(msg);
                    } else if (msg != null && msg.has("id")) {
                        CompletableFuture<JsonNode> f =
                                pendingCalls.get(msg.get("id").asLong());
                        if (f != null) {
                            f.complete(msg);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // connection ends
            } finally {
                close();
            }
        }

        private void handle(JsonNode msg) {
            String method = msg.path("method").asText();
            JsonNode id = msg.get("id");
            JsonNode params = msg.has("params") ? msg.get("params") : Json.object();
            if (recordRequests) {
                synchronized (requests) {
                    requests.add(new Request(method, params));
                    requests.notifyAll();
                }
            }
            if (id == null || id.isNull()) {
                return; // notifications from the client are ignored
            }
            if (unanswered.contains(method)) {
                return; // left pending on purpose (Builder.unanswered)
            }
            CompletionStage<?> hold = heldAnswers.get(method);
            if (hold != null && authenticated) {
                JsonNode reply = reply(id, method, params); // as of now; sent later (Builder.holdAnswers)
                hold.thenRun(() -> write(reply));
                return;
            }
            if (!authenticated && !"connect".equals(method)) {
                error(id, -32001, "AUTHENTICATION_REQUIRED: call connect with the connection token first");
                return;
            }
            if (provider != null
                    && Set.of("session.create", "session.resume", "session.destroy")
                            .contains(method)) {
                // these call the client's session filesystem before answering: never on the reader thread
                turns.execute(() -> answer(id, method, params));
                return;
            }
            answer(id, method, params);
        }

        private void answer(JsonNode id, String method, JsonNode params) {
            write(reply(id, method, params));
        }

        /** The whole response message to a request, computed now. */
        private JsonNode reply(JsonNode id, String method, JsonNode params) {
            try {
                JsonNode result = dispatch(method, params);
                return result == null
                        ? errorMessage(id, -32601, "Unhandled method " + method)
                        : resultMessage(id, result);
            } catch (RpcError e) {
                return errorMessage(id, e.code, e.getMessage());
            } catch (RuntimeException e) {
                return errorMessage(id, -32603, "Request " + method + " failed with message: " + e.getMessage());
            }
        }

        private JsonNode dispatch(String method, JsonNode p) {
            switch (method) {
                case "connect": {
                    if (requiredToken != null && !requiredToken.equals(Json.text(p, "token"))) {
                        throw new RpcError(-32002, "AUTHENTICATION_FAILED: invalid connection token");
                    }
                    authenticated = true;
                    ObjectNode r = Json.object();
                    r.put("ok", true);
                    r.put("protocolVersion", protocolVersion);
                    r.put("version", version);
                    return r;
                }
                case "ping": {
                    ObjectNode r = Json.object();
                    r.put("message", "pong: " + p.path("message").asText(""));
                    r.put("timestamp", Instant.now().toString());
                    r.put("protocolVersion", protocolVersion);
                    return r;
                }
                case "models.list": {
                    ObjectNode r = Json.object();
                    ArrayNode arr = r.putArray("models");
                    for (String m : models) {
                        arr.addObject().put("id", m).put("name", m);
                    }
                    return r;
                }
                case "session.create":
                    return create(p, false);
                case "session.resume":
                    return create(p, true);
                case "session.send":
                    return send(p);
                case "session.abort": {
                    FakeSession s = session(p);
                    s.aborted = true;
                    return Json.object().put("success", true);
                }
                case "session.destroy": {
                    FakeSession s = session(p);
                    s.emit("session.shutdown", Json.object().put("shutdownType", "routine"), false);
                    boolean saved = s.flush();
                    s.connection = null;
                    return Json.object().put("success", saved);
                }
                case "session.delete": {
                    FakeSession s = sessions.remove(Json.text(p, "sessionId"));
                    ObjectNode r = Json.object();
                    r.put("success", s != null);
                    if (s == null) {
                        r.put("error", "Session not found: " + Json.text(p, "sessionId"));
                    }
                    return r;
                }
                case "session.list": {
                    ObjectNode r = Json.object();
                    ArrayNode arr = r.putArray("sessions");
                    for (FakeSession s : sessions.values()) {
                        ObjectNode o = arr.addObject();
                        o.put("sessionId", s.id);
                        o.put("startTime", s.created.toString());
                        o.put("modifiedTime", s.modified.toString());
                        if (s.summary != null) {
                            o.put("summary", s.summary);
                        }
                        o.put("isRemote", false);
                    }
                    return r;
                }
                case "session.getMessages": {
                    FakeSession s = session(p);
                    ObjectNode r = Json.object();
                    ArrayNode arr = r.putArray("events");
                    synchronized (s) {
                        s.persisted.forEach(arr::add);
                    }
                    return r;
                }
                case "session.tools.handlePendingToolCall": {
                    FakeSession s = session(p);
                    CompletableFuture<JsonNode> f = s.pendingTools.remove(Json.text(p, "requestId"));
                    if (f == null) {
                        return Json.object().put("success", false);
                    }
                    f.complete(p);
                    return Json.object().put("success", true);
                }
                case "session.permissions.handlePendingPermissionRequest":
                    return Json.object().put("success", true);
                case "runtime.shutdown":
                    return Json.object();
                case "sessionFs.setProvider": {
                    for (FakeSession s : sessions.values()) {
                        if (s.connection == this) {
                            throw new RpcError(
                                    -32603,
                                    "Request sessionFs.setProvider failed with message: Cannot set session filesystem"
                                            + " provider while sessions are active. Call sessionFs.setProvider before creating any sessions.");
                        }
                    }
                    if (Json.text(p, "sessionStatePath") == null || Json.text(p, "initialCwd") == null) {
                        throw new RpcError(-32602, "sessionStatePath and initialCwd are required");
                    }
                    provider = p;
                    return Json.object().put("success", true);
                }
                default:
                    return null;
            }
        }

        private JsonNode create(JsonNode p, boolean resume) {
            String id = Json.text(p, "sessionId");
            if (id == null) {
                if (resume) {
                    throw new RpcError(-32602, "sessionId is required");
                }
                id = UUID.randomUUID().toString();
            }
            String model = Json.text(p, "model");
            if (model != null && !models.contains(model)) {
                throw new RpcError(
                        -32603,
                        "Request session." + (resume ? "resume" : "create") + " failed with message: Model \"" + model
                                + "\" is not available.");
            }
            FakeSession s;
            if (resume && provider != null) {
                s = FakeSession.restore(FakeRuntime.this, id, model == null ? models.get(0) : model, this);
                sessions.put(id, s);
                s.streaming = p.path("streaming").asBoolean(false);
                s.emit(
                        "session.resume",
                        Json.object().put("eventCount", s.persisted.size()).put("selectedModel", s.model),
                        false);
            } else if (resume) {
                s = sessions.get(id);
                if (s == null) {
                    throw new RpcError(-32603, "Request session.resume failed with message: Session not found: " + id);
                }
                s.connection = this;
                if (model != null) {
                    s.model = model;
                }
                s.streaming = p.path("streaming").asBoolean(false);
                s.emit(
                        "session.resume",
                        Json.object().put("eventCount", s.persisted.size()).put("selectedModel", s.model),
                        false);
            } else {
                if (sessions.containsKey(id)) {
                    throw new RpcError(
                            -32603, "Request session.create failed with message: Session already exists: " + id);
                }
                s = new FakeSession(id, model == null ? models.get(0) : model, this);
                s.streaming = p.path("streaming").asBoolean(false);
                if (provider != null) {
                    s.initWorkspace();
                }
                sessions.put(id, s);
                s.emit(
                        "session.start",
                        Json.object()
                                .put("sessionId", id)
                                .put("selectedModel", s.model)
                                .put("copilotVersion", version),
                        false);
            }
            ObjectNode r = Json.object();
            r.put("sessionId", id);
            r.put(
                    "workspacePath",
                    provider != null ? Json.text(provider, "sessionStatePath") : "/fake/session-state/" + id);
            return r;
        }

        private JsonNode send(JsonNode p) {
            FakeSession s = session(p);
            String prompt = Json.text(p, "prompt");
            if (prompt == null) {
                throw new RpcError(-32602, "prompt is required");
            }
            String messageId = UUID.randomUUID().toString();
            s.lane.execute(() -> s.runTurn(prompt, messageId));
            return Json.object().put("messageId", messageId);
        }

        private FakeSession session(JsonNode p) {
            String id = Json.text(p, "sessionId");
            FakeSession s = id == null ? null : sessions.get(id);
            if (s == null) {
                throw new RpcError(-32602, "Session not found: " + id);
            }
            return s;
        }

        void notify(String method, JsonNode params) {
            ObjectNode m = Json.object();
            m.put("jsonrpc", "2.0");
            m.put("method", method);
            m.set("params", params);
            write(m);
        }

        private void error(JsonNode id, int code, String message) {
            write(errorMessage(id, code, message));
        }

        private static ObjectNode resultMessage(JsonNode id, JsonNode result) {
            ObjectNode m = Json.object();
            m.put("jsonrpc", "2.0");
            m.set("id", id);
            m.set("result", result);
            return m;
        }

        private static ObjectNode errorMessage(JsonNode id, int code, String message) {
            ObjectNode m = Json.object();
            m.put("jsonrpc", "2.0");
            m.set("id", id);
            m.putObject("error").put("code", code).put("message", message);
            return m;
        }

        private void write(JsonNode m) {
            byte[] body = Json.write(m).getBytes(StandardCharsets.UTF_8);
            byte[] header = ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            synchronized (writeLock) {
                if (!open.get()) {
                    return;
                }
                try {
                    out.write(header);
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    close();
                }
            }
        }

        void writeRaw(byte[] bytes) {
            synchronized (writeLock) {
                try {
                    out.write(bytes);
                    out.flush();
                } catch (IOException e) {
                    close();
                }
            }
        }
    }

    private static final class RpcError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        RpcError(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    // ------------------------------------------------------------------ sessions

    private final class FakeSession {
        final String id;
        volatile String model;
        volatile Connection connection;
        volatile boolean streaming;
        volatile boolean aborted;
        final Instant created = Instant.now();
        volatile Instant modified = created;
        volatile String summary;
        final List<JsonNode> persisted = new ArrayList<>();
        final List<String> history = new ArrayList<>();
        final SerialLane lane = new SerialLane(turns, "fake-session");
        final Map<String, CompletableFuture<JsonNode>> pendingTools = new ConcurrentHashMap<>();
        private String lastEventId;
        private final AtomicLong toolSeq = new AtomicLong();
        /** Events already appended to events.jsonl through the client (session filesystem mode). */
        private int flushed;

        FakeSession(String id, String model, Connection connection) {
            this.id = id;
            this.model = model;
            this.connection = connection;
        }

        private JsonNode provider() {
            Connection c = connection;
            return c == null ? null : c.provider;
        }

        private String statePath(String name) {
            return Json.text(provider(), "sessionStatePath") + "/" + name;
        }

        /** One sessionFs call to the client; returns its result, or throws on a JSON-RPC error or no answer. */
        private JsonNode fs(String op, ObjectNode params) {
            Connection c = connection;
            if (c == null) {
                throw new RpcError(-32603, "session filesystem provider disconnected");
            }
            params.put("sessionId", id);
            JsonNode response;
            try {
                response = c.call("sessionFs." + op, params).get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new RpcError(-32603, "sessionFs." + op + " failed: " + e);
            }
            if (response.hasNonNull("error") && !response.has("result")) {
                throw new RpcError(
                        -32603,
                        "UNKNOWN: " + response.get("error").path("message").asText());
            }
            return response.get("result");
        }

        private static String errorOf(JsonNode result) {
            if (result == null || result.isNull()) {
                return null;
            }
            JsonNode err = result.has("error") ? result.get("error") : result.has("code") ? result : null;
            return err == null || err.isNull()
                    ? null
                    : err.path("code").asText() + ": " + err.path("message").asText();
        }

        /** Like the CLI at create: reads, then atomically writes workspace.yaml; probes a path outside the state directory. */
        void initWorkspace() {
            JsonNode settings = fs("readFile", Json.object().put("path", statePath("settings.json")));
            if (errorOf(settings) != null
                    && !"ENOENT".equals(settings.path("error").path("code").asText())) {
                throw new RpcError(
                        -32603,
                        "Request session.create failed with message: session construction failed: GenericFailure,"
                                + " Session approval storage failed (" + errorOf(settings) + ")");
            }
            fs(
                    "mkdir",
                    Json.object()
                            .put("path", statePath("checkpoints"))
                            .put("recursive", true)
                            .put("mode", 448));
            String tmp = statePath("workspace.yaml.tmp." + UUID.randomUUID());
            String failed = errorOf(fs(
                    "writeFile",
                    Json.object()
                            .put("path", tmp)
                            .put("content", "id: " + id + "\n")
                            .put("mode", 384)));
            if (failed == null) {
                failed = errorOf(fs("rename", Json.object().put("src", tmp).put("dest", statePath("workspace.yaml"))));
            }
            if (failed != null) {
                throw new RpcError(
                        -32603,
                        "Request session.create failed with message: session construction failed: Failed to save"
                                + " workspace to " + statePath("workspace.yaml") + ": Error: " + failed);
            }
            fs("readFile", Json.object().put("path", "/fake-copilot-home/session-state/" + id + "/workspace.yaml"));
        }

        /** Like the CLI at resume: the session exists only if the client has its events.jsonl. */
        static FakeSession restore(FakeRuntime rt, String id, String model, Connection c) {
            FakeSession s = rt.new FakeSession(id, model, c);
            JsonNode exists = s.fs("exists", Json.object().put("path", s.statePath("events.jsonl")));
            if (!exists.path("exists").asBoolean(false)) {
                throw new RpcError(
                        -32603,
                        "Request session.resume failed with message: Failed to load session events: Session not found: "
                                + id);
            }
            JsonNode read = s.fs("readFile", Json.object().put("path", s.statePath("events.jsonl")));
            if (errorOf(read) != null) {
                throw new RpcError(
                        -32603,
                        "Request session.resume failed with message: session resume failed: Failed to read JSONL from "
                                + s.statePath("events.jsonl") + ": " + errorOf(read));
            }
            String pendingPrompt = null;
            for (String line : read.path("content").asText().split("\n", -1)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode ev = Json.read(line);
                s.persisted.add(ev);
                s.lastEventId = Json.text(ev, "id");
                String type = Json.text(ev, "type");
                if ("user.message".equals(type)) {
                    pendingPrompt = ev.path("data").path("content").asText();
                } else if ("assistant.message".equals(type)
                        && pendingPrompt != null
                        && !ev.path("data").path("content").asText().isEmpty()) {
                    s.history.add(pendingPrompt);
                    s.history.add(ev.path("data").path("content").asText());
                    pendingPrompt = null;
                }
            }
            s.flushed = s.persisted.size();
            return s;
        }

        /**
         * Appends the events not yet flushed to events.jsonl (session filesystem mode); a refusal
         * becomes a persistence {@code session.error} and they are tried again next time.
         * Returns false if that happened.
         */
        boolean flush() {
            if (provider() == null) {
                return true;
            }
            StringBuilder lines = new StringBuilder();
            int upTo;
            synchronized (this) {
                upTo = persisted.size();
                for (int i = flushed; i < upTo; i++) {
                    lines.append(Json.write(persisted.get(i))).append('\n');
                }
            }
            if (lines.length() == 0) {
                return true;
            }
            String failed;
            try {
                failed = errorOf(fs(
                        "appendFile",
                        Json.object()
                                .put("path", statePath("events.jsonl"))
                                .put("content", lines.toString())
                                .put("mode", 384)));
            } catch (RpcError e) {
                failed = e.getMessage();
            }
            if (failed != null) {
                emit(
                        "session.error",
                        Json.object()
                                .put("errorType", "persistence")
                                .put(
                                        "message",
                                        "Failed to persist session events: GenericFailure, Failed to append to JSONL file "
                                                + statePath("events.jsonl") + ": " + failed),
                        true);
                return false;
            }
            flushed = upTo;
            return true;
        }

        synchronized void emit(String type, JsonNode data, boolean ephemeral) {
            ObjectNode ev = Json.object();
            String eventId = UUID.randomUUID().toString();
            ev.put("id", eventId);
            ev.put("timestamp", Instant.now().toString());
            if (lastEventId == null) {
                ev.putNull("parentId");
            } else {
                ev.put("parentId", lastEventId);
            }
            if (ephemeral) {
                ev.put("ephemeral", true);
            }
            ev.put("type", type);
            ev.set("data", data);
            if (!ephemeral) {
                lastEventId = eventId;
                persisted.add(ev);
            }
            modified = Instant.now();
            Connection c = connection;
            if (c != null) {
                ObjectNode params = Json.object();
                params.put("sessionId", id);
                params.set("event", ev);
                c.notify("session.event", params);
            }
        }

        void runTurn(String prompt, String messageId) {
            aborted = false;
            if (summary == null) {
                summary = prompt.length() > 80 ? prompt.substring(0, 80) : prompt;
            }
            emit("user.message", Json.object().put("content", prompt).put("messageId", messageId), false);
            String turnId = Long.toString(history.size() / 2);
            emit("assistant.turn_start", Json.object().put("turnId", turnId).put("model", model), false);
            Reply reply;
            try {
                reply = responder.reply(new Responder.Turn(id, model, prompt, List.copyOf(history)));
            } catch (RuntimeException e) {
                reply = Reply.error("responder failed: " + e.getMessage());
            }
            if (!reply.delay().isZero()) {
                try {
                    Thread.sleep(reply.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (aborted) {
                emit("abort", Json.object().put("reason", "user_initiated"), false);
                flush();
                emit("session.idle", Json.object().put("aborted", true), true);
                return;
            }
            if (reply.error() != null) {
                emit("session.error", Json.object().put("errorType", "query").put("message", reply.error()), false);
                flush();
                emit("session.idle", Json.object(), true);
                return;
            }
            String text = reply.text();
            if (reply.toolCall() != null) {
                String result = callTool(reply.toolCall(), messageId, turnId);
                text = text.replace("{result}", result);
            }
            String replyId = UUID.randomUUID().toString();
            if (streaming) {
                emit("assistant.message_start", Json.object().put("messageId", replyId), true);
                for (String d : reply.deltas()) {
                    emit(
                            "assistant.message_delta",
                            Json.object().put("messageId", replyId).put("deltaContent", d),
                            true);
                }
            }
            ObjectNode msg = Json.object()
                    .put("messageId", replyId)
                    .put("content", text)
                    .put("originatingMessageId", messageId)
                    .put("model", model)
                    .put("turnId", turnId);
            msg.putArray("toolRequests");
            emit("assistant.message", msg, false);
            history.add(prompt);
            history.add(text);
            emit("assistant.turn_end", Json.object().put("turnId", turnId), false);
            flush();
            emit("session.idle", Json.object(), true);
        }

        private String callTool(Reply.ToolCall call, String messageId, String turnId) {
            String toolCallId = "call_" + toolSeq.incrementAndGet();
            String requestId = UUID.randomUUID().toString();
            ObjectNode req = Json.object()
                    .put("messageId", UUID.randomUUID().toString())
                    .put("content", "")
                    .put("originatingMessageId", messageId)
                    .put("turnId", turnId);
            req.putArray("toolRequests")
                    .addObject()
                    .put("toolCallId", toolCallId)
                    .put("name", call.toolName())
                    .put("arguments", call.argumentsJson());
            emit("assistant.message", req, false);
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pendingTools.put(requestId, answer);
            emit(
                    "tool.execution_start",
                    Json.object()
                            .put("toolCallId", toolCallId)
                            .put("toolName", call.toolName())
                            .set("arguments", Json.read(call.argumentsJson())),
                    false);
            ObjectNode ext = Json.object()
                    .put("requestId", requestId)
                    .put("sessionId", id)
                    .put("toolCallId", toolCallId)
                    .put("toolName", call.toolName());
            ext.set("arguments", Json.read(call.argumentsJson()));
            emit("external_tool.requested", ext, false);
            String result;
            boolean ok;
            try {
                JsonNode p = answer.get(30, TimeUnit.SECONDS);
                if (p.hasNonNull("error")) {
                    ok = false;
                    result = p.get("error").asText();
                } else {
                    JsonNode r = p.path("result");
                    ok = !"failure".equals(r.path("resultType").asText("success"));
                    result = r.isTextual()
                            ? r.asText()
                            : r.path("textResultForLlm").asText("");
                }
            } catch (Exception e) {
                pendingTools.remove(requestId);
                ok = false;
                result = "tool call timed out";
            }
            ObjectNode done = Json.object().put("toolCallId", toolCallId).put("success", ok);
            if (ok) {
                done.putObject("result").put("content", result);
            } else {
                done.putObject("error").put("message", result);
            }
            emit("tool.execution_complete", done, false);
            emit("external_tool.completed", Json.object().put("requestId", requestId), true);
            return result;
        }
    }

    // ------------------------------------------------------------------ builder

    /** Builds {@link FakeRuntime}s. */
    public static final class Builder {
        private String name = "fake-runtime";
        private String version = "0.0.0-fake";
        private int protocolVersion = 3;
        private String requiredToken;
        private List<String> models = List.of("gpt-5", "claude-sonnet-4.5");
        private Responder responder = Responder.ECHO;
        private boolean recordRequests = true;
        private Set<String> unanswered = Set.of();
        private final Map<String, CompletionStage<?>> heldAnswers = new HashMap<>();

        /** The same as {@link FakeRuntime#builder()}. */
        public Builder() {}

        /** This runtime's name (shown in descriptions such as the in-memory transport's). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The version the runtime reports in {@code connect}. */
        public Builder version(String version) {
            this.version = version;
            return this;
        }

        /** The protocol version reported in {@code connect} (to test version checks). */
        public Builder protocolVersion(int v) {
            this.protocolVersion = v;
            return this;
        }

        /** Require this connection token in {@code connect}. */
        public Builder requireToken(String token) {
            this.requiredToken = token;
            return this;
        }

        /** Model ids offered; others are refused by create/resume. */
        public Builder models(String... ids) {
            this.models = List.of(ids);
            return this;
        }

        /** Answers each prompt (default {@link Responder#ECHO}). */
        public Builder responder(Responder r) {
            this.responder = Objects.requireNonNull(r, "responder");
            return this;
        }

        /** Whether to keep every request for {@link #requests()} (default on; turn off for benchmarks). */
        public Builder recordRequests(boolean on) {
            this.recordRequests = on;
            return this;
        }

        /**
         * Requests of these methods are recorded but never answered, so a client's call stays
         * pending (to test timeouts and lost connections).
         */
        public Builder unanswered(String... methods) {
            this.unanswered = Set.of(methods);
            return this;
        }

        /**
         * Requests of {@code method} are answered as of when they arrive, but the answer is sent
         * only once {@code release} completes: to test what a client does while an answer is on its
         * way (e.g. events that happen after the runtime took a history snapshot).
         */
        public Builder holdAnswers(String method, CompletionStage<?> release) {
            this.heldAnswers.put(method, release);
            return this;
        }

        /** Builds the runtime; it serves connections from {@code InMemoryTransport}. */
        public FakeRuntime build() {
            return new FakeRuntime(this);
        }
    }
}
