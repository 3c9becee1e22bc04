package io.github.copilot4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.EventPayload;
import io.github.copilot4j.event.SessionError;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.SessionIdle;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.internal.Deadlines;
import io.github.copilot4j.internal.HandlerRunner;
import io.github.copilot4j.internal.InternalExecutor;
import io.github.copilot4j.internal.SerialLane;
import io.github.copilot4j.internal.Validation;
import io.github.copilot4j.internal.event.EventParser;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.internal.observe.TurnTracker;
import io.github.copilot4j.internal.rpc.JsonRpcConnection;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.spi.ClientObserver.TurnOutcome;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStatus;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.tool.PermissionDecision;
import io.github.copilot4j.tool.PermissionRequest;
import io.github.copilot4j.tool.ToolDefinition;
import io.github.copilot4j.tool.ToolInvocation;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One conversation with its own model, context and history. Get one from {@link
 * CopilotClient#createSession} or {@link CopilotClient#resumeSession}.
 *
 * <p>Threading: methods are thread-safe. Listeners registered with {@code on(...)} are called one
 * event at a time, in the order the runtime sent them, on the client's callback executor; a slow
 * listener delays only this session. A listener that throws is logged and delivery goes on.
 * {@link #sendAndWait} completes after the listeners have seen the turn's last event. Tool and
 * permission handlers run on the callback executor too, at most {@link
 * CopilotClient.Builder#maxConcurrentHandlersPerSession} of this session's at once (the others
 * wait in order), each answered with a failure at its {@link CopilotClient.Builder#handlerTimeout}
 * if it has not finished by then. Futures returned by the {@code ...Async} methods complete on the
 * callback executor; timeouts and request completions run on the client's own threads and never
 * wait for it.
 */
public final class CopilotSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CopilotSession.class);
    private static final Duration DEFAULT_TURN_TIMEOUT = Duration.ofSeconds(60);

    private final CopilotClient client;
    private final String sessionId;
    private final SessionConfig config;
    private final ExecutorService callbackExecutor;
    private final SerialLane delivery;
    private final SerialLane persistence;
    private final HandlerRunner handlers;
    /** Tells the client's observers when turns start and end. */
    private final TurnTracker turns;

    private final List<Consumer<SessionEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<TurnWaiter> waiters = new CopyOnWriteArrayList<>();
    private final Queue<NewEvent> toPersist = new ConcurrentLinkedQueue<>();
    /** Events the store refused; retried before newer ones. Only touched on the persistence lane. */
    private final Deque<NewEvent> unsaved = new ArrayDeque<>();

    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SessionRecord record;
    private volatile String workspacePath;
    private volatile boolean storeFailing;
    private volatile boolean retryScheduled;
    private volatile ConnectionClosedException lost;
    /** unsaved.size() plus dropped, for other threads. */
    private volatile int unsavedCount;
    /** Events given up (over the limit) since the last reconciliation. Persistence lane only. */
    private int dropped;
    /** The store may lack events the runtime has: fill them in from session.getMessages before appending more. */
    private volatile boolean needsReconcile;
    /** A resumed session whose session.resume has not been answered yet: hold appends until then. */
    private volatile boolean awaitingResume;
    /** Persistence lane only. */
    private boolean reconcileInFlight;
    /** {@code dropped} when the history in flight was asked for: later drops may not be in it. Persistence lane only. */
    private int droppedBeforeReconcile;
    /** Another client took the session over: this one's events are no longer saved. Persistence lane only. */
    private boolean fenced;

    CopilotSession(
            CopilotClient client,
            String sessionId,
            SessionConfig config,
            ExecutorService storeExecutor,
            ExecutorService callbackExecutor) {
        this.client = client;
        this.sessionId = sessionId;
        this.config = config;
        this.callbackExecutor = callbackExecutor;
        this.delivery = new SerialLane(callbackExecutor, "events:" + sessionId);
        this.persistence = new SerialLane(storeExecutor, "store:" + sessionId);
        this.handlers = new HandlerRunner(
                callbackExecutor,
                client.internalExecutor(),
                client.maxConcurrentHandlersPerSession(),
                client.handlerTimeout(),
                "handlers:" + sessionId);
        this.turns = new TurnTracker(this, client.observer(), delivery);
        this.listeners.addAll(config.eventListeners()); // before any event can be routed here
    }

    /** The session's id. */
    public String sessionId() {
        return sessionId;
    }

    /** This session's runtime methods, typed from its schema, the session id filled in (see {@link io.github.copilot4j.rpc.SessionRpc}). */
    public io.github.copilot4j.rpc.SessionRpc rpc() {
        return new io.github.copilot4j.rpc.SessionRpc(
                new io.github.copilot4j.internal.rpc.ConnectionCaller(this::requireUsable, client.requestTimeout()),
                sessionId);
    }

    /** The config it was created or resumed with. */
    public SessionConfig config() {
        return config;
    }

    /** The runtime's directory for this session's state, if it said. */
    public String workspacePath() {
        return workspacePath;
    }

    /** True after {@link #close()} or a delete. */
    public boolean isClosed() {
        return closed.get();
    }

    // ------------------------------------------------------------------ sending

    /** Queues a prompt (blocking until the runtime accepted it); returns its message id. */
    public String send(String prompt) {
        return CopilotClient.join(startSend(prompt), client.requestTimeout().plusSeconds(1), "session.send");
    }

    /** Queues a prompt; the future completes (on the callback executor) with its message id once the runtime accepted it. */
    public CompletableFuture<String> sendAsync(String prompt) {
        return InternalExecutor.completeOn(callbackExecutor, startSend(prompt));
    }

    /** sendAsync's work; the future completes on the library's threads (for blocking callers and internal use). */
    private CompletableFuture<String> startSend(String prompt) {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null");
        }
        if (prompt.isBlank()) {
            throw new IllegalArgumentException("prompt must not be blank");
        }
        Validation.requireUnicode("prompt", prompt);
        JsonRpcConnection conn = requireUsable();
        ObjectNode p = CopilotClient.params(sessionId);
        p.put("prompt", prompt);
        turns.sending();
        Map<String, String> trace = client.observer().traceContext(this);
        for (String key : List.of("traceparent", "tracestate")) {
            String v = trace.get(key);
            if (v != null && !v.isBlank()) {
                p.put(key, v);
            }
        }
        return conn.request("session.send", p, client.requestTimeout())
                .whenComplete((r, err) -> {
                    if (err != null) {
                        turns.sendFailed(CopilotClient.unwrapQuietly(err));
                    }
                })
                .thenApply(r -> Json.text(r, "messageId"));
    }

    /** Sends and waits up to 60 s for the turn to finish; see {@link #sendAndWaitAsync}. */
    public AssistantMessage sendAndWait(String prompt) {
        return sendAndWait(prompt, DEFAULT_TURN_TIMEOUT);
    }

    /**
     * Sends and waits for the turn to finish.
     *
     * @return the turn's last assistant message (null if the turn produced none)
     * @throws SessionErrorException if the turn failed ({@code session.error})
     * @throws CopilotTimeoutException after {@code timeout}; the turn goes on (call {@link #abort()} to stop it)
     * @throws ConnectionClosedException if the runtime went away
     */
    public AssistantMessage sendAndWait(String prompt, Duration timeout) {
        Validation.requireNonNull("timeout", timeout);
        return CopilotClient.join(startTurn(prompt, timeout), timeout.plusSeconds(5), "the turn");
    }

    /**
     * Sends a prompt and completes when the runtime reports the session idle after it: with the
     * last {@code assistant.message} answering it. Subscribes before sending, so a fast turn is
     * never missed. A timeout fails the future with {@link CopilotTimeoutException} but does not
     * abort the turn. The future completes on the callback executor.
     */
    public CompletableFuture<AssistantMessage> sendAndWaitAsync(String prompt, Duration timeout) {
        return InternalExecutor.completeOn(callbackExecutor, startTurn(prompt, timeout));
    }

    /**
     * sendAndWaitAsync's work. The future completes where the turn's end is seen (the delivery lane,
     * after the listeners), or on the library's threads (timeout, send failure, lost connection).
     */
    @SuppressWarnings(
            "FutureReturnValueIgnored") // the whenComplete callbacks handle both outcomes; the stages they return only
    // repeat them
    private CompletableFuture<AssistantMessage> startTurn(String prompt, Duration timeout) {
        Validation.requireNonNull("timeout", timeout);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        TurnWaiter waiter = new TurnWaiter(prompt);
        waiters.add(waiter);
        waiter.future.whenComplete((r, e) -> waiters.remove(waiter));
        try {
            startSend(prompt).whenComplete((messageId, err) -> {
                if (err != null) {
                    waiter.fail(CopilotClient.unwrap(err));
                } else {
                    waiter.sent(messageId);
                }
            });
        } catch (RuntimeException e) {
            waiters.remove(waiter);
            throw e;
        }
        Deadlines.onTimeout(
                waiter.future,
                timeout,
                client.internalExecutor(),
                () -> waiter.fail(
                        new CopilotTimeoutException("Session '" + sessionId + "' did not finish the turn within "
                                + timeout.toMillis() + " ms; the turn goes on (call abort() to stop it)")));
        return waiter.future;
    }

    /** Aborts the turn in progress; the session stays usable. */
    public void abort() {
        CopilotClient.join(
                requireUsable().request("session.abort", CopilotClient.params(sessionId), client.requestTimeout()),
                client.requestTimeout().plusSeconds(1),
                "session.abort");
    }

    // ------------------------------------------------------------------ listening

    /**
     * Calls {@code listener} for every event of this session delivered after this call. Events
     * already delivered are not replayed, so a listener added right after {@code createSession}
     * may or may not see {@code session.start}; register with {@link
     * SessionConfig.Builder#onEvent} to see every event from the first.
     */
    public Subscription on(Consumer<SessionEvent> listener) {
        Validation.requireNonNull("listener", listener);
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Calls {@code listener} with the payload of every event of the given type, e.g. {@code AssistantMessageDelta.class}. */
    public <T extends EventPayload> Subscription on(Class<T> type, Consumer<? super T> listener) {
        Validation.requireNonNull("type", type);
        Validation.requireNonNull("listener", listener);
        Consumer<SessionEvent> filter = e -> {
            if (type.isInstance(e.payload())) {
                listener.accept(type.cast(e.payload()));
            }
        };
        listeners.add(filter);
        return () -> listeners.remove(filter);
    }

    // ------------------------------------------------------------------ history

    /**
     * The session's persisted history, oldest first: from the store when it has events for this
     * session (after writing what is still queued), else from the runtime ({@code session.getMessages}).
     */
    public List<SessionEvent> messages() {
        flushStore(Duration.ofSeconds(10));
        SessionStore store = client.store();
        List<SessionEvent> out = new ArrayList<>();
        long after = 0;
        while (true) {
            List<StoredEvent> page = store.readEvents(sessionId, after, 1000);
            for (StoredEvent se : page) {
                out.add(fromStored(se));
                after = se.seq();
            }
            if (page.size() < 1000) {
                break;
            }
        }
        if (!out.isEmpty() || closed.get()) {
            return out;
        }
        JsonNode r = CopilotClient.join(
                requireUsable()
                        .request("session.getMessages", CopilotClient.params(sessionId), client.requestTimeout()),
                client.requestTimeout().plusSeconds(1),
                "session.getMessages");
        for (JsonNode ev : r.path("events")) {
            SessionEvent e = EventParser.parse(sessionId, ev);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    static SessionEvent fromStored(StoredEvent se) {
        JsonNode data;
        try {
            data = Json.read(se.dataJson());
        } catch (IllegalArgumentException e) {
            data = Json.object();
        }
        return new SessionEvent(
                se.sessionId(),
                se.eventId(),
                se.timestamp(),
                se.parentId(),
                false,
                se.agentId(),
                se.type(),
                data,
                EventParser.payload(se.type(), data));
    }

    // ------------------------------------------------------------------ closing

    /**
     * Detaches from the session ({@code session.destroy}): the runtime frees it but keeps its
     * state, and it can be resumed later with {@link CopilotClient#resumeSession}. Idempotent.
     */
    @Override
    public void close() {
        if (isClosed()) {
            return;
        }
        try {
            detachAsync(client.requestTimeout(), null)
                    .get(client.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("session.destroy of {} failed: {}", sessionId, e.toString());
        }
    }

    /** Detaches; {@code conn} is the connection to use (null: the client's current one, if connected). */
    @SuppressWarnings(
            "FutureReturnValueIgnored") // the session.destroy callback logs a failure and finishes the detach either
    // way
    CompletableFuture<Void> detachAsync(Duration timeout, JsonRpcConnection conn) {
        if (!closed.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        failWaiters(new IllegalStateException("session '" + sessionId + "' was closed"));
        turns.gone(TurnOutcome.CLOSED, null);
        persistence.execute(this::markDetachedInStore);
        CompletableFuture<Void> done = new CompletableFuture<>();
        // The lease goes back before the caller sees the detach complete, and only after the events
        // queued so far went to the store (the persistence lane runs in order): the next driver
        // finds the history complete, and these last appends still carry this client's token.
        CompletableFuture<Void> released = done.thenCompose(v -> releaseAfterQueuedWrites());
        if (conn == null) {
            try {
                conn = client.requireConnected();
            } catch (RuntimeException e) {
                client.forget(this);
                done.complete(null);
                return released;
            }
        }
        // Stay routable until the runtime answered: its last events (session.shutdown) come before the answer.
        conn.request("session.destroy", CopilotClient.params(sessionId), timeout)
                .whenComplete((r, e) -> {
                    if (e != null) {
                        log.debug("session.destroy of {} failed: {}", sessionId, e.toString());
                    }
                    client.forget(this);
                    done.complete(null);
                });
        return released;
    }

    private CompletableFuture<Void> releaseAfterQueuedWrites() {
        CompletableFuture<Void> released = new CompletableFuture<>();
        Runnable release = () -> {
            try {
                client.afterDetach(sessionId);
            } finally {
                released.complete(null);
            }
        };
        try {
            persistence.execute(() -> {
                try {
                    persistQueued();
                } finally {
                    release.run();
                }
            });
        } catch (RejectedExecutionException e) {
            release.run(); // the client is shutting down its store threads
        }
        return released;
    }

    void markDeleted() {
        closed.set(true);
        toPersist.clear();
        failWaiters(new SessionNotFoundException("session '" + sessionId + "' was deleted"));
        turns.gone(TurnOutcome.CLOSED, null);
    }

    /** The connection this session was on died; it must be resumed on a new connection. */
    void connectionLost(ConnectionClosedException reason) {
        lost = reason;
        failWaiters(reason);
        turns.gone(TurnOutcome.DISCONNECTED, reason);
    }

    private JsonRpcConnection requireUsable() {
        ConnectionClosedException why = lost;
        if (why != null) {
            throw new ConnectionClosedException(
                    "session '" + sessionId + "' lost its connection to the Copilot runtime: " + why.getMessage()
                            + "; call client.start() to reconnect if needed, then client.resumeSession(\"" + sessionId
                            + "\")",
                    why);
        }
        if (closed.get()) {
            throw new IllegalStateException("session '" + sessionId
                    + "' is closed; resume it with client.resumeSession(\"" + sessionId + "\")");
        }
        return client.requireConnected();
    }

    // ------------------------------------------------------------------ inbound events (reader thread)

    void onWireEvent(JsonNode raw) {
        SessionEvent e = EventParser.parse(sessionId, raw);
        if (e == null) {
            log.debug("Dropped a malformed event for session {}", sessionId);
            return;
        }
        if (!e.ephemeral() && !e.id().isEmpty()) {
            toPersist.add(toNewEvent(e));
            persistence.execute(this::persistQueued);
        }
        switch (e.type()) {
            case "session.title_changed" -> {
                String title = Json.text(e.data(), "title");
                if (title != null) {
                    persistence.execute(() -> updateRecord(r -> r.withSummary(truncate(title, 500)), true));
                }
            }
            case "external_tool.requested" -> runTool(e);
            case "permission.requested" -> decidePermission(e);
            default -> {}
        }
        delivery.execute(() -> deliver(e));
    }

    private void deliver(SessionEvent e) {
        for (Consumer<SessionEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (Throwable t) {
                log.warn("A listener of session {} failed on {}; delivery goes on", sessionId, e.type(), t);
            }
        }
        turns.delivered(e); // before the waiters: when sendAndWait returns, observers have seen the turn end
        for (TurnWaiter w : waiters) {
            w.onEvent(e);
        }
    }

    void failWaiters(RuntimeException reason) {
        for (TurnWaiter w : waiters) {
            w.fail(reason);
        }
    }

    // ------------------------------------------------------------------ tools and permissions (handler runner)

    /** Reader thread: hands a call of one of this session's tools to the handler runner. */
    private void runTool(SessionEvent e) {
        JsonNode d = e.data();
        String requestId = Json.text(d, "requestId");
        String toolName = Json.text(d, "toolName");
        ToolDefinition tool = config.tools().stream()
                .filter(t -> t.name().equals(toolName))
                .findFirst()
                .orElse(null);
        if (tool == null || requestId == null) {
            log.debug("Session {}: tool {} is not handled by this client", sessionId, toolName);
            return;
        }
        handlers.submit(
                () -> toolResult(tool, requestId, d),
                () -> {
                    String why = "Tool '" + toolName + "' did not finish within "
                            + handlers.timeout().toMillis() + " ms (the client's handlerTimeout)";
                    log.warn(
                            "{} in session {}; answered the runtime with a failure (a handler still running is interrupted)",
                            why,
                            sessionId);
                    return toolFailure(requestId, why, why);
                },
                p -> answer("session.tools.handlePendingToolCall", p));
    }

    /** Callback executor: runs the user's tool handler; its failure becomes a failed tool result. */
    private ObjectNode toolResult(ToolDefinition tool, String requestId, JsonNode d) {
        JsonNode args = d.get("arguments");
        if (args != null && args.isTextual()) {
            try {
                args = Json.read(args.asText());
            } catch (IllegalArgumentException ignored) {
                // keep the text
            }
        }
        ObjectNode p = CopilotClient.params(sessionId);
        p.put("requestId", requestId);
        ClientObserver.ToolCallScope scope = client.observer()
                .toolCallStarted(this, tool.name(), Json.text(d, "traceparent"), Json.text(d, "tracestate"));
        try {
            Object value;
            try {
                value = tool.handler()
                        .handle(new ToolInvocation(
                                sessionId,
                                Json.text(d, "toolCallId"),
                                tool.name(),
                                args == null || args.isNull() ? Json.object() : args));
            } catch (Exception | Error ex) {
                scope.end(ex);
                throw ex;
            }
            scope.end(null);
            ObjectNode result = p.putObject("result");
            result.put("textResultForLlm", value == null ? "" : value instanceof String s ? s : Json.write(value));
            result.put("resultType", "success");
            return p;
        } catch (Exception ex) {
            // A result object (not the bare "error" field, whose text the runtime hides from the model)
            // so that the model learns why the tool failed.
            log.warn("Tool {} of session {} failed: {}", tool.name(), sessionId, ex.toString());
            String why = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            return toolFailure(requestId, "Tool '" + tool.name() + "' failed: " + why, why);
        }
    }

    private ObjectNode toolFailure(String requestId, String forTheModel, String error) {
        ObjectNode p = CopilotClient.params(sessionId);
        p.put("requestId", requestId);
        ObjectNode result = p.putObject("result");
        result.put("textResultForLlm", forTheModel);
        result.put("resultType", "failure");
        result.put("error", error);
        return p;
    }

    /** Reader thread: hands a permission request to the handler runner. */
    private void decidePermission(SessionEvent e) {
        if (config.permissionHandler() == null
                || e.data().path("resolvedByHook").asBoolean(false)) {
            return;
        }
        JsonNode d = e.data();
        String requestId = Json.text(d, "requestId");
        JsonNode req = d.path("permissionRequest");
        handlers.submit(
                () -> {
                    PermissionDecision decision;
                    try {
                        decision = Objects.requireNonNullElse(
                                config.permissionHandler()
                                        .decide(new PermissionRequest(
                                                sessionId, requestId, Json.text(req, "kind"), req)),
                                PermissionDecision.USER_NOT_AVAILABLE);
                    } catch (Exception ex) {
                        log.warn("Permission handler of session {} failed: {}", sessionId, ex.toString());
                        decision = PermissionDecision.USER_NOT_AVAILABLE;
                    }
                    return decision;
                },
                () -> {
                    log.warn(
                            "The permission handler of session {} did not decide within {} ms (the client's handlerTimeout); answered the"
                                    + " runtime with {} (a handler still running is interrupted)",
                            sessionId,
                            handlers.timeout().toMillis(),
                            PermissionDecision.USER_NOT_AVAILABLE.wireName());
                    return PermissionDecision.USER_NOT_AVAILABLE;
                },
                decision -> {
                    ObjectNode p = CopilotClient.params(sessionId);
                    p.put("requestId", requestId);
                    p.putObject("result").put("kind", decision.wireName());
                    answer("session.permissions.handlePendingPermissionRequest", p);
                });
    }

    @SuppressWarnings("FutureReturnValueIgnored") // fire-and-forget answer: the callback logs a failure
    private void answer(String method, ObjectNode params) {
        try {
            client.requireConnected()
                    .request(method, params, client.requestTimeout())
                    .whenComplete((r, err) -> {
                        if (err != null) {
                            log.warn("{} for session {} failed: {}", method, sessionId, err.toString());
                        }
                    });
        } catch (RuntimeException ex) {
            log.warn("Could not send {} for session {}: {}", method, sessionId, ex.toString());
        }
    }

    // ------------------------------------------------------------------ store (persistence lane)

    void setRecord(SessionRecord r) {
        this.record = r;
    }

    void setWorkspacePath(String path) {
        this.workspacePath = path;
    }

    /**
     * Events of this session received but not (yet) confirmed by the store: queued, waiting for a
     * retry, or given up until reconciled. 0 once everything is saved. While events move it may
     * count one twice, and while a reconciliation is being written it counts the runtime's whole
     * history (the store skips what it already has).
     */
    public int unsavedEventCount() {
        return toPersist.size() + unsavedCount;
    }

    /**
     * Writes what is queued, oldest first (persistence lane). When the store fails, the events stay
     * queued and a retry runs a second later. When events were given up (over the in-memory limit),
     * or the session was resumed (an earlier client may have been unable to save its last events),
     * the runtime's own history ({@code session.getMessages}) is merged in first, in the runtime's
     * order; the store skips the events it already has, so nothing is duplicated.
     */
    private void persistQueued() {
        if (client.storeClosed()) {
            return; // the client is closed; what was unsaved has been reported
        }
        NewEvent e;
        int droppedNow = 0;
        // Count an event as moved before taking it off the queue, so unsavedEventCount() never undercounts.
        while ((e = toPersist.peek()) != null) {
            if (unsaved.size() >= client.maxUnsavedEvents()) {
                droppedNow++;
                dropped++;
            } else {
                unsaved.addLast(e);
            }
            publishUnsavedCount();
            toPersist.poll();
        }
        if (droppedNow > 0 && dropped == droppedNow) { // once per outage, not for every event given up
            needsReconcile = true;
            log.error(
                    "Gave up {} event(s) of session {}: more than {} are waiting for the session store; they will be "
                            + "filled in from the runtime's history when the store is back",
                    droppedNow,
                    sessionId,
                    client.maxUnsavedEvents());
            client.reportStoreFailure(new StoreFailure(
                    sessionId,
                    StoreFailure.Kind.EVENTS_LOST,
                    unsaved.size() + dropped,
                    new SessionStoreException(droppedNow + " event(s) over the limit of " + client.maxUnsavedEvents()
                            + " unsaved events")));
        }
        publishUnsavedCount();
        if (awaitingResume) {
            return;
        }
        if (needsReconcile && !reconcileInFlight && lost == null && !closed.get() && !storeFailing) {
            if (startReconcile()) {
                return;
            }
        }
        if (reconcileInFlight || unsaved.isEmpty() || (closed.get() && record == null)) {
            return;
        }
        appendUnsaved();
    }

    private void appendUnsaved() {
        List<NewEvent> batch = new ArrayList<>(unsaved);
        try {
            List<StoredEvent> stored = client.appendFenced(sessionId, batch);
            unsaved.clear();
            if (storeFailing) {
                storeFailing = false;
                log.info(
                        "Session store is writable again; {} queued event(s) of session {} saved",
                        batch.size(),
                        sessionId);
            }
            summarize(stored);
            if (needsReconcile) {
                persistence.execute(this::persistQueued);
            }
        } catch (SessionStoreException.NoSuchSession gone) {
            log.warn(
                    "Session {} is no longer in the store (deleted elsewhere?); dropping {} event(s)",
                    sessionId,
                    batch.size());
            unsaved.clear();
            dropped = 0;
            needsReconcile = false;
        } catch (SessionLeaseException taken) {
            fencedOut(taken, batch.size());
        } catch (IllegalArgumentException refused) {
            // The store refuses some event's content (e.g. text a database cannot hold): save the others.
            appendOneByOne();
        } catch (RuntimeException ex) {
            if (!storeFailing) {
                log.error(
                        "Could not save {} event(s) of session {} to the session store; will retry: {}",
                        batch.size(),
                        sessionId,
                        ex.toString());
                storeFailing = true;
                client.reportStoreFailure(
                        new StoreFailure(sessionId, StoreFailure.Kind.SAVE_EVENTS, batch.size() + dropped, ex));
            }
            scheduleRetry();
        }
        publishUnsavedCount();
    }

    private void appendOneByOne() {
        while (!unsaved.isEmpty()) {
            NewEvent one = unsaved.peekFirst();
            try {
                summarize(client.appendFenced(sessionId, List.of(one)));
                unsaved.removeFirst();
            } catch (SessionLeaseException taken) {
                fencedOut(taken, unsaved.size());
                return;
            } catch (IllegalArgumentException refused) {
                unsaved.removeFirst();
                log.error(
                        "The session store refused event {} ({}) of session {}; it is not saved: {}",
                        one.eventId(),
                        one.type(),
                        sessionId,
                        refused.getMessage());
                client.reportStoreFailure(
                        new StoreFailure(sessionId, StoreFailure.Kind.EVENTS_LOST, unsaved.size() + dropped, refused));
            } catch (RuntimeException ex) {
                if (!storeFailing) {
                    log.error(
                            "Could not save {} event(s) of session {} to the session store; will retry: {}",
                            unsaved.size(),
                            sessionId,
                            ex.toString());
                    storeFailing = true;
                    client.reportStoreFailure(
                            new StoreFailure(sessionId, StoreFailure.Kind.SAVE_EVENTS, unsaved.size() + dropped, ex));
                }
                scheduleRetry();
                return;
            }
        }
        storeFailing = false;
    }

    /**
     * Another client took the session over (this client's claim expired and was taken, or was
     * released): its history is no longer this client's to write. Drops what waits, once loudly.
     */
    private void fencedOut(SessionLeaseException why, int events) {
        if (fenced) {
            log.debug("Session {} is driven by another client; {} more event(s) not saved", sessionId, events);
            unsaved.clear();
            return;
        }
        fenced = true;
        log.error(
                "Session {} is driven by another client now; {} event(s) of this client are not saved: {}",
                sessionId,
                events + dropped,
                why.getMessage());
        client.reportStoreFailure(new StoreFailure(sessionId, StoreFailure.Kind.EVENTS_LOST, events + dropped, why));
        unsaved.clear();
        toPersist.clear();
        dropped = 0;
        needsReconcile = false;
        storeFailing = false;
    }

    /** Asks the runtime for the session's history; false if there is no usable connection. */
    @SuppressWarnings("FutureReturnValueIgnored") // finishReconcile handles both outcomes on the persistence executor
    private boolean startReconcile() {
        JsonRpcConnection conn;
        try {
            conn = client.requireConnected();
        } catch (RuntimeException ex) {
            return false;
        }
        reconcileInFlight = true;
        droppedBeforeReconcile = dropped;
        conn.request("session.getMessages", CopilotClient.params(sessionId), client.requestTimeout())
                .whenComplete((r, err) -> persistence.execute(() -> finishReconcile(r, err)));
        return true;
    }

    private void finishReconcile(JsonNode result, Throwable err) {
        reconcileInFlight = false;
        needsReconcile = false;
        if (err != null) {
            Throwable cause = CopilotClient.unwrapQuietly(err);
            if (dropped > 0) {
                log.error(
                        "Could not read the runtime's history of session {} to fill in {} event(s) missing from the store: {}",
                        sessionId,
                        dropped,
                        cause.toString());
            } else {
                log.warn(
                        "Could not read the runtime's history of session {} to check the store is complete: {}",
                        sessionId,
                        cause.toString());
            }
            client.reportStoreFailure(
                    new StoreFailure(sessionId, StoreFailure.Kind.RECONCILE, unsaved.size() + dropped, cause));
            dropped = 0;
        } else {
            List<NewEvent> history = new ArrayList<>();
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (JsonNode raw : result.path("events")) {
                SessionEvent ev = EventParser.parse(sessionId, raw);
                if (ev != null && !ev.ephemeral() && !ev.id().isEmpty() && ids.add(ev.id())) {
                    history.add(toNewEvent(ev));
                }
            }
            List<NewEvent> merged = new ArrayList<>(history);
            for (NewEvent u : unsaved) {
                if (ids.add(u.eventId())) {
                    merged.add(u);
                }
            }
            unsaved.clear();
            unsaved.addAll(merged);
            if (droppedBeforeReconcile > 0) {
                log.info(
                        "Filling in {} event(s) of session {} from the runtime's history",
                        droppedBeforeReconcile,
                        sessionId);
            }
            // Events given up after the history was asked for may be missing from it: read it again.
            dropped -= droppedBeforeReconcile;
            needsReconcile = dropped > 0;
        }
        droppedBeforeReconcile = 0;
        publishUnsavedCount();
        persistQueued();
    }

    private void publishUnsavedCount() {
        unsavedCount = unsaved.size() + dropped;
    }

    private void summarize(List<StoredEvent> stored) {
        SessionRecord r = record;
        if (r != null && r.summary() == null) {
            for (StoredEvent se : stored) {
                if ("user.message".equals(se.type())) {
                    String content = fromStored(se)
                            .as(UserMessage.class)
                            .map(UserMessage::content)
                            .orElse(null);
                    if (content != null) {
                        updateRecord(
                                rec -> rec.summary() == null ? rec.withSummary(truncate(content, 120)) : rec, false);
                    }
                    break;
                }
            }
        }
    }

    private static NewEvent toNewEvent(SessionEvent e) {
        return new NewEvent(
                e.id(),
                e.type(),
                e.timestamp(),
                e.parentId(),
                e.agentId(),
                e.data().toString());
    }

    /** For a resumed session: hold appends until resumed, then check the store against the runtime's history. */
    void expectResume() {
        awaitingResume = true;
        needsReconcile = true;
    }

    /** session.resume was answered (or failed: then nothing more happens to this session). */
    void resumed() {
        awaitingResume = false;
        persistence.execute(this::persistQueued);
    }

    @SuppressWarnings(
            "FutureReturnValueIgnored") // a one-shot retry, never cancelled; it only hands on to the persistence
    // executor
    private void scheduleRetry() {
        if (retryScheduled || client.state() == ClientState.CLOSED) {
            return; // a closed client reports what is unsaved and stops
        }
        retryScheduled = true;
        client.internalExecutor()
                .schedule(
                        () -> persistence.execute(() -> {
                            retryScheduled = false;
                            if (client.state() != ClientState.CLOSED) {
                                persistQueued();
                            }
                        }),
                        Duration.ofSeconds(1));
    }

    private void markDetachedInStore() {
        if (client.storeClosed()) {
            return;
        }
        persistQueued();
        updateRecord(r -> r.withStatus(SessionStatus.DETACHED), false);
    }

    private void updateRecord(java.util.function.UnaryOperator<SessionRecord> change, boolean quietIfMissing) {
        SessionStore store = client.store();
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                SessionRecord current = store.find(sessionId).orElse(null);
                if (current == null) {
                    return;
                }
                SessionRecord changed = change.apply(current);
                if (changed.equals(current)) {
                    record = current;
                    return;
                }
                record = store.update(changed);
                return;
            } catch (SessionStoreException.StaleVersion stale) {
                // someone else updated it; re-read and retry
            } catch (RuntimeException ex) {
                if (!quietIfMissing) {
                    log.warn("Could not update session {} in the store: {}", sessionId, ex.toString());
                    client.reportStoreFailure(
                            new StoreFailure(sessionId, StoreFailure.Kind.UPDATE_RECORD, unsavedEventCount(), ex));
                }
                return;
            }
        }
    }

    /** Waits (bounded) until every event received so far has been handed to the store (and a reconciliation in flight is done). */
    void flushStore(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                CountDownLatch latch = new CountDownLatch(1);
                AtomicBoolean reconciling = new AtomicBoolean();
                persistence.execute(() -> {
                    persistQueued();
                    reconciling.set(reconcileInFlight || awaitingResume);
                    latch.countDown();
                });
                long left = end - System.nanoTime();
                if (!latch.await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    log.warn("Session {}: the store did not catch up within {} ms", sessionId, timeout.toMillis());
                    return;
                }
                if (!reconciling.get() || System.nanoTime() > end) {
                    return;
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ wire

    ObjectNode wireParams(boolean resume) {
        ObjectNode p = CopilotClient.params(sessionId);
        if (config.model() != null) {
            p.put("model", config.model());
        }
        p.put("clientName", client.clientName());
        p.put("streaming", config.streaming());
        if (config.workingDirectory() != null) {
            p.put("workingDirectory", config.workingDirectory());
        }
        if (config.systemMessage() != null) {
            ObjectNode sm = p.putObject("systemMessage");
            sm.put("mode", config.replaceSystemMessage() ? "replace" : "append");
            sm.put("content", config.systemMessage());
        }
        if (config.reasoningEffort() != null) {
            p.put("reasoningEffort", config.reasoningEffort());
        }
        if (!config.tools().isEmpty()) {
            ArrayNode tools = p.putArray("tools");
            for (ToolDefinition t : config.tools()) {
                ObjectNode o = tools.addObject();
                o.put("name", t.name());
                o.put("description", t.description());
                o.set("parameters", t.parameters());
                if (t.skipPermission()) {
                    o.put("skipPermission", true);
                }
            }
        }
        if (!config.availableTools().isEmpty()) {
            ArrayNode a = p.putArray("availableTools");
            config.availableTools().forEach(a::add);
        }
        if (!config.excludedTools().isEmpty()) {
            ArrayNode a = p.putArray("excludedTools");
            config.excludedTools().forEach(a::add);
        }
        p.put("toolFilterPrecedence", "excluded");
        p.put("envValueMode", "direct");
        p.put("requestPermission", config.permissionHandler() != null);
        for (Map.Entry<String, Object> x : config.extraParams().entrySet()) {
            p.set(x.getKey(), Json.MAPPER.valueToTree(x.getValue()));
        }
        return p;
    }

    private static String truncate(String s, int max) {
        String oneLine = s.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
    }

    /** Completes a sendAndWait when the session goes idle after the prompt's own user.message. */
    private final class TurnWaiter {
        final CompletableFuture<AssistantMessage> future = new CompletableFuture<>();
        private final String prompt;
        private final List<SessionEvent> seen = new ArrayList<>();
        private String messageId;
        private boolean sent;

        TurnWaiter(String prompt) {
            this.prompt = prompt;
        }

        synchronized void sent(String id) {
            this.messageId = id;
            this.sent = true;
            evaluate();
        }

        synchronized void onEvent(SessionEvent e) {
            if (future.isDone()) {
                return;
            }
            switch (e.type()) {
                case "user.message", "assistant.message", "session.idle", "session.error" -> {
                    seen.add(e);
                    evaluate();
                }
                default -> {}
            }
        }

        void fail(RuntimeException reason) {
            future.completeExceptionally(reason);
        }

        private void evaluate() {
            if (!sent) {
                // A session.error before the send was even accepted still ends the wait.
                for (SessionEvent e : seen) {
                    if (e.payload() instanceof SessionError err) {
                        future.completeExceptionally(new SessionErrorException(sessionId, err));
                        return;
                    }
                }
                return;
            }
            boolean armed = false;
            AssistantMessage last = null;
            for (SessionEvent e : seen) {
                EventPayload p = e.payload();
                if (p instanceof SessionError err) {
                    future.completeExceptionally(new SessionErrorException(sessionId, err));
                    return;
                }
                if (p instanceof UserMessage um) {
                    if ((messageId != null && messageId.equals(um.messageId()))
                            || (um.messageId() == null && prompt.equals(um.content()))
                            || messageId == null) {
                        armed = true;
                        last = null;
                    }
                } else if (armed && p instanceof AssistantMessage am) {
                    if (am.originatingMessageId() == null
                            || messageId == null
                            || messageId.equals(am.originatingMessageId())) {
                        last = am;
                    }
                } else if (armed && p instanceof SessionIdle) {
                    future.complete(last);
                    return;
                }
            }
        }
    }
}
