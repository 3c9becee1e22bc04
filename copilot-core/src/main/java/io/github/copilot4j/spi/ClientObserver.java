package io.github.copilot4j.spi;

import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.StoreFailure;
import io.github.copilot4j.event.SessionEvent;
import java.util.Map;

/**
 * Watches a {@link CopilotClient} for metrics and tracing (e.g. copilot-micrometer). Register with
 * {@link CopilotClient.Builder#observer}. Every method has a no-op default, so an observer
 * implements only what it needs, and new methods can be added without breaking it.
 *
 * <p>Threading: each method says which thread calls it. Some run on threads the client cannot
 * hand off (the reader thread, the caller's thread): keep every method quick and never block. An
 * observer that throws is logged and ignored: it never breaks the client.
 *
 * <p>Turns: a turn starts when a prompt is sent while the session has none in flight, and ends at
 * the {@code session.idle} after the runtime took every prompt sent meanwhile (prompts sent during
 * a turn join it), at {@code session.error}, when the send itself fails, or when the session is
 * closed, deleted or loses its connection. {@link #turnEnded} is called exactly once per {@link
 * #turnStarted}.
 */
public interface ClientObserver {

    /** How a turn ended. */
    enum TurnOutcome {
        /** The session went idle after the prompt(s). */
        SUCCESS,
        /** The session went idle after an abort. */
        ABORTED,
        /** {@code session.error}, or the send failed. */
        ERROR,
        /** The session was closed or deleted first. */
        CLOSED,
        /** The connection to the runtime died first. */
        DISCONNECTED
    }

    /** Once, when {@link CopilotClient.Builder#build()} built the client; on the building thread. */
    default void attached(CopilotClient client) {}

    /** {@link CopilotClient#start()} connected; {@code reconnect} if the client had been connected before. On the thread of start(). */
    default void connected(CopilotClient client, boolean reconnect) {}

    /** The connection died while the client was connected (not at close). On the reader thread. */
    default void disconnected(CopilotClient client, ConnectionClosedException reason) {}

    /**
     * A request to the runtime finished, successfully when {@code error} is null. On the thread
     * that completed it: the callback executor for answers and timeouts, or the calling thread
     * when it could not be sent.
     */
    default void rpcCompleted(String method, long nanos, Throwable error) {}

    /**
     * A turn starts. On the thread that called {@code send...}, before the prompt goes out, so the
     * caller's context (a current span or observation) is visible here.
     */
    default void turnStarted(CopilotSession session) {}

    /** Every event of a session, after its listeners saw it; on the session's delivery lane (callback executor), in order. */
    default void eventDelivered(CopilotSession session, SessionEvent event) {}

    /**
     * The turn ended ({@code error} is the cause for {@link TurnOutcome#ERROR}, {@link
     * TurnOutcome#DISCONNECTED}, else null); on the session's delivery lane, after the listeners
     * saw the turn's last event and before a {@code sendAndWait} waiting for it returns.
     */
    default void turnEnded(CopilotSession session, TurnOutcome outcome, Throwable error) {}

    /**
     * W3C trace context to send with a prompt: the {@code traceparent} and {@code tracestate}
     * entries of the returned map go into {@code session.send} (other keys are ignored; with
     * several observers, the first one that returns a {@code traceparent} wins). On the thread that
     * called {@code send...}, so the caller's current span is visible here.
     */
    default Map<String, String> traceContext(CopilotSession session) {
        return Map.of();
    }

    /**
     * A tool handler of this client is about to run, on the thread that runs it (the callback
     * executor): e.g. open a span and make it current there. {@code traceparent}/{@code tracestate}
     * are those the runtime sent with the request, or null. The returned scope is ended on the same
     * thread once the handler returned ({@code error} is what it threw, or null).
     */
    default ToolCallScope toolCallStarted(
            CopilotSession session, String toolName, String traceparent, String tracestate) {
        return ToolCallScope.NOOP;
    }

    /** What {@link #toolCallStarted} opened; ended once, on the handler's thread. */
    interface ToolCallScope {
        /** Does nothing. */
        ToolCallScope NOOP = error -> {};

        /** The handler returned ({@code error} null) or threw. */
        void end(Throwable error);
    }

    /** A store failure the client handled on its own; on the store threads (at close, on the closing thread). */
    default void storeFailure(StoreFailure failure) {}

    /** Session filesystem mode: a lease was refused (held by another client, or stale); on the thread that created/resumed the session, or the lease renewer. */
    default void leaseRefused(String sessionId, SessionLeaseException refusal) {}
}
