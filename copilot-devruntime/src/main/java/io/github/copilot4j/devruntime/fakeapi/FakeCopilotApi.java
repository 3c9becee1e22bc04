package io.github.copilot4j.devruntime.fakeapi;

import static io.github.copilot4j.devruntime.fakeapi.internal.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.copilot4j.devruntime.fakeapi.internal.ChatRequests;
import io.github.copilot4j.devruntime.fakeapi.internal.Json;
import io.github.copilot4j.devruntime.fakeapi.internal.ModelCatalog;
import io.github.copilot4j.devruntime.fakeapi.internal.ProxySink;
import io.github.copilot4j.devruntime.fakeapi.internal.RequestJournal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake Copilot API on 127.0.0.1 that the real Copilot CLI accepts as {@code COPILOT_API_URL}, so
 * the CLI runs offline in tests. It serves the user, models, chat-completions (streamed and not),
 * responses, token, telemetry, MCP, agents and memory endpoints the CLI probes; by default the model
 * answers {@code "ECHO: <last user message>"}. Tests script replies ({@link #enqueue}, {@link #when}),
 * including errors, delays and tool calls, and read every request it received ({@link #requests()},
 * {@link #chatRequests()}).
 *
 * <pre>{@code
 * try (FakeCopilotApi fake = FakeCopilotApi.start();
 *      IsolatedCliEnvironment env = IsolatedCliEnvironment.create(fake)) {
 *     fake.when(FakeCopilotApi.promptContains("weather"))
 *         .reply(Reply.toolCall("get_weather", Map.of("city", "Paris"))
 *             .thenReply(results -> Reply.text("It is " + results.content())));
 *     // ... run the CLI with env.env(), env.workDir(), env.cliArgs(), then:
 *     List<ChatRequest> turns = fake.chatRequests(sessionId);
 *     assertEquals(List.of(ChatMessage.of("user", "hi")), turns.get(0).dialog());
 * }
 * }</pre>
 *
 * <p>It also runs a proxy sink on a second loopback port ({@link #proxyUrl()}): point
 * {@code HTTP(S)_PROXY} at it and any attempt to reach another host is recorded and refused (403).
 *
 * <p>Threading: requests are served by a bounded pool of daemon threads
 * ({@code fake-copilot-api-N}), dispatched by the JDK server's thread (a daemon too, so a fake that
 * is never closed does not keep the JVM alive); scripted predicates and reply functions run on those threads. Every
 * public method is thread-safe. {@link #close()} stops the server and interrupts delayed replies.
 *
 * <p>Secrets: the {@code authorization} header (and other credential headers) is redacted before a
 * request is recorded and is never logged.
 */
public final class FakeCopilotApi implements AutoCloseable {

    /** The catalog served when none is configured. */
    public static final List<String> DEFAULT_MODELS = List.of("gpt-5", "claude-sonnet-4.5");

    private static final Logger LOG = LoggerFactory.getLogger(FakeCopilotApi.class);
    private static final Pattern WORD_BOUNDARY = Pattern.compile("(?<=\\s)(?=\\S)");

    private final List<String> models;
    private final Function<ChatRequest, Reply> defaultReply;
    private final ThreadPoolExecutor executor;
    private final HttpServer server;
    private final ProxySink proxySink;
    private final RequestJournal journal = new RequestJournal();
    private final String url;
    private final Object scriptLock = new Object();
    private final List<Script> scripts = new ArrayList<>();
    private final List<FollowUp> followUps = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;

    private static final class Script {
        final Predicate<ChatRequest> condition;
        final Function<ChatRequest, Reply> replier;
        final String description;
        int remaining;

        Script(
                Predicate<ChatRequest> condition,
                Function<ChatRequest, Reply> replier,
                int remaining,
                String description) {
            this.condition = condition;
            this.replier = replier;
            this.remaining = remaining;
            this.description = description;
        }
    }

    private record FollowUp(List<ToolCall> calls, Function<ToolResults, Reply> next) {
        boolean isAnsweredBy(ChatRequest request) {
            return calls.stream()
                    .allMatch(c -> request.toolMessages().stream().anyMatch(m -> c.id().equals(m.toolCallId())));
        }

        ToolResults results(ChatRequest request) {
            List<ToolResult> results = new ArrayList<>();
            for (ToolCall c : calls) {
                request.toolMessages().stream()
                        .filter(m -> c.id().equals(m.toolCallId()))
                        .findFirst()
                        .ifPresent(m -> results.add(new ToolResult(c.id(), c.name(), m.text())));
            }
            return new ToolResults(results, request);
        }
    }

    private FakeCopilotApi(Builder b) throws IOException {
        this.models = List.copyOf(b.models);
        this.defaultReply = b.defaultReply;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "fake-copilot-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor =
                new ThreadPoolExecutor(b.threads, b.threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024), tf);
        executor.allowCoreThreadTimeOut(true);
        ProxySink sink = null;
        HttpServer http = null;
        try {
            sink = new ProxySink(journal, executor);
            InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            http = HttpServer.create(new InetSocketAddress(loopback, 0), 64);
            http.setExecutor(executor);
            http.createContext("/", this::handle);
            startAsDaemon(http);
        } catch (IOException | RuntimeException | Error e) {
            if (sink != null) {
                sink.close();
            }
            executor.shutdownNow();
            throw e;
        }
        this.proxySink = sink;
        this.server = http;
        this.url = "http://127.0.0.1:" + server.getAddress().getPort();
        LOG.debug("fake Copilot API listening on {} (proxy sink on port {})", url, proxySink.port());
    }

    /**
     * Starts the JDK server's dispatcher thread as a daemon: it inherits the daemon flag of the thread
     * that calls {@code start()}, and a non-daemon dispatcher would keep the JVM alive if the
     * application never closes the fake (for example when its start-up fails after the fake started).
     */
    private static void startAsDaemon(HttpServer http) throws IOException {
        RuntimeException[] failure = new RuntimeException[1];
        Thread starter = new Thread(
                () -> {
                    try {
                        http.start();
                    } catch (RuntimeException e) {
                        failure[0] = e;
                    }
                },
                "fake-copilot-api-starter");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            http.stop(0);
            throw new IOException("interrupted while starting the fake Copilot API", e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /** Starts a fake with the default catalog and echo replies. */
    public static FakeCopilotApi start() {
        return builder().start();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures and starts a {@link FakeCopilotApi}. */
    public static final class Builder {
        private List<String> models = DEFAULT_MODELS;
        private Function<ChatRequest, Reply> defaultReply = r -> Reply.echo();
        private int threads = 16;

        private Builder() {}

        /** Model ids served by {@code /models}, the first being the chat default. */
        public Builder models(String... ids) {
            return models(List.of(ids));
        }

        /** Model ids served by {@code /models}, the first being the chat default. */
        public Builder models(List<String> ids) {
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("at least one model id is needed");
            }
            this.models = List.copyOf(ids);
            return this;
        }

        /** The reply to model requests no script matches (default {@link Reply#echo()}). */
        public Builder defaultReply(Reply reply) {
            Objects.requireNonNull(reply, "reply");
            return defaultReply(r -> reply);
        }

        /** The reply to model requests no script matches, computed per request. */
        public Builder defaultReply(Function<ChatRequest, Reply> replier) {
            this.defaultReply = Objects.requireNonNull(replier, "replier");
            return this;
        }

        /** Size of the server's thread pool (default 16); a delayed reply holds one thread. */
        public Builder threads(int count) {
            if (count < 2) {
                throw new IllegalArgumentException("threads must be at least 2, got " + count);
            }
            this.threads = count;
            return this;
        }

        /** Binds an ephemeral loopback port and starts serving. */
        public FakeCopilotApi start() {
            try {
                return new FakeCopilotApi(this);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not start the fake Copilot API on 127.0.0.1: " + e.getMessage(), e);
            }
        }
    }

    // ------------------------------------------------------------------ addresses

    /** Base URL, e.g. {@code http://127.0.0.1:41234} (no trailing slash): use as {@code COPILOT_API_URL}. */
    public String url() {
        return url;
    }

    /** The port of {@link #url()}. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** URL of the proxy sink: use as {@code HTTP_PROXY}/{@code HTTPS_PROXY}. */
    public String proxyUrl() {
        return "http://127.0.0.1:" + proxySink.port();
    }

    /** The model ids this fake serves. */
    public List<String> models() {
        return models;
    }

    // ------------------------------------------------------------------ scripting

    /** Answers the next model requests, one reply each, in order (before the default reply). */
    public FakeCopilotApi enqueue(Reply... replies) {
        for (Reply r : replies) {
            addScript(req -> true, req -> r, 1, r.toString());
        }
        return this;
    }

    /**
     * Starts a script for model requests matching {@code condition}; scripts are tried in the order
     * they were added, after pending tool-call follow-ups and before the default reply.
     */
    public ChatScript when(Predicate<ChatRequest> condition) {
        return new ChatScript(this, condition);
    }

    /** Matches a new prompt (not a tool-result round trip) whose last user text contains {@code text}. */
    public static Predicate<ChatRequest> promptContains(String text) {
        Objects.requireNonNull(text, "text");
        return r -> r.isNewPrompt() && r.lastUserText().contains(text);
    }

    /** Matches model requests of this Copilot session ({@code x-client-session-id}). */
    public static Predicate<ChatRequest> sessionIs(String sessionId) {
        return r -> Objects.equals(sessionId, r.sessionId());
    }

    /** Matches model requests for this model id. */
    public static Predicate<ChatRequest> modelIs(String model) {
        return r -> Objects.equals(model, r.model());
    }

    /** Matches model requests carrying this header value (names are case-insensitive). */
    public static Predicate<ChatRequest> headerIs(String name, String value) {
        return r -> r.request().header(name).map(value::equals).orElse(false);
    }

    /** Forgets every script and pending tool-call follow-up not used yet. */
    public void clearScripts() {
        synchronized (scriptLock) {
            scripts.clear();
            followUps.clear();
        }
    }

    /** Descriptions of scripts not (fully) used yet, e.g. to assert they all fired. */
    public List<String> unusedScripts() {
        synchronized (scriptLock) {
            List<String> out = new ArrayList<>();
            scripts.forEach(s -> out.add(s.description + (s.remaining < 0 ? " (always)" : " x" + s.remaining)));
            followUps.forEach(f -> out.add("follow-up to " + f.calls()));
            return out;
        }
    }

    void addScript(Predicate<ChatRequest> condition, Function<ChatRequest, Reply> replier, int times, String what) {
        synchronized (scriptLock) {
            scripts.add(new Script(condition, replier, times, what));
        }
    }

    private Reply resolve(ChatRequest request) {
        Function<ToolResults, Reply> next = null;
        ToolResults results = null;
        Function<ChatRequest, Reply> replier = null;
        synchronized (scriptLock) {
            for (Iterator<FollowUp> it = followUps.iterator(); it.hasNext() && next == null; ) {
                FollowUp f = it.next();
                if (f.isAnsweredBy(request)) {
                    it.remove();
                    next = f.next();
                    results = f.results(request);
                }
            }
            if (next == null) {
                for (Iterator<Script> it = scripts.iterator(); it.hasNext() && replier == null; ) {
                    Script s = it.next();
                    if (s.condition.test(request)) {
                        replier = s.replier;
                        if (s.remaining > 0 && --s.remaining == 0) {
                            it.remove();
                        }
                    }
                }
            }
        }
        Reply reply;
        if (next != null) {
            reply = next.apply(results);
        } else if (replier != null) {
            reply = replier.apply(request);
        } else {
            reply = defaultReply.apply(request);
        }
        Objects.requireNonNull(reply, "a scripted reply function returned null");
        if (reply.kind == Reply.Kind.TOOL_CALLS) {
            List<ToolCall> withIds = new ArrayList<>();
            for (ToolCall c : reply.toolCalls) {
                withIds.add(c.id() != null ? c : c.withId("call_fake_" + ids.incrementAndGet()));
            }
            reply = reply.withToolCallIds(withIds);
            synchronized (scriptLock) {
                followUps.add(new FollowUp(withIds, reply.followUpOrDefault()));
            }
        }
        return reply;
    }

    // ------------------------------------------------------------------ recording

    /** Every request received so far (also blocked proxy attempts), in arrival order. */
    public List<RecordedRequest> requests() {
        return journal.snapshot();
    }

    /** Recorded requests whose path starts with {@code prefix}. */
    public List<RecordedRequest> requests(String pathPrefix) {
        return journal.snapshot().stream()
                .filter(r -> !r.blockedByProxySink() && r.path().startsWith(pathPrefix))
                .toList();
    }

    /** The {@code POST /chat/completions} requests, parsed, in arrival order. */
    public List<ChatRequest> chatRequests() {
        return journal.snapshot().stream()
                .filter(ChatRequests::isChatCompletions)
                .map(ChatRequests::parse)
                .toList();
    }

    /** The {@code POST /chat/completions} requests of one Copilot session ({@code x-client-session-id}). */
    public List<ChatRequest> chatRequests(String sessionId) {
        return chatRequests().stream()
                .filter(r -> Objects.equals(sessionId, r.sessionId()))
                .toList();
    }

    /** The {@code POST /responses} requests, parsed. */
    public List<ChatRequest> responsesRequests() {
        return journal.snapshot().stream()
                .filter(ChatRequests::isResponses)
                .map(ChatRequests::parse)
                .toList();
    }

    /** Attempts to leave loopback that the proxy sink refused. */
    public List<RecordedRequest> blockedRequests() {
        return journal.snapshot().stream()
                .filter(RecordedRequest::blockedByProxySink)
                .toList();
    }

    /**
     * Waits for a request matching {@code condition} (one that arrived earlier counts too).
     *
     * @throws AssertionError when none arrived within {@code timeout}, listing what did arrive
     */
    public RecordedRequest awaitRequest(Predicate<RecordedRequest> condition, Duration timeout) {
        try {
            return journal.await(condition, timeout)
                    .orElseThrow(() -> new AssertionError("no matching request reached the fake Copilot API within "
                            + timeout + "; received: " + journal.snapshot()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a request", e);
        }
    }

    /** Waits for a chat-completions request matching {@code condition}; see {@link #awaitRequest}. */
    public ChatRequest awaitChatRequest(Predicate<ChatRequest> condition, Duration timeout) {
        return ChatRequests.parse(
                awaitRequest(r -> ChatRequests.isChatCompletions(r) && condition.test(ChatRequests.parse(r)), timeout));
    }

    /** Forgets the recorded requests. */
    public void clearRecordings() {
        journal.clear();
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpExchange ex) {
        try {
            byte[] body = readBody(ex);
            URI uri = ex.getRequestURI();
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            if (uri.isAbsolute()) {
                RecordedRequest rec = journal.record(
                        method,
                        uri.toString(),
                        uri.getHost() + (uri.getRawPath() == null ? "" : uri.getRawPath()),
                        ex.getRequestHeaders(),
                        body,
                        true);
                LOG.info("fake Copilot API refused proxy request {} (nothing leaves loopback)", rec);
                sendJson(ex, 403, obj("message", "blocked by the copilot4j fake API proxy sink"));
                return;
            }
            String rawPath = uri.getRawPath() == null ? "/" : uri.getRawPath();
            RecordedRequest rec = journal.record(
                    method,
                    uri.getRawQuery() == null ? rawPath : rawPath + "?" + uri.getRawQuery(),
                    rawPath,
                    ex.getRequestHeaders(),
                    body,
                    false);
            route(ex, method, rawPath.startsWith("/v1/") ? rawPath.substring(3) : rawPath, rec);
        } catch (IOException e) {
            LOG.debug("fake Copilot API: connection ended while answering: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.warn(
                    "fake Copilot API: failed to answer {} {}",
                    ex.getRequestMethod(),
                    ex.getRequestURI().getRawPath(),
                    e);
            try {
                sendJson(ex, 500, obj("message", "fake Copilot API failure: " + e));
            } catch (IOException | RuntimeException ignored) {
                // headers may be sent already
            }
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex, String method, String path, RecordedRequest rec) throws IOException {
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        if (get && path.equals("/models")) {
            sendJson(ex, 200, ModelCatalog.list(models));
        } else if (get && path.startsWith("/models/")) {
            String id = path.substring("/models/".length()).split("/", -1)[0];
            if (models.contains(id)) {
                sendJson(ex, 200, ModelCatalog.entry(id, id.equals(models.get(0))));
            } else {
                sendJson(ex, 404, obj("message", "model " + id + " is not in the fake catalog " + models));
            }
        } else if (post && path.equals("/chat/completions")) {
            answerChat(ex, rec);
        } else if (post && path.equals("/responses")) {
            answerResponses(ex, rec);
        } else if (path.startsWith("/copilot_internal/team_customizations")) {
            sendJson(ex, 404, obj("message", "Not Found"));
        } else if (path.startsWith("/copilot_internal/user")) {
            sendJson(
                    ex,
                    200,
                    obj(
                            "login",
                            "fake-user",
                            "analytics_tracking_id",
                            "fake-tracking-id",
                            "copilot_plan",
                            "individual_pro",
                            "access_type_sku",
                            "free_educational",
                            "chat_enabled",
                            true,
                            "is_mcp_enabled",
                            false,
                            "organization_list",
                            List.of(),
                            "endpoints",
                            endpoints()));
        } else if (path.startsWith("/copilot_internal/v2/token")) {
            sendJson(
                    ex,
                    200,
                    obj(
                            "token",
                            "fake-copilot-session-token",
                            "expires_at",
                            Instant.now().getEpochSecond() + 3600,
                            "refresh_in",
                            1500,
                            "endpoints",
                            endpoints(),
                            "chat_enabled",
                            true));
        } else if (get && path.equals("/user")) {
            sendJson(ex, 200, obj("login", "fake-user", "id", 1, "type", "User", "name", "Fake User"));
        } else if (path.contains("/memory/")) {
            sendJson(ex, 200, path.endsWith("/enabled") ? obj("enabled", false) : obj("memories", List.of()));
        } else if (path.startsWith("/telemetry")) {
            sendJson(ex, 200, obj());
        } else if (path.equals("/mcp") || path.startsWith("/mcp/")) {
            answerMcp(ex, method, rec.body());
        } else if (path.startsWith("/agents")) {
            sendJson(ex, 200, obj("agents", List.of()));
        } else {
            LOG.debug("fake Copilot API has no handler for {} {}", method, path);
            sendJson(
                    ex,
                    404,
                    obj("message", "Not Found (copilot4j fake API has no handler for " + method + " " + path + ")"));
        }
    }

    private Map<String, Object> endpoints() {
        return obj("api", url, "telemetry", url + "/telemetry", "proxy", url, "origin-tracker", url);
    }

    private void answerMcp(HttpExchange ex, String method, JsonNode req) throws IOException {
        if (!method.equals("POST")) {
            sendJson(ex, 405, obj("message", "method not allowed"));
            return;
        }
        if (!req.isObject() || !req.has("id")) { // a notification
            send(ex, 202, null, null, Map.of());
            return;
        }
        String m = req.path("method").asText("");
        Object result = switch (m) {
            case "initialize" ->
                obj(
                        "protocolVersion",
                                req.path("params").path("protocolVersion").asText("2025-06-18"),
                        "capabilities", obj("tools", obj()),
                        "serverInfo", obj("name", "copilot4j-fake-mcp", "version", "0.0.1"));
            case "tools/list" -> obj("tools", List.of());
            case "prompts/list" -> obj("prompts", List.of());
            case "resources/list" -> obj("resources", List.of());
            case "resources/templates/list" -> obj("resourceTemplates", List.of());
            case "ping" -> obj();
            default -> null;
        };
        if (result == null) {
            sendJson(
                    ex,
                    200,
                    obj(
                            "jsonrpc",
                            "2.0",
                            "id",
                            req.get("id"),
                            "error",
                            obj("code", -32601, "message", "Method not found: " + m)));
        } else {
            sendJson(ex, 200, obj("jsonrpc", "2.0", "id", req.get("id"), "result", result));
        }
    }

    // ------------------------------------------------------------------ model replies

    private void answerChat(HttpExchange ex, RecordedRequest rec) throws IOException {
        ChatRequest request = ChatRequests.parse(rec);
        Reply reply = resolve(request);
        if (!pause(reply.delay)) {
            return;
        }
        if (reply.kind == Reply.Kind.ERROR) {
            sendError(ex, reply);
            return;
        }
        String text = textOf(reply, request);
        String model = request.model() != null ? request.model() : models.get(0);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        long created = Instant.now().getEpochSecond();
        boolean tools = reply.kind == Reply.Kind.TOOL_CALLS;
        String finish = tools ? "tool_calls" : "stop";
        Map<String, Object> usage = usage(rec, text);
        if (!request.stream()) {
            Map<String, Object> message = obj("role", "assistant", "content", tools && text.isEmpty() ? null : text);
            if (tools) {
                message.put(
                        "tool_calls",
                        reply.toolCalls.stream()
                                .map(c -> obj(
                                        "id",
                                        c.id(),
                                        "type",
                                        "function",
                                        "function",
                                        obj("name", c.name(), "arguments", c.argumentsJson())))
                                .toList());
            }
            sendJson(
                    ex,
                    200,
                    obj(
                            "id",
                            id,
                            "object",
                            "chat.completion",
                            "created",
                            created,
                            "model",
                            model,
                            "choices",
                            List.of(obj("index", 0, "finish_reason", finish, "message", message)),
                            "usage",
                            usage),
                    reply.headers);
            return;
        }
        OutputStream out = startSse(ex, reply.headers);
        Function<Map<String, Object>, Map<String, Object>> chunk = delta -> obj(
                "id",
                id,
                "object",
                "chat.completion.chunk",
                "created",
                created,
                "model",
                model,
                "choices",
                List.of(obj("index", 0, "delta", delta, "finish_reason", null)));
        sse(out, chunk.apply(obj("role", "assistant", "content", "")));
        if (!text.isEmpty()) {
            for (String piece : WORD_BOUNDARY.split(text, -1)) { // never matches at the end: no trailing empty piece
                if (!pause(reply.chunkDelay)) {
                    return;
                }
                sse(out, chunk.apply(obj("content", piece)));
            }
        }
        for (int i = 0; i < reply.toolCalls.size(); i++) {
            ToolCall c = reply.toolCalls.get(i);
            if (!pause(reply.chunkDelay)) {
                return;
            }
            sse(
                    out,
                    chunk.apply(obj(
                            "tool_calls",
                            List.of(obj(
                                    "index",
                                    i,
                                    "id",
                                    c.id(),
                                    "type",
                                    "function",
                                    "function",
                                    obj("name", c.name(), "arguments", ""))))));
            sse(
                    out,
                    chunk.apply(obj(
                            "tool_calls", List.of(obj("index", i, "function", obj("arguments", c.argumentsJson()))))));
        }
        sse(
                out,
                obj(
                        "id",
                        id,
                        "object",
                        "chat.completion.chunk",
                        "created",
                        created,
                        "model",
                        model,
                        "choices",
                        List.of(obj("index", 0, "delta", obj(), "finish_reason", finish))));
        if (rec.body().path("stream_options").path("include_usage").asBoolean(false)) {
            sse(
                    out,
                    obj(
                            "id",
                            id,
                            "object",
                            "chat.completion.chunk",
                            "created",
                            created,
                            "model",
                            model,
                            "choices",
                            List.of(),
                            "usage",
                            usage));
        }
        sseRaw(out, null, "[DONE]");
    }

    private void answerResponses(HttpExchange ex, RecordedRequest rec) throws IOException {
        ChatRequest request = ChatRequests.parse(rec);
        Reply reply = resolve(request);
        if (!pause(reply.delay)) {
            return;
        }
        if (reply.kind == Reply.Kind.ERROR) {
            sendError(ex, reply);
            return;
        }
        if (reply.kind == Reply.Kind.TOOL_CALLS) {
            sendJson(ex, 501, obj("message", "the copilot4j fake API scripts tool calls on /chat/completions only"));
            return;
        }
        String text = textOf(reply, request);
        String model = request.model() != null ? request.model() : models.get(0);
        String rid = "resp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        String mid = "msg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        Map<String, Object> part = obj("type", "output_text", "text", text, "annotations", List.of());
        Map<String, Object> item =
                obj("id", mid, "type", "message", "status", "completed", "role", "assistant", "content", List.of(part));
        Map<String, Object> usage =
                obj("input_tokens", 10, "output_tokens", words(text), "total_tokens", 10 + words(text));
        Map<String, Object> full = obj(
                "id",
                rid,
                "object",
                "response",
                "created_at",
                Instant.now().getEpochSecond(),
                "status",
                "completed",
                "model",
                model,
                "output",
                List.of(item),
                "usage",
                usage);
        if (!request.stream()) {
            sendJson(ex, 200, full, reply.headers);
            return;
        }
        OutputStream out = startSse(ex, reply.headers);
        int[] seq = {0};
        Function<Map<String, Object>, Map<String, Object>> ev = m -> {
            m.put("sequence_number", seq[0]++);
            return m;
        };
        Map<String, Object> inProgress = new LinkedHashMap<>(full);
        inProgress.put("status", "in_progress");
        inProgress.put("output", List.of());
        sseEvent(out, ev.apply(obj("type", "response.created", "response", inProgress)));
        sseEvent(
                out,
                ev.apply(obj(
                        "type",
                        "response.output_item.added",
                        "output_index",
                        0,
                        "item",
                        obj(
                                "id",
                                mid,
                                "type",
                                "message",
                                "status",
                                "in_progress",
                                "role",
                                "assistant",
                                "content",
                                List.of()))));
        sseEvent(
                out,
                ev.apply(obj(
                        "type",
                        "response.content_part.added",
                        "item_id",
                        mid,
                        "output_index",
                        0,
                        "content_index",
                        0,
                        "part",
                        obj("type", "output_text", "text", "", "annotations", List.of()))));
        sseEvent(
                out,
                ev.apply(obj(
                        "type",
                        "response.output_text.delta",
                        "item_id",
                        mid,
                        "output_index",
                        0,
                        "content_index",
                        0,
                        "delta",
                        text)));
        sseEvent(
                out,
                ev.apply(obj(
                        "type",
                        "response.output_text.done",
                        "item_id",
                        mid,
                        "output_index",
                        0,
                        "content_index",
                        0,
                        "text",
                        text)));
        sseEvent(
                out,
                ev.apply(obj(
                        "type",
                        "response.content_part.done",
                        "item_id",
                        mid,
                        "output_index",
                        0,
                        "content_index",
                        0,
                        "part",
                        part)));
        sseEvent(out, ev.apply(obj("type", "response.output_item.done", "output_index", 0, "item", item)));
        sseEvent(out, ev.apply(obj("type", "response.completed", "response", full)));
    }

    private static String textOf(Reply reply, ChatRequest request) {
        if (reply.kind == Reply.Kind.ECHO) {
            String user = request.lastUserText();
            return "ECHO: " + (user.isEmpty() ? "(no user message)" : user);
        }
        return reply.text == null ? "" : reply.text;
    }

    private static Map<String, Object> usage(RecordedRequest rec, String text) {
        int prompt = Math.max(1, rec.body().path("messages").toString().length() / 4);
        int completion = words(text);
        return obj("prompt_tokens", prompt, "completion_tokens", completion, "total_tokens", prompt + completion);
    }

    private static int words(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    /** Sleeps; false when interrupted (the fake is closing). */
    private boolean pause(Duration d) {
        if (d.isZero()) {
            return !closed;
        }
        try {
            Thread.sleep(d.toMillis());
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ------------------------------------------------------------------ wire helpers

    private static byte[] readBody(HttpExchange ex) throws IOException {
        byte[] raw;
        try (InputStream in = ex.getRequestBody()) {
            raw = in.readAllBytes();
        }
        String encoding = ex.getRequestHeaders().getFirst("content-encoding");
        if (raw.length == 0 || encoding == null) {
            return raw;
        }
        String e = encoding.trim().toLowerCase(Locale.ROOT);
        try {
            if (e.equals("gzip") || e.equals("x-gzip")) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    return in.readAllBytes();
                }
            }
            if (e.equals("deflate")) {
                try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(raw))) {
                    return in.readAllBytes();
                }
            }
        } catch (IOException bad) {
            LOG.debug("fake Copilot API could not decode a {} body: {}", e, bad.toString());
        }
        return raw;
    }

    private void sendError(HttpExchange ex, Reply reply) throws IOException {
        String body = reply.text;
        String trimmed = body.strip();
        boolean json = trimmed.startsWith("{") || trimmed.startsWith("[");
        send(
                ex,
                reply.status,
                json ? "application/json" : "text/plain; charset=utf-8",
                body.getBytes(StandardCharsets.UTF_8),
                reply.headers);
    }

    private void sendJson(HttpExchange ex, int status, Object value) throws IOException {
        sendJson(ex, status, value, Map.of());
    }

    private void sendJson(HttpExchange ex, int status, Object value, Map<String, String> extra) throws IOException {
        send(ex, status, "application/json", Json.bytes(value), extra);
    }

    private void send(HttpExchange ex, int status, String contentType, byte[] body, Map<String, String> extra)
            throws IOException {
        commonHeaders(ex, extra);
        if (contentType != null) {
            ex.getResponseHeaders().set("content-type", contentType);
        }
        if (body == null || body.length == 0) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        }
        LOG.debug("{} {} -> {}", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), status);
    }

    private static void commonHeaders(HttpExchange ex, Map<String, String> extra) {
        // The CLI takes a 4xx without x-github-request-id for a proxy or firewall answer.
        ex.getResponseHeaders()
                .set(
                        "x-github-request-id",
                        "fake-" + UUID.randomUUID().toString().substring(0, 13));
        ex.getResponseHeaders().set("x-request-id", UUID.randomUUID().toString());
        extra.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    }

    private OutputStream startSse(HttpExchange ex, Map<String, String> extra) throws IOException {
        commonHeaders(ex, extra);
        ex.getResponseHeaders().set("content-type", "text/event-stream");
        ex.getResponseHeaders().set("cache-control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        LOG.debug(
                "{} {} -> 200 (streaming)",
                ex.getRequestMethod(),
                ex.getRequestURI().getRawPath());
        return ex.getResponseBody();
    }

    private static void sse(OutputStream out, Object data) throws IOException {
        sseRaw(out, null, Json.text(data));
    }

    private static void sseEvent(OutputStream out, Map<String, Object> data) throws IOException {
        sseRaw(out, (String) data.get("type"), Json.text(data));
    }

    private static void sseRaw(OutputStream out, String event, String data) throws IOException {
        String frame = (event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // ------------------------------------------------------------------ lifecycle

    /** Stops the server and the proxy sink and interrupts delayed replies. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        proxySink.close();
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("fake Copilot API: some request threads did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FakeCopilotApi[" + url + ", models=" + models + "]";
    }
}
