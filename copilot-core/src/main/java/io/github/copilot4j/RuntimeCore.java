package io.github.copilot4j;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.internal.SerialLane;
import io.github.copilot4j.internal.json.Json;
import io.github.copilot4j.internal.rpc.JsonRpcConnection;
import io.github.copilot4j.rpc.ServerRpc;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's core methods that its schema does not describe, hand-written: its status, the
 * authentication state, the last and the foreground session, a session's metadata, and
 * {@code session.lifecycle} notifications. Obtained from {@link CopilotClient#core()}.
 *
 * <p>Thread-safe. Calls block for at most the client's request timeout. Lifecycle listeners run one
 * at a time, in the order the runtime sent the notifications, on the client's callback executor
 * (never on the connection's reader thread).
 */
public final class RuntimeCore {
    private static final Logger log = LoggerFactory.getLogger(RuntimeCore.class);

    /** {@code status.get}: the runtime's version and protocol version. */
    public record Status(String version, int protocolVersion) {}

    /**
     * {@code auth.getStatus}.
     *
     * @param authenticated whether the runtime has a usable GitHub identity
     * @param statusMessage the runtime's words for it, if any
     * @param raw the whole answer (fields beyond these two, e.g. the login, vary by runtime version)
     */
    public record AuthStatus(boolean authenticated, String statusMessage, JsonNode raw) {}

    private final Supplier<JsonRpcConnection> connection;
    private final Duration timeout;
    private final SerialLane lane;
    private final List<Consumer<SessionLifecycleEvent>> listeners = new CopyOnWriteArrayList<>();

    RuntimeCore(Supplier<JsonRpcConnection> connection, Duration timeout, Executor callbackExecutor) {
        this.connection = connection;
        this.timeout = timeout;
        this.lane = new SerialLane(callbackExecutor, "copilot4j-lifecycle");
    }

    private JsonNode call(String method, String sessionId) {
        return new ServerRpc(new io.github.copilot4j.internal.rpc.ConnectionCaller(connection, timeout))
                .call(method, sessionId == null ? null : Json.object().put("sessionId", sessionId));
    }

    /** {@code status.get}. */
    public Status status() {
        JsonNode r = call("status.get", null);
        return new Status(Json.text(r, "version"), r.path("protocolVersion").asInt(0));
    }

    /** {@code auth.getStatus}. */
    public AuthStatus authStatus() {
        JsonNode r = call("auth.getStatus", null);
        return new AuthStatus(r.path("isAuthenticated").asBoolean(false), Json.text(r, "statusMessage"), r);
    }

    /** {@code session.getLastId}: the most recently used session the runtime knows, if any. */
    public Optional<String> lastSessionId() {
        return Optional.ofNullable(Json.text(call("session.getLastId", null), "sessionId"));
    }

    /** {@code session.getForeground}: the session a terminal UI shows in front, if any (headless: none). */
    public Optional<String> foregroundSessionId() {
        return Optional.ofNullable(Json.text(call("session.getForeground", null), "sessionId"));
    }

    /**
     * {@code session.setForeground}: asks a terminal UI sharing this runtime to show {@code sessionId}.
     *
     * @throws CopilotException naming the runtime's reason when it refuses (a headless runtime has no
     *     foreground: "Not running in TUI+server mode")
     */
    public void setForegroundSession(String sessionId) {
        JsonNode r = call("session.setForeground", java.util.Objects.requireNonNull(sessionId, "sessionId"));
        if (!r.path("success").asBoolean(false)) {
            throw new CopilotException("The runtime did not put session '" + sessionId + "' in the foreground: "
                    + Optional.ofNullable(Json.text(r, "error")).orElse("no reason given"));
        }
    }

    /** {@code session.getMetadata}: what the runtime keeps about a session (an empty object when nothing yet). */
    public JsonNode sessionMetadata(String sessionId) {
        JsonNode r = call("session.getMetadata", sessionId);
        JsonNode m = r.get("metadata");
        return m != null && m.isObject() ? m : r;
    }

    /**
     * Calls {@code listener} for every {@code session.lifecycle} notification from now on.
     *
     * @return closing it removes the listener
     */
    public Subscription onSessionLifecycle(Consumer<SessionLifecycleEvent> listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }

    /** From the reader thread: hands the notification to the lane. */
    void dispatch(JsonNode params) {
        String type = Json.text(params, "type");
        String sid = Json.text(params, "sessionId");
        if (type == null || listeners.isEmpty()) {
            return;
        }
        JsonNode meta = params.get("metadata");
        SessionLifecycleEvent e =
                new SessionLifecycleEvent(type, sid, meta != null && meta.isObject() ? meta : Json.object());
        lane.execute(() -> {
            for (Consumer<SessionLifecycleEvent> l : listeners) {
                try {
                    l.accept(e);
                } catch (RuntimeException ex) {
                    log.warn("A session lifecycle listener failed on {} of {}", type, sid, ex);
                }
            }
        });
    }
}
