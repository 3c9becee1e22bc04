package io.github.copilot4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.internal.Executors2;
import io.github.copilot4j.internal.InternalExecutor;
import io.github.copilot4j.internal.Validation;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.internal.observe.SafeObserver;
import io.github.copilot4j.internal.rpc.FrameReader;
import io.github.copilot4j.internal.rpc.JsonRpcConnection;
import io.github.copilot4j.internal.sessionfs.LeaseKeeper;
import io.github.copilot4j.internal.sessionfs.SessionFsProvider;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import io.github.copilot4j.spi.TransportProvider;
import io.github.copilot4j.store.InMemorySessionStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of one Copilot runtime (the CLI's JSON-RPC server), driving any number of independent
 * sessions over one connection, and recording them in a {@link SessionStore}.
 *
 * <pre>{@code
 * try (CopilotClient client = CopilotClient.builder().transport(StdioTransport.builder().build()).build()) {
 *     client.start();
 *     CopilotSession s = client.createSession(SessionConfig.builder().model("gpt-5").build());
 *     System.out.println(s.sendAndWait("Hello").content());
 * }
 * }</pre>
 *
 * <p>Threading:
 *
 * <ul>
 *   <li>All public methods are thread-safe. Blocking methods wait at most their timeout; each has
 *       an {@code ...Async} variant returning a {@link CompletableFuture}.
 *   <li>One reader thread per connection only parses frames and routes them.
 *   <li>User code runs only on the callback executor: listeners, tool and permission handlers,
 *       and whatever is chained to the futures that the {@code ...Async} methods return (they
 *       complete there).
 *   <li>Session events are delivered to listeners per session, in order, on the callback executor:
 *       a slow listener delays only its own session. Store writes run per session on the store
 *       executor ({@code copilot4j-store}), so a slow store does not delay listeners either.
 *   <li>The client's own work never waits for the callback executor: request completions and the
 *       library's continuations run on a small internal pool ({@code copilot4j-internal}), every
 *       timeout (requests, {@code sendAndWait}, handler deadlines, store retries) fires on one
 *       timer thread ({@code copilot4j-timer}). So {@link #ping()}, {@link #createSession}, other
 *       calls and {@code sendAndWait} timeouts stay prompt even while every callback thread is
 *       blocked.
 *   <li>Tool and permission handlers run on the callback executor, at most {@link
 *       Builder#maxConcurrentHandlersPerSession} (8) of one session at a time; further requests of
 *       that session wait in order. Each has a deadline ({@link Builder#handlerTimeout}, 5 minutes)
 *       from the runtime's request: past it the runtime is answered with a failed tool call (or
 *       {@code user-not-available} for a permission), the handler's thread is interrupted and its
 *       late result dropped.
 *   <li>In session filesystem mode ({@link Builder#sessionFs}) the runtime's {@code sessionFs.*}
 *       requests are answered concurrently on their own pool ({@code copilot4j-sessionfs}; the
 *       state store is called there).
 *   <li>One driver per session: the client holds a lease on every session it drives, taken on
 *       create/resume/delete (on the calling thread), renewed by one daemon thread per client
 *       ({@code copilot4j-lease-renewer}), and given back on close/detach/delete (a dead process's
 *       leases expire). With sessionFs the lease lives in the session state store; otherwise it is
 *       the session store's claim ({@link SessionStore#claimSession}), whose fencing token every
 *       append of the session carries.
 *   <li>Observers ({@link Builder#observer}) are called on the threads {@link ClientObserver} names
 *       per method; one that throws is logged and ignored.
 *   <li>All of the client's threads are daemons, stopped by {@link #close()}; the client shuts down
 *       only executors it created.
 * </ul>
 *
 * <p>Thread policy of the default callback executor: on JDK 21+ it starts a virtual thread per
 * task, so blocked handlers hold no platform thread and cannot starve anything. On JDK 17 it is a
 * pool of 32 daemon threads shared by all sessions: one session takes at most 8 of them for its
 * handlers, so it cannot take them all, but four sessions whose handlers all block can; then
 * listeners and handlers of every session wait for a thread (the client itself goes on, and the
 * handler deadline still answers the runtime). If handlers may block for long on JDK 17, supply a
 * larger pool ({@link Builder#callbackExecutor}), lower {@link Builder#handlerTimeout}, or make the
 * handlers stop when interrupted.
 */
public final class CopilotClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CopilotClient.class);

    /** Protocol versions this client speaks. */
    public static final int MIN_PROTOCOL_VERSION = 3;
    /** The highest runtime protocol version this client speaks. */
    public static final int MAX_PROTOCOL_VERSION = 3;
    /** How long a reconnect waits for the last connection's teardown (its transport may take 2 s to say why it ended). */
    private static final Duration TEARDOWN_WAIT = Duration.ofSeconds(10);

    private final Transport transport;
    private final SessionStore store;
    private final ExecutorService callbackExecutor;
    private final RuntimeCore core;
    private final boolean ownsCallbackExecutor;
    private final ExecutorService storeExecutor;
    /** The store executor for continuations of requests: on the completing thread once it is shut down. */
    private final Executor storeContinuations;
    /** Timers and request completions: the library's own threads, never the callback executor. */
    private final InternalExecutor internal;
    /** Answers the runtime's sessionFs requests (store work) in session filesystem mode, else null. */
    private final ExecutorService sessionFsExecutor;

    private final Duration handlerTimeout;
    private final int maxConcurrentHandlersPerSession;
    private final Duration requestTimeout;
    private final Duration startTimeout;
    private final Duration closeTimeout;
    private final int maxFrameBytes;
    private final String clientName;
    private final Clock clock;
    private final Consumer<StoreFailure> storeFailureHandler;
    private final int maxUnsavedEvents;
    /** The user's observers (metrics, tracing), never throwing. */
    private final SafeObserver observer;
    /** Whether start() ever connected: the next connect is a reconnect. */
    private volatile boolean everConnected;

    private final Object stateLock = new Object();
    private volatile ClientState state = ClientState.NEW;
    private volatile JsonRpcConnection connection;
    /** Routes the current (or last) connection; a reconnect waits until it has torn the last one down. */
    private volatile Router router;

    private volatile boolean storeClosed;
    /** Whether the current connection's runtime was spawned for this client (only then is it shut down at close). */
    private volatile boolean ownsRuntime;

    private volatile String runtimeVersion;
    private volatile int protocolVersion;
    private final Map<String, CopilotSession> sessions = new ConcurrentHashMap<>();
    /** Session filesystem mode (null when off): the runtime's per-session state lives in this store. */
    private final SessionStateStore stateStore;

    private final SessionFsOptions sessionFsOptions;
    /** One driver per session: leases in the state store (sessionFs mode) or claims in the session store. */
    private final LeaseKeeper leases;

    private final SessionFsProvider sessionFs;

    private CopilotClient(Builder b) {
        this.transport = b.transport;
        this.store = b.store != null ? b.store : new InMemorySessionStore();
        if (b.callbackExecutor != null) {
            this.callbackExecutor = b.callbackExecutor;
            this.ownsCallbackExecutor = false;
        } else {
            this.callbackExecutor = Executors2.defaultExecutor("copilot4j-callback", 32);
            this.ownsCallbackExecutor = true;
        }
        this.storeExecutor = Executors2.defaultExecutor("copilot4j-store", 8);
        this.storeContinuations = task -> {
            try {
                storeExecutor.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        };
        this.internal = new InternalExecutor(4);
        this.handlerTimeout = b.handlerTimeout;
        this.maxConcurrentHandlersPerSession = b.maxConcurrentHandlersPerSession;
        this.requestTimeout = b.requestTimeout;
        this.startTimeout = b.startTimeout;
        this.closeTimeout = b.closeTimeout;
        this.maxFrameBytes = b.maxFrameBytes;
        this.clientName = b.clientName;
        this.clock = b.clock;
        this.stateStore = b.stateStore;
        this.sessionFsOptions = b.sessionFsOptions;
        if (stateStore != null) {
            // The state-store lease is the one driver claim: the session store's claims stay unused.
            this.leases = new LeaseKeeper(
                    LeaseKeeper.backend(stateStore),
                    new LeaseKeeper.Settings(
                            sessionFsOptions.holderId(),
                            sessionFsOptions.leaseDuration(),
                            sessionFsOptions.leaseRenewInterval(),
                            sessionFsOptions.leaseWait()),
                    this::leaseLost);
            this.sessionFsExecutor = Executors2.defaultExecutor("copilot4j-sessionfs", 16);
            this.sessionFs = new SessionFsProvider(stateStore, sessionFsOptions, leases, sessionFsExecutor);
        } else {
            SessionLeaseOptions o = b.leaseOptions != null ? b.leaseOptions : SessionLeaseOptions.defaults();
            this.leases = new LeaseKeeper(
                    LeaseKeeper.backend(store),
                    new LeaseKeeper.Settings(o.holderId(), o.leaseDuration(), o.leaseRenewInterval(), o.leaseWait()),
                    this::leaseLost);
            this.sessionFsExecutor = null;
            this.sessionFs = null;
        }
        this.storeFailureHandler = b.storeFailureHandler;
        this.maxUnsavedEvents = b.maxUnsavedEvents;
        this.core = new RuntimeCore(this::requireConnected, requestTimeout, callbackExecutor);
        this.observer = new SafeObserver(b.observers);
    }

    /** A builder for a client; a transport is required. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Opens the transport and shakes hands with the runtime. Also reconnects a client whose
     * connection died ({@link ClientState#DISCONNECTED}); sessions must then be resumed.
     *
     * @throws ConnectionClosedException if the runtime died during start (with its exit code and stderr tail)
     * @throws AuthenticationException if the runtime refused the connection token
     * @throws ProtocolException if the runtime speaks an unsupported protocol version
     * @throws CopilotTimeoutException if the handshake took longer than the start timeout
     */
    public void start() {
        synchronized (stateLock) {
            switch (state) {
                case CONNECTED:
                    return;
                case CLOSED:
                    throw new IllegalStateException("this CopilotClient is closed; build a new one");
                case CONNECTING:
                    throw new IllegalStateException("start() is already running on another thread");
                default:
                    break;
            }
            state = ClientState.CONNECTING;
        }
        TransportChannel channel = null;
        JsonRpcConnection conn = null;
        try {
            awaitTeardown(router);
            try {
                channel = transport.open();
            } catch (IOException e) {
                throw new ConnectionClosedException(
                        "Could not open " + transport.describe() + ": " + e.getMessage(), e);
            }
            if (sessionFs != null && !channel.ownsRuntime()) {
                throw new IllegalStateException(
                        "The session filesystem option needs a Copilot runtime that this client starts itself,"
                                + " but " + transport.describe()
                                + " is an external, shared server: a runtime that served a session"
                                + " filesystem is unusable after that connection drops (for every client). Use a transport that spawns"
                                + " the CLI (StdioTransport, or TcpTransport.spawn()), or turn sessionFs off for this client");
            }
            Router routes = new Router();
            conn = new JsonRpcConnection(channel, routes, internal, maxFrameBytes, Duration.ofSeconds(2));
            routes.served = conn;
            this.router = routes;
            if (!observer.isEmpty()) {
                conn.requestListener(observer::rpcCompleted);
            }
            this.connection = conn;
            this.ownsRuntime = channel.ownsRuntime();
            conn.start();
            handshake(conn, channel);
            if (sessionFs != null) {
                registerSessionFs(conn);
            }
            synchronized (stateLock) {
                if (state == ClientState.CLOSED) {
                    conn.close("the client was closed during start", Duration.ofSeconds(1));
                    throw new IllegalStateException("the client was closed during start()");
                }
                if (!conn.isOpen()) {
                    state = ClientState.DISCONNECTED;
                    throw conn.closeReason();
                }
                state = ClientState.CONNECTED;
                routes.established = true;
            }
            observer.connected(this, everConnected);
            everConnected = true;
            log.info(
                    "Connected to Copilot runtime {} (protocol {}) via {}",
                    runtimeVersion,
                    protocolVersion,
                    transport.describe());
        } catch (RuntimeException e) {
            if (conn != null) {
                conn.close("start failed", Duration.ofSeconds(2));
            } else if (channel != null) {
                channel.close(Duration.ofSeconds(2));
            }
            synchronized (stateLock) {
                if (state != ClientState.CLOSED) {
                    state = ClientState.DISCONNECTED;
                }
            }
            throw e;
        }
    }

    /**
     * Before a reconnect: the last connection's teardown (failing its sessions, releasing their
     * leases) must be over, or it would hit the sessions of the new one. It runs right after the
     * state left CONNECTED, bounded by how long the transport may take to say why it ended.
     */
    private static void awaitTeardown(Router last) {
        if (last == null || !last.established) {
            return;
        }
        try {
            if (!last.tornDown.await(TEARDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(
                        "The last connection was not torn down within {} ms; reconnecting anyway",
                        TEARDOWN_WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CopilotException("interrupted while waiting for the last connection to be torn down", e);
        }
    }

    private void handshake(JsonRpcConnection conn, TransportChannel channel) {
        ObjectNode params = Json.object();
        channel.connectionToken().ifPresent(t -> params.put("token", t));
        JsonNode result;
        try {
            result = await(conn.request("connect", params, startTimeout), startTimeout, "the connect handshake");
        } catch (RpcException e) {
            if (e.code() == RpcException.AUTHENTICATION_FAILED || e.code() == RpcException.AUTHENTICATION_REQUIRED) {
                throw new AuthenticationException(
                        "The Copilot runtime at " + transport.describe()
                                + " refused the connection token (" + e.rpcMessage()
                                + "); check the token the server was started with"
                                + " (COPILOT_CONNECTION_TOKEN)",
                        e);
            }
            if (e.code() == RpcException.METHOD_NOT_FOUND || e.rpcMessage().contains("Unhandled method connect")) {
                result = await(conn.request("ping", Json.object(), startTimeout), startTimeout, "the ping handshake");
            } else {
                throw e;
            }
        } catch (CopilotTimeoutException e) {
            throw new CopilotTimeoutException("The Copilot runtime (" + transport.describe()
                    + ") did not answer the handshake within " + startTimeout.toMillis()
                    + " ms; is it a Copilot CLI started with --headless? (raise startTimeout if it is just slow)");
        }
        JsonNode pv = result.get("protocolVersion");
        if (pv == null || !pv.canConvertToInt()) {
            throw new ProtocolException(
                    "The Copilot runtime did not report a protocol version; this client needs version "
                            + MIN_PROTOCOL_VERSION + "-" + MAX_PROTOCOL_VERSION + "; upgrade the Copilot CLI");
        }
        int v = pv.asInt();
        if (v < MIN_PROTOCOL_VERSION || v > MAX_PROTOCOL_VERSION) {
            throw new ProtocolException(
                    "The Copilot runtime speaks protocol version " + v + " but this client supports "
                            + MIN_PROTOCOL_VERSION + "-" + MAX_PROTOCOL_VERSION + "; "
                            + (v < MIN_PROTOCOL_VERSION ? "upgrade the Copilot CLI" : "upgrade copilot4j"));
        }
        this.protocolVersion = v;
        this.runtimeVersion = Json.text(result, "version");
    }

    /** Makes this client the runtime's session filesystem: before any session exists on the connection. */
    private void registerSessionFs(JsonRpcConnection conn) {
        JsonNode r;
        try {
            r = await(
                    conn.request("sessionFs.setProvider", sessionFs.setProviderParams(), startTimeout),
                    startTimeout,
                    "sessionFs.setProvider");
        } catch (RpcException e) {
            throw new RpcException(
                    e.method(),
                    e.code(),
                    "The Copilot runtime (" + transport.describe() + ") refused this client as its"
                            + " session filesystem (" + e.rpcMessage()
                            + "); it needs a fresh runtime with no sessions and no other provider"
                            + " (Copilot CLI 1.0.102 or later)");
        }
        if (r != null && r.has("success") && !r.path("success").asBoolean()) {
            throw new ProtocolException(
                    "The Copilot runtime (" + transport.describe() + ") answered sessionFs.setProvider with " + r
                            + "; it cannot use this client as its session filesystem");
        }
        log.debug("Registered as the session filesystem (state path {})", sessionFsOptions.sessionStatePath());
    }

    /** Called when the store refused a lease this client held: the session cannot persist any more. */
    private void leaseLost(String sessionId, SessionLeaseException why) {
        observer.leaseRefused(sessionId, why);
        CopilotSession s = sessions.get(sessionId);
        if (s != null) {
            s.failWaiters(why);
        }
    }

    /** Session filesystem mode: the runtime's local conversation database stays off (no conversation text on its disk). */
    private ObjectNode sessionParams(CopilotSession session, boolean resume) {
        ObjectNode p = session.wireParams(resume);
        if (sessionFs != null) {
            p.put("enableSessionStore", false);
        }
        return p;
    }

    /** Takes the session's lease (state store or session store claim); undoes the registration if that fails. */
    private void acquireLease(String id, CopilotSession session) {
        try {
            leases.acquire(id);
        } catch (RuntimeException e) {
            sessions.remove(id, session);
            if (e instanceof SessionLeaseException refused) {
                observer.leaseRefused(id, refused);
            }
            throw e;
        }
    }

    /** Session filesystem mode: a new session must not inherit (or, if creation fails, delete) another one's state. */
    private void refuseExistingState(String id, CopilotSession session) {
        if (stateStore == null) {
            return;
        }
        boolean taken;
        try {
            taken = !stateStore.readdir(id, "/").isEmpty();
        } catch (RuntimeException e) {
            sessions.remove(id, session);
            afterDetach(id);
            throw e;
        }
        if (taken) {
            sessions.remove(id, session);
            afterDetach(id);
            throw new IllegalStateException(
                    "Session '" + id + "' already has runtime state in the session state store; use resumeSession(\""
                            + id + "\", config) to continue it, or deleteSession it first");
        }
    }

    /** After {@code session.destroy} of a session (or when it could not be sent): its lease goes back. */
    void afterDetach(String sessionId) {
        if (!sessions.containsKey(sessionId)) {
            leases.release(sessionId);
        }
    }

    /**
     * Appends a session's events to the session store, fenced by this client's claim on it (with
     * sessionFs the state store's lease fences instead, and the append is unfenced).
     *
     * @throws SessionLeaseException.Stale if another client took the session over; the lease is then marked lost
     */
    List<StoredEvent> appendFenced(String sessionId, List<NewEvent> events) {
        long token = sessionFs != null ? SessionStore.UNFENCED : leases.appendToken(sessionId);
        try {
            return store.append(sessionId, events, token);
        } catch (SessionLeaseException.Stale stale) {
            leases.markLost(sessionId, stale);
            throw stale;
        }
    }

    /** The store of the runtime's session state, when this client is its session filesystem. */
    public Optional<SessionStateStore> sessionStateStore() {
        return Optional.ofNullable(stateStore);
    }

    /** Current state. */
    public ClientState state() {
        return state;
    }

    /** The runtime's version as it reported in the handshake, or null before start. */
    public String runtimeVersion() {
        return runtimeVersion;
    }

    /** The negotiated protocol version, or 0 before start. */
    public int protocolVersion() {
        return protocolVersion;
    }

    /** The store this client records sessions in. */
    public SessionStore sessionStore() {
        return store;
    }

    /** Same as {@link #close()}. */
    public void stop() {
        close();
    }

    /**
     * Detaches every open session ({@code session.destroy}; their state is kept), writes what is
     * queued for the store (reporting what it could not), asks a runtime the client owns to shut
     * down (never a shared server it only connected to), ends the transport and fails whatever is
     * still pending. Returns within the close timeout; callbacks still running then (a blocked tool
     * handler) are interrupted. Idempotent; never throws.
     */
    @Override
    public void close() {
        JsonRpcConnection conn;
        synchronized (stateLock) {
            if (state == ClientState.CLOSED) {
                return;
            }
            state = ClientState.CLOSED;
            conn = connection;
        }
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        // Detaching removes sessions from the map: keep them for the flush below.
        List<CopilotSession> open = List.copyOf(sessions.values());
        if (conn != null && conn.isOpen()) {
            List<CompletableFuture<?>> destroys = new ArrayList<>();
            for (CopilotSession s : open) {
                destroys.add(s.detachAsync(remaining(deadline, 0.4), conn).exceptionally(e -> null));
            }
            awaitQuietly(CompletableFuture.allOf(destroys.toArray(CompletableFuture[]::new)), remaining(deadline, 0.4));
            if (conn.isOpen() && ownsRuntime) {
                // Never for a shared server (TCP connect mode): other clients use it.
                awaitQuietly(
                        conn.request("runtime.shutdown", Json.object(), remaining(deadline, 0.3)),
                        remaining(deadline, 0.3));
            }
        }
        for (CopilotSession s : open) {
            s.failWaiters(new ConnectionClosedException("the client was closed"));
            s.flushStore(remaining(deadline, 0.2));
            int unsaved = s.unsavedEventCount();
            if (unsaved > 0) {
                log.error(
                        "{} event(s) of session {} are not in the session store at close; resume the session later and the client "
                                + "fills them in from the runtime's history",
                        unsaved,
                        s.sessionId());
                reportStoreFailure(new StoreFailure(
                        s.sessionId(),
                        StoreFailure.Kind.EVENTS_LOST,
                        unsaved,
                        new SessionStoreException(unsaved + " event(s) unsaved when the client was closed")));
            }
        }
        // From here on the store is left alone: what is still unsaved was reported above.
        storeClosed = true;
        if (conn != null) {
            conn.close("the client was closed", remaining(deadline, 0.8));
        }
        sessions.clear();
        leases.close();
        storeExecutor.shutdown();
        if (ownsCallbackExecutor) {
            // Let queued deliveries finish within the close timeout, then interrupt handlers that are
            // still running (a tool handler blocked for good must not outlive the client).
            callbackExecutor.shutdown();
            try {
                if (!callbackExecutor.awaitTermination(remaining(deadline, 1.0).toMillis(), TimeUnit.MILLISECONDS)) {
                    List<Runnable> dropped = callbackExecutor.shutdownNow();
                    log.debug("Interrupted callbacks still running at close ({} queued ones dropped)", dropped.size());
                }
            } catch (InterruptedException e) {
                callbackExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (sessionFsExecutor != null) {
            sessionFsExecutor.shutdownNow();
        }
        internal.close(remaining(deadline, 1.0));
        log.debug("CopilotClient closed");
    }

    private static Duration remaining(long deadlineNanos, double fraction) {
        long left = deadlineNanos - System.nanoTime();
        return Duration.ofNanos(Math.max(50_000_000L, (long) (left * fraction)));
    }

    private static void awaitQuietly(CompletableFuture<?> f, Duration timeout) {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.debug("ignored during close: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ sessions

    /** Creates a session (blocking). See {@link #createSessionAsync}. */
    public CopilotSession createSession(SessionConfig config) {
        return join(startCreate(config), requestTimeout.plusSeconds(5), "session.create");
    }

    /**
     * Creates a session. The id is the config's, or a fresh UUID; the session is registered before
     * the request goes out (the runtime sends events for it right away) and recorded in the store.
     *
     * @throws IllegalArgumentException for a null config
     * @throws IllegalStateException if a session with that id is already open in this client, or
     *     the store already has it (resume it instead)
     */
    public CompletableFuture<CopilotSession> createSessionAsync(SessionConfig config) {
        return InternalExecutor.completeOn(callbackExecutor, startCreate(config));
    }

    /** createSessionAsync's work; the future completes on the library's threads (for blocking callers). */
    private CompletableFuture<CopilotSession> startCreate(SessionConfig config) {
        Validation.requireNonNull("config", config);
        JsonRpcConnection conn = requireConnected();
        String id = config.sessionId() != null
                ? config.sessionId()
                : UUID.randomUUID().toString();
        CopilotSession session = new CopilotSession(this, id, config, storeExecutor, callbackExecutor);
        if (sessions.putIfAbsent(id, session) != null) {
            throw new IllegalStateException("Session '" + id + "' is already open in this client");
        }
        acquireLease(id, session);
        refuseExistingState(id, session);
        Instant now = clock.instant();
        SessionRecord record = SessionRecord.newSession(id, config.owner(), config.model(), now)
                .withConfig(safeConfig(config))
                .withExpiresAt(config.timeToLive() == null ? null : now.plus(config.timeToLive()));
        try {
            session.setRecord(store.create(record));
        } catch (SessionStoreException.DuplicateSession e) {
            sessions.remove(id, session);
            afterDetach(id);
            throw new IllegalStateException(
                    "Session '" + id + "' already exists in the session store; use resumeSession(\"" + id
                            + "\", config) to continue it, or deleteSession it first",
                    e);
        } catch (IllegalArgumentException e) {
            sessions.remove(id, session);
            throw new IllegalArgumentException("The session store refuses session '" + id + "': " + e.getMessage(), e);
        } catch (RuntimeException e) {
            sessions.remove(id, session);
            afterDetach(id);
            throw new SessionStoreException(
                    "Could not record the new session '" + id + "' in the session store: " + e.getMessage(), e);
        }
        ObjectNode params = sessionParams(session, false);
        return conn.request("session.create", params, requestTimeout)
                .handleAsync(
                        (result, err) -> {
                            if (err != null) {
                                sessions.remove(id, session);
                                deleteFromStoreQuietly(id);
                                deleteStateQuietly(id);
                                leases.release(id);
                                throw new CompletionException(
                                        describeSessionFailure("create", id, config, unwrap(err)));
                            }
                            session.setWorkspacePath(Json.text(result, "workspacePath"));
                            return session;
                        },
                        storeContinuations);
    }

    /** Resumes a session by id with a default config (blocking). */
    public CopilotSession resumeSession(String sessionId) {
        return resumeSession(sessionId, SessionConfig.builder().build());
    }

    /** Resumes a session (blocking). See {@link #resumeSessionAsync}. */
    public CopilotSession resumeSession(String sessionId, SessionConfig config) {
        return join(startResume(sessionId, config), requestTimeout.plusSeconds(5), "session.resume");
    }

    /**
     * Resumes an existing session: one this or another client created and closed, possibly in an
     * earlier process. The config's tools and handlers are re-sent (they are never persisted); its
     * {@code sessionId} must be null or equal to {@code sessionId}. The store record is created if
     * the store did not know the session, and marked active.
     */
    public CompletableFuture<CopilotSession> resumeSessionAsync(String sessionId, SessionConfig config) {
        return InternalExecutor.completeOn(callbackExecutor, startResume(sessionId, config));
    }

    /** resumeSessionAsync's work; the future completes on the library's threads (for blocking callers). */
    private CompletableFuture<CopilotSession> startResume(String sessionId, SessionConfig config) {
        Validation.requireText("sessionId", sessionId, SessionConfig.MAX_SESSION_ID_LENGTH);
        Validation.requireNonNull("config", config);
        if (config.sessionId() != null && !config.sessionId().equals(sessionId)) {
            throw new IllegalArgumentException("config.sessionId '" + config.sessionId()
                    + "' differs from the session to resume '" + sessionId + "'");
        }
        JsonRpcConnection conn = requireConnected();
        Optional<SessionRecord> existing;
        try {
            existing = store.find(sessionId);
        } catch (RuntimeException e) {
            log.warn("Could not read session '{}' from the store; resuming without it: {}", sessionId, e.toString());
            existing = Optional.empty();
        }
        if (config.owner() != null
                && existing.isPresent()
                && !config.owner().equals(existing.get().owner())) {
            // Owner isolation: to a caller scoped to one owner, another owner's session does not exist.
            throw new SessionNotFoundException(
                    "No session '" + sessionId + "' of owner '" + config.owner() + "' in the session store");
        }
        SessionConfig effective = config.toBuilder()
                .sessionId(sessionId)
                .owner(
                        config.owner() != null
                                ? config.owner()
                                : existing.map(SessionRecord::owner).orElse(null))
                .model(
                        config.model() != null
                                ? config.model()
                                : existing.map(SessionRecord::model).orElse(null))
                .build();
        CopilotSession session = new CopilotSession(this, sessionId, effective, storeExecutor, callbackExecutor);
        if (sessions.putIfAbsent(sessionId, session) != null) {
            throw new IllegalStateException("Session '" + sessionId + "' is already open in this client");
        }
        acquireLease(sessionId, session);
        Optional<SessionRecord> known = existing;
        session.expectResume();
        return conn.request("session.resume", sessionParams(session, true), requestTimeout)
                .handleAsync(
                        (result, err) -> {
                            if (err != null) {
                                sessions.remove(sessionId, session);
                                afterDetach(sessionId);
                                throw new CompletionException(
                                        describeSessionFailure("resume", sessionId, effective, unwrap(err)));
                            }
                            session.setWorkspacePath(Json.text(result, "workspacePath"));
                            session.setRecord(recordResumed(sessionId, effective, known.orElse(null)));
                            session.resumed();
                            return session;
                        },
                        storeContinuations);
    }

    private SessionRecord recordResumed(String id, SessionConfig config, SessionRecord existing) {
        Instant now = clock.instant();
        try {
            if (existing == null) {
                SessionRecord fresh = SessionRecord.newSession(id, config.owner(), config.model(), now)
                        .withConfig(safeConfig(config));
                try {
                    return store.create(fresh);
                } catch (SessionStoreException.DuplicateSession race) {
                    existing = store.find(id).orElseThrow();
                }
            }
            for (int attempt = 0; attempt < 5; attempt++) {
                SessionRecord r = attempt == 0 ? existing : store.find(id).orElseThrow();
                try {
                    return store.update(r.withStatus(io.github.copilot4j.spi.SessionStatus.ACTIVE)
                            .withModel(config.model() != null ? config.model() : r.model())
                            .withLastActivityAt(now.isAfter(r.lastActivityAt()) ? now : r.lastActivityAt()));
                } catch (SessionStoreException.StaleVersion stale) {
                    // another process touched it; re-read and retry
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not record resumed session '{}' in the store: {}", id, e.toString());
            reportStoreFailure(new StoreFailure(id, StoreFailure.Kind.UPDATE_RECORD, 0, e));
        }
        return existing;
    }

    private static Map<String, String> safeConfig(SessionConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        if (c.systemMessage() != null) {
            m.put("systemMessage", c.systemMessage());
            m.put("systemMessageMode", c.replaceSystemMessage() ? "replace" : "append");
        }
        m.put("streaming", Boolean.toString(c.streaming()));
        if (c.workingDirectory() != null) {
            m.put("workingDirectory", c.workingDirectory());
        }
        if (c.reasoningEffort() != null) {
            m.put("reasoningEffort", c.reasoningEffort());
        }
        if (!c.tools().isEmpty()) {
            m.put(
                    "tools",
                    String.join(",", c.tools().stream().map(t -> t.name()).toList()));
        }
        return m;
    }

    private CopilotException describeSessionFailure(
            String verb, String id, SessionConfig config, CopilotException cause) {
        if (cause instanceof RpcException rpc) {
            String msg = rpc.rpcMessage();
            String hint = "";
            if (config.model() != null && msg.toLowerCase(Locale.ROOT).contains("model")) {
                hint = "; check that model '" + config.model() + "' is available to this account (client.listModels())";
            } else if ("resume".equals(verb) && msg.toLowerCase(Locale.ROOT).contains("not found")) {
                hint =
                        "; the runtime has no state for it (was it deleted, or created on a runtime with another COPILOT_HOME?)";
            }
            return new RpcException(
                    rpc.method(), rpc.code(), "could not " + verb + " session '" + id + "': " + msg + hint);
        }
        return cause;
    }

    /** After a failed create: the state the runtime wrote for it goes too, and the lease. */
    private void deleteStateQuietly(String id) {
        if (stateStore == null) {
            return;
        }
        try {
            stateStore.deleteSession(id);
        } catch (RuntimeException e) {
            log.warn("Could not remove the state of session '{}' after a failed create: {}", id, e.toString());
        }
    }

    private void deleteFromStoreQuietly(String id) {
        try {
            store.delete(id);
        } catch (RuntimeException e) {
            log.warn("Could not remove session '{}' from the store after a failed create: {}", id, e.toString());
        }
    }

    /** The open session with this id in this client, if any. */
    public Optional<CopilotSession> session(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    /** Sessions open in this client. */
    public Collection<CopilotSession> openSessions() {
        return List.copyOf(sessions.values());
    }

    void forget(CopilotSession session) {
        sessions.remove(session.sessionId(), session);
    }

    /**
     * All sessions known to the store or the runtime, most recent activity first: the store's
     * records merged with the runtime's {@code session.list} (sessions made by other tools show
     * too), each marked with where it is known. Reads at most 10,000 from the store; use {@link
     * #listSessions(SessionQuery)} to page. In session filesystem mode only the store is asked (the
     * runtime's list does not see those sessions).
     */
    public List<SessionInfo> listSessions() {
        Map<String, SessionInfo> merged = new LinkedHashMap<>();
        SessionQuery q = SessionQuery.all().withLimit(SessionQuery.MAX_LIMIT);
        for (int pages = 0; pages < 10; pages++) {
            Page<SessionRecord> page = store.list(q);
            for (SessionRecord r : page.items()) {
                merged.put(r.sessionId(), info(r, EnumSet.of(SessionInfo.Source.STORE)));
            }
            Optional<SessionQuery> next = q.next(page);
            if (next.isEmpty()) {
                break;
            }
            q = next.get();
        }
        if (state == ClientState.CONNECTED && sessionFs == null) {
            JsonNode result = join(
                    requireConnected().request("session.list", Json.object(), requestTimeout),
                    requestTimeout,
                    "session.list");
            for (JsonNode s : result.path("sessions")) {
                String id = Json.text(s, "sessionId");
                if (id == null) {
                    continue;
                }
                SessionInfo fromStore = merged.get(id);
                Instant start = Json.instant(s, "startTime");
                Instant modified = Json.instant(s, "modifiedTime");
                String summary = Json.text(s, "summary");
                if (fromStore == null) {
                    merged.put(
                            id,
                            new SessionInfo(
                                    id, null, null, summary, start, modified, EnumSet.of(SessionInfo.Source.RUNTIME)));
                } else {
                    merged.put(
                            id,
                            new SessionInfo(
                                    id,
                                    fromStore.owner(),
                                    fromStore.model(),
                                    fromStore.summary() != null ? fromStore.summary() : summary,
                                    fromStore.createdAt(),
                                    latest(fromStore.lastActivityAt(), modified),
                                    EnumSet.allOf(SessionInfo.Source.class)));
                }
            }
        }
        List<SessionInfo> out = new ArrayList<>(merged.values());
        out.sort((a, b) -> {
            Instant x = a.lastActivityAt() == null ? Instant.EPOCH : a.lastActivityAt();
            Instant y = b.lastActivityAt() == null ? Instant.EPOCH : b.lastActivityAt();
            int c = y.compareTo(x);
            return c != 0 ? c : b.sessionId().compareTo(a.sessionId());
        });
        return out;
    }

    /** One page of the store's sessions (owner filter, activity order, keyset cursor). Needs no connection. */
    public Page<SessionInfo> listSessions(SessionQuery query) {
        Validation.requireNonNull("query", query);
        Page<SessionRecord> page = store.list(query);
        return new Page<>(
                page.items().stream()
                        .map(r -> info(r, EnumSet.of(SessionInfo.Source.STORE)))
                        .toList(),
                page.nextCursor());
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }

    private static SessionInfo info(SessionRecord r, Set<SessionInfo.Source> sources) {
        return new SessionInfo(
                r.sessionId(), r.owner(), r.model(), r.summary(), r.createdAt(), r.lastActivityAt(), sources);
    }

    /**
     * Erases a session of {@code owner} everywhere, as {@link #deleteSession(String)}; a session of
     * another owner (or one the store does not know) is not touched and reads as not found.
     *
     * @throws SessionNotFoundException if the store has no session with that id for that owner
     */
    public void deleteSession(String sessionId, String owner) {
        Validation.requireText("sessionId", sessionId, SessionConfig.MAX_SESSION_ID_LENGTH);
        Validation.requireText("owner", owner, 256);
        if (store.find(sessionId, owner).isEmpty()) {
            throw new SessionNotFoundException("Cannot delete session '" + sessionId
                    + "': the session store has no session with that id" + " of owner '" + owner + "'");
        }
        deleteSession(sessionId);
    }

    /**
     * Erases a session everywhere: closes it if open here, deletes it in the runtime ({@code
     * session.delete}) and removes it and its history from the store. It takes the session's
     * lease for that, so a session another client drives is refused ({@link
     * SessionLeaseException.Held}, nothing is deleted).
     *
     * @throws SessionNotFoundException if neither the runtime nor the store knew it
     * @throws SessionLeaseException.Held if another client drives the session
     */
    public void deleteSession(String sessionId) {
        Validation.requireText("sessionId", sessionId, SessionConfig.MAX_SESSION_ID_LENGTH);
        if (sessionFs != null) {
            deleteSessionFsSession(sessionId);
            return;
        }
        leases.acquire(sessionId);
        try {
            deleteClaimed(sessionId);
        } finally {
            leases.release(sessionId);
        }
    }

    private void deleteClaimed(String sessionId) {
        CopilotSession open = sessions.remove(sessionId);
        if (open != null) {
            open.markDeleted();
        }
        boolean runtimeDeleted = false;
        String runtimeError = null;
        if (state == ClientState.CONNECTED) {
            try {
                JsonNode r = join(
                        requireConnected().request("session.delete", params(sessionId), requestTimeout),
                        requestTimeout,
                        "session.delete");
                runtimeDeleted = r.path("success").asBoolean(false);
                if (!runtimeDeleted) {
                    runtimeError = Json.text(r, "error");
                }
            } catch (RpcException e) {
                runtimeError = e.rpcMessage();
            }
        }
        boolean storeDeleted = store.delete(sessionId);
        if (!runtimeDeleted && !storeDeleted) {
            throw new SessionNotFoundException(
                    "Cannot delete session '" + sessionId + "': neither the runtime nor the session store has it"
                            + (runtimeError == null ? "" : " (runtime said: " + runtimeError + ")"));
        }
        log.debug("Deleted session {} (runtime: {}, store: {})", sessionId, runtimeDeleted, storeDeleted);
    }

    /**
     * Session filesystem mode: the runtime neither lists nor deletes these sessions, so an open one
     * is detached first ({@code session.destroy}, which still writes through this client), then
     * its state, lease, record and history go from the stores. A session another client drives
     * is refused ({@link SessionLeaseException.Held}).
     */
    private void deleteSessionFsSession(String sessionId) {
        CopilotSession open = sessions.get(sessionId);
        if (open != null) {
            open.close();
        }
        leases.acquire(sessionId);
        boolean stateDeleted;
        try {
            stateDeleted = stateStore.deleteSession(sessionId);
        } finally {
            leases.release(sessionId);
        }
        boolean storeDeleted = store.delete(sessionId);
        if (!stateDeleted && !storeDeleted) {
            throw new SessionNotFoundException("Cannot delete session '" + sessionId
                    + "': neither the session store nor the session" + " state store has it");
        }
        log.debug("Deleted session {} (state: {}, store: {})", sessionId, stateDeleted, storeDeleted);
    }

    /** Models the runtime offers. */
    public List<ModelInfo> listModels() {
        JsonNode r = join(
                requireConnected().request("models.list", Json.object(), requestTimeout),
                requestTimeout,
                "models.list");
        List<ModelInfo> out = new ArrayList<>();
        for (JsonNode m : r.path("models")) {
            out.add(new ModelInfo(Json.text(m, "id"), Json.text(m, "name"), m));
        }
        return out;
    }

    /** The runtime's server methods, typed from its schema (see {@link io.github.copilot4j.rpc.ServerRpc}); needs a started client. */
    public io.github.copilot4j.rpc.ServerRpc rpc() {
        return new io.github.copilot4j.rpc.ServerRpc(
                new io.github.copilot4j.internal.rpc.ConnectionCaller(this::requireConnected, requestTimeout));
    }

    /** The runtime's core methods its schema does not hold (status, auth, foreground, metadata, lifecycle). */
    public RuntimeCore core() {
        return core;
    }

    /** Pings the runtime (a health check). */
    public PingResponse ping() {
        JsonNode r = join(requireConnected().request("ping", Json.object(), requestTimeout), requestTimeout, "ping");
        return new PingResponse(
                Json.text(r, "message"),
                Json.instant(r, "timestamp"),
                r.path("protocolVersion").asInt(0));
    }

    // ------------------------------------------------------------------ internals used by sessions

    JsonRpcConnection requireConnected() {
        ClientState s = state;
        JsonRpcConnection conn = connection;
        if (s == ClientState.CONNECTED && conn != null && conn.isOpen()) {
            return conn;
        }
        switch (s) {
            case NEW:
                throw new IllegalStateException("the client is not started; call start() first");
            case CLOSED:
                throw new IllegalStateException("the client is closed");
            case CONNECTING:
                throw new IllegalStateException("the client is still starting");
            default:
                ConnectionClosedException why = conn == null ? null : conn.closeReason();
                throw new ConnectionClosedException(
                        "the client is disconnected from the Copilot runtime"
                                + (why == null ? "" : ": " + why.getMessage())
                                + "; call start() to reconnect, then resume the sessions",
                        why);
        }
    }

    SessionStore store() {
        return store;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    /** The library's own threads: timers and completions. */
    InternalExecutor internalExecutor() {
        return internal;
    }

    Duration handlerTimeout() {
        return handlerTimeout;
    }

    int maxConcurrentHandlersPerSession() {
        return maxConcurrentHandlersPerSession;
    }

    Clock clock() {
        return clock;
    }

    int maxUnsavedEvents() {
        return maxUnsavedEvents;
    }

    /** True once close() has flushed the sessions: no more store writes. */
    boolean storeClosed() {
        return storeClosed;
    }

    String clientName() {
        return clientName;
    }

    SafeObserver observer() {
        return observer;
    }

    /** The transport this client connects with (its {@link Transport#describe()} names the kind, e.g. {@code stdio:...}). */
    public Transport transport() {
        return transport;
    }

    static ObjectNode params(String sessionId) {
        ObjectNode p = Json.object();
        p.put("sessionId", sessionId);
        return p;
    }

    /** Tells the user's store-failure handler, if any (never throws). */
    void reportStoreFailure(StoreFailure failure) {
        observer.storeFailure(failure);
        if (storeFailureHandler == null) {
            return;
        }
        try {
            storeFailureHandler.accept(failure);
        } catch (RuntimeException e) {
            log.warn("The store failure handler failed on {}", failure.kind(), e);
        }
    }

    static Throwable unwrapQuietly(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    static CopilotException unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof CopilotException ce) {
            return ce;
        }
        if (c instanceof IllegalArgumentException || c instanceof IllegalStateException) {
            throw (RuntimeException) c;
        }
        return new CopilotException(c.toString(), c);
    }

    static <T> T join(CompletableFuture<T> f, Duration timeout, String what) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CopilotException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (TimeoutException e) {
            throw new CopilotTimeoutException("No answer to " + what + " within " + timeout.toMillis() + " ms");
        }
    }

    static <T> T await(CompletableFuture<T> f, Duration timeout, String what) {
        return join(f, timeout.plusSeconds(1), what);
    }

    // ------------------------------------------------------------------ routing (reader thread)

    /** Routes what the runtime sends. Runs on the reader thread: only parses and hands off. */
    private final class Router implements JsonRpcConnection.Handler {
        /** The connection this router serves (set before it starts reading). */
        volatile JsonRpcConnection served;
        /** Set once the client was CONNECTED over it: only then has a teardown something to do. */
        volatile boolean established;
        /** Whether that connection was lost while the client was connected (not closed by the client). */
        private volatile boolean lostWhileConnected;
        /** Counted down once {@link #onClosed} has torn the connection down. */
        final CountDownLatch tornDown = new CountDownLatch(1);

        /** The connection's end was seen: leave CONNECTED before anything waiting on it is failed. */
        @Override
        public void onEnding() {
            synchronized (stateLock) {
                if (state == ClientState.CONNECTED && CopilotClient.this.connection == served) {
                    state = ClientState.DISCONNECTED;
                    lostWhileConnected = true;
                }
            }
        }

        @Override
        public void onNotification(String method, JsonNode params) {
            if ("session.event".equals(method)) {
                String sid = Json.text(params, "sessionId");
                CopilotSession s = sid == null ? null : sessions.get(sid);
                if (s == null) {
                    log.debug("Event for a session not open in this client: {}", sid);
                    return;
                }
                s.onWireEvent(params.get("event"));
            } else if ("session.lifecycle".equals(method)) {
                core.dispatch(params);
            } else if (log.isTraceEnabled()) {
                log.trace("Notification {} ignored", method);
            }
        }

        @Override
        public CompletableFuture<JsonNode> onRequest(String method, JsonNode params) {
            if (sessionFs != null && SessionFsProvider.handles(method)) {
                return sessionFs.handle(method, params); // answered on the callback executor
            }
            // Other server-to-client requests are not served yet (userInput, hooks, sqlite...): -32601.
            log.debug("Runtime request {} is not handled by this client", method);
            return null;
        }

        @Override
        public void onProtocolError(ProtocolException error) {
            log.warn("{}", error.getMessage());
        }

        @Override
        public void onClosed(ConnectionClosedException reason) {
            try {
                tearDown(reason);
            } finally {
                tornDown.countDown();
            }
        }

        private void tearDown(ConnectionClosedException reason) {
            boolean unexpected;
            synchronized (stateLock) {
                if (CopilotClient.this.connection != served) {
                    return; // a newer connection replaced this one (its teardown overran TEARDOWN_WAIT): leave that
                    // alone
                }
                unexpected = lostWhileConnected || state == ClientState.CONNECTED;
                if (state != ClientState.CLOSED) {
                    state = ClientState.DISCONNECTED;
                }
            }
            if (unexpected) {
                log.warn("Lost the Copilot runtime: {}", reason.getMessage());
            }
            // Sessions of a dead connection cannot be used any more: they must be resumed.
            for (CopilotSession s : List.copyOf(sessions.values())) { // a snapshot: the loop removes from the map
                s.connectionLost(reason);
                sessions.remove(s.sessionId(), s);
                // that runtime is gone (or unusable): another client may resume the session now
                leases.release(s.sessionId());
            }
            if (unexpected) {
                observer.disconnected(
                        CopilotClient.this, reason); // after the sessions are gone: a reconnect may follow
            }
        }
    }

    // ------------------------------------------------------------------ builder

    /** Builds {@link CopilotClient}s. */
    public static final class Builder {
        private Transport transport;
        private SessionStore store;
        private ExecutorService callbackExecutor;
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration startTimeout = Duration.ofSeconds(60);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private int maxFrameBytes = FrameReader.defaultMaxFrameBytes();
        private String clientName = "copilot4j";
        private Clock clock = Clock.systemUTC();
        private SessionStateStore stateStore;
        private SessionFsOptions sessionFsOptions;
        private SessionLeaseOptions leaseOptions;
        private Consumer<StoreFailure> storeFailureHandler;
        private int maxUnsavedEvents = 100_000;
        private Duration handlerTimeout = Duration.ofMinutes(5);
        private int maxConcurrentHandlersPerSession = 8;
        private final List<ClientObserver> observers = new ArrayList<>();

        private Builder() {}

        /**
         * Adds an observer of the client (metrics, tracing: e.g. {@code CopilotMetrics} of
         * copilot-micrometer); called in the order added. See {@link ClientObserver} for which
         * thread calls what. An observer that throws is logged and never breaks the client.
         */
        public Builder observer(ClientObserver observer) {
            this.observers.add(Validation.requireNonNull("observer", observer));
            return this;
        }

        /**
         * How many events one session keeps in memory while the store cannot take them (default
         * 100,000). Newer ones are given up beyond that ({@link StoreFailure.Kind#EVENTS_LOST}) and
         * filled in from the runtime's history once the store is back.
         */
        public Builder maxUnsavedEvents(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxUnsavedEvents must be at least 1");
            }
            this.maxUnsavedEvents = max;
            return this;
        }

        /**
         * Told about session store failures the client handles on its own (a turn never fails
         * because the store does; events are kept and retried): see {@link StoreFailure}. Called on
         * the client's store threads (at close, on the closing thread); keep it quick. Failures are
         * logged either way.
         */
        public Builder onStoreFailure(Consumer<StoreFailure> handler) {
            this.storeFailureHandler = Validation.requireNonNull("handler", handler);
            return this;
        }

        /** The transport to the runtime (e.g. {@code StdioTransport}, {@code TcpTransport}). */
        public Builder transport(Transport transport) {
            this.transport = Validation.requireNonNull("transport", transport);
            return this;
        }

        /**
         * A transport by URI, found through {@link TransportProvider}s on the class path: {@code
         * stdio:} (needs copilot-transport-stdio) or {@code tcp://host:port} (copilot-transport-tcp).
         */
        public Builder transport(String uri) {
            Validation.requireText("transport uri", uri, 2048);
            int colon = uri.indexOf(':');
            String scheme = (colon < 0 ? uri : uri.substring(0, colon)).toLowerCase(java.util.Locale.ROOT);
            List<String> seen = new ArrayList<>();
            for (TransportProvider p :
                    ServiceLoader.load(TransportProvider.class, CopilotClient.class.getClassLoader())) {
                seen.addAll(p.schemes());
                if (p.schemes().contains(scheme)) {
                    this.transport = p.create(uri);
                    return this;
                }
            }
            throw new IllegalArgumentException("No transport for '" + scheme + ":' URIs on the class path (found: "
                    + (seen.isEmpty() ? "none" : String.join(", ", seen))
                    + "); add copilot-transport-stdio or copilot-transport-tcp"
                    + " as a dependency, or pass a Transport instance");
        }

        /** Where sessions are recorded; default an {@link InMemorySessionStore}. The caller keeps ownership. */
        public Builder sessionStore(SessionStore store) {
            this.store = Validation.requireNonNull("sessionStore", store);
            return this;
        }

        /**
         * Runs user code: listeners, tool and permission handlers, and what is chained to the
         * futures of the {@code ...Async} methods. The caller keeps ownership (the client never
         * shuts it down). Default: virtual threads on JDK 21+, else a pool of up to 32 daemon
         * threads. The client's timers and request completions never need it, so even a pool
         * whose every thread is blocked does not stall pings, new sessions or timeouts; see the
         * class comment for the policy.
         */
        public Builder callbackExecutor(ExecutorService executor) {
            this.callbackExecutor = Validation.requireNonNull("callbackExecutor", executor);
            return this;
        }

        /**
         * How long a tool or permission handler may take (default 5 minutes), counted from the
         * runtime's request, including time spent waiting for a thread. Past it the runtime is
         * answered without the handler: a failed tool call ({@code resultType} {@code failure},
         * saying the tool did not finish in time) or the permission decision {@code
         * user-not-available}; the handler's thread is interrupted and what it returns later is
         * dropped. Logged as a warning.
         */
        public Builder handlerTimeout(Duration timeout) {
            this.handlerTimeout = positive("handlerTimeout", timeout);
            return this;
        }

        /**
         * How many tool and permission handlers of one session may run at once on the callback
         * executor (default 8); further requests of that session wait, in order, for one of them to
         * finish (their {@link #handlerTimeout} runs meanwhile). Keeps one session from taking
         * every thread of a bounded pool.
         */
        public Builder maxConcurrentHandlersPerSession(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrentHandlersPerSession must be at least 1");
            }
            this.maxConcurrentHandlersPerSession = max;
            return this;
        }

        /** Timeout of each request to the runtime (default 60 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /** Timeout of the handshake in {@link #start()} (default 60 s: a first CLI start unpacks itself). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = positive("startTimeout", timeout);
            return this;
        }

        /** How long {@link #close()} may take in all (default 10 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = positive("closeTimeout", timeout);
            return this;
        }

        /**
         * Largest frame accepted or sent; a larger one is a {@link ProtocolException} naming its size
         * and this setting. Default: 1/16 of this JVM's max heap, at least 1 MiB and at most 64 MiB
         * (a frame and its parsed JSON take several times its size in heap). A frame that still does
         * not fit in the heap closes the connection with a {@link ConnectionClosedException} that says
         * so, instead of an {@link OutOfMemoryError}.
         */
        public Builder maxFrameBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxFrameBytes must be at least 1024");
            }
            this.maxFrameBytes = bytes;
            return this;
        }

        /** Sent to the runtime as {@code clientName} (it ends up in the User-Agent). */
        public Builder clientName(String name) {
            this.clientName = Validation.requireText("clientName", name, 128);
            return this;
        }

        /** Same as {@link #sessionFs(SessionStateStore, SessionFsOptions)} with {@link SessionFsOptions#defaults()}. */
        public Builder sessionFs(SessionStateStore stateStore) {
            return sessionFs(stateStore, SessionFsOptions.defaults());
        }

        /**
         * Makes this client the runtime's session filesystem: the CLI keeps each session's state
         * files ({@code events.jsonl}, {@code workspace.yaml}, checkpoints...) in {@code
         * stateStore} instead of its own disk, so a CLI anywhere, with an empty home, can resume
         * any session of a shared store. Then:
         *
         * <ul>
         *   <li>{@link #start()} registers the client ({@code sessionFs.setProvider}) right after
         *       the handshake; the transport must spawn its own runtime (stdio, or TCP spawn): an
         *       external TCP server is refused, since a runtime whose provider disconnected is
         *       unusable for everyone;
         *   <li>sessions are created and resumed with the runtime's local conversation database
         *       off ({@code enableSessionStore:false}), so no conversation text lands on the CLI
         *       host's disk;
         *   <li>a client drives a session only while it holds its lease in the store, renewed in
         *       the background; another client's create/resume fails with {@link
         *       SessionLeaseException.Held} (or waits, {@link SessionFsOptions#leaseWait()});
         *   <li>{@link CopilotClient#listSessions()} answers from the session store only, and
         *       {@link CopilotClient#deleteSession} also deletes the state.
         * </ul>
         *
         * The caller keeps ownership of the store.
         */
        public Builder sessionFs(SessionStateStore stateStore, SessionFsOptions options) {
            this.stateStore = Validation.requireNonNull("stateStore", stateStore);
            this.sessionFsOptions = Validation.requireNonNull("options", options);
            return this;
        }

        /**
         * How this client claims the sessions it drives in its session store (default {@link
         * SessionLeaseOptions#defaults()}): a session another client drives is refused on
         * create, resume and delete with {@link SessionLeaseException.Held}, which names the
         * holder and when its claim expires. In session filesystem mode the lease lives in the
         * state store and {@link SessionFsOptions} sets it instead: giving both is an error.
         */
        public Builder sessionLeases(SessionLeaseOptions options) {
            this.leaseOptions = Validation.requireNonNull("options", options);
            return this;
        }

        /** Clock for store timestamps (tests). */
        public Builder clock(Clock clock) {
            this.clock = Validation.requireNonNull("clock", clock);
            return this;
        }

        private static Duration positive(String name, Duration d) {
            Validation.requireNonNull(name, d);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }

        /** Builds the client (not started: call {@link CopilotClient#start()}). */
        public CopilotClient build() {
            if (transport == null) {
                try {
                    transport("stdio:");
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(
                            "No transport configured: call transport(...) on the builder, or add "
                                    + "copilot-transport-stdio to the class path to use the Copilot CLI over stdio by default",
                            e);
                }
            }
            if (leaseOptions != null && stateStore != null) {
                throw new IllegalStateException(
                        "sessionLeases(...) and sessionFs(...) both set: with sessionFs the lease lives in the"
                                + " session state store; set its holder and timings in SessionFsOptions instead");
            }
            CopilotClient client = new CopilotClient(this);
            client.observer.attached(client);
            return client;
        }
    }
}
