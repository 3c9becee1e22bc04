package io.github.copilot4j.internal.observe;

import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.StoreFailure;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.spi.SessionLeaseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the user's observers one after the other; one that throws is logged (the first failure of
 * each observer method at WARN, later ones at DEBUG) and never reaches the client. Runs on the
 * caller's thread of each method.
 */
public final class SafeObserver implements ClientObserver {
    private static final Logger log = LoggerFactory.getLogger(SafeObserver.class);
    private final List<ClientObserver> observers;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public SafeObserver(List<ClientObserver> observers) {
        this.observers = List.copyOf(observers);
    }

    public boolean isEmpty() {
        return observers.isEmpty();
    }

    private interface Call {
        void on(ClientObserver o);
    }

    private void each(String what, Call call) {
        for (ClientObserver o : observers) {
            try {
                call.on(o);
            } catch (Throwable t) {
                failed(o, what, t);
            }
        }
    }

    private void failed(Object o, String what, Throwable t) {
        if (warned.add(o.getClass().getName() + "#" + what)) {
            log.warn(
                    "Client observer {} failed in {}; ignored (later failures are logged at DEBUG)",
                    o.getClass().getName(),
                    what,
                    t);
        } else {
            log.debug("Client observer {} failed in {}", o.getClass().getName(), what, t);
        }
    }

    @Override
    public void attached(CopilotClient client) {
        each("attached", o -> o.attached(client));
    }

    @Override
    public void connected(CopilotClient client, boolean reconnect) {
        each("connected", o -> o.connected(client, reconnect));
    }

    @Override
    public void disconnected(CopilotClient client, ConnectionClosedException reason) {
        each("disconnected", o -> o.disconnected(client, reason));
    }

    @Override
    public void rpcCompleted(String method, long nanos, Throwable error) {
        each("rpcCompleted", o -> o.rpcCompleted(method, nanos, error));
    }

    @Override
    public void turnStarted(CopilotSession session) {
        each("turnStarted", o -> o.turnStarted(session));
    }

    @Override
    public void eventDelivered(CopilotSession session, SessionEvent event) {
        each("eventDelivered", o -> o.eventDelivered(session, event));
    }

    @Override
    public void turnEnded(CopilotSession session, TurnOutcome outcome, Throwable error) {
        each("turnEnded", o -> o.turnEnded(session, outcome, error));
    }

    @Override
    public Map<String, String> traceContext(CopilotSession session) {
        for (ClientObserver o : observers) {
            try {
                Map<String, String> m = o.traceContext(session);
                if (m != null && m.get("traceparent") != null) {
                    return m;
                }
            } catch (Throwable t) {
                failed(o, "traceContext", t);
            }
        }
        return Map.of();
    }

    @Override
    public ToolCallScope toolCallStarted(
            CopilotSession session, String toolName, String traceparent, String tracestate) {
        List<ToolCallScope> scopes = new ArrayList<>(observers.size());
        for (ClientObserver o : observers) {
            try {
                ToolCallScope sc = o.toolCallStarted(session, toolName, traceparent, tracestate);
                if (sc != null && sc != ToolCallScope.NOOP) {
                    scopes.add(sc);
                }
            } catch (Throwable t) {
                failed(o, "toolCallStarted", t);
            }
        }
        if (scopes.isEmpty()) {
            return ToolCallScope.NOOP;
        }
        return error -> {
            for (int i = scopes.size() - 1; i >= 0; i--) { // innermost first
                try {
                    scopes.get(i).end(error);
                } catch (Throwable t) {
                    failed(scopes.get(i), "ToolCallScope.end", t);
                }
            }
        };
    }

    @Override
    public void storeFailure(StoreFailure failure) {
        each("storeFailure", o -> o.storeFailure(failure));
    }

    @Override
    public void leaseRefused(String sessionId, SessionLeaseException refusal) {
        each("leaseRefused", o -> o.leaseRefused(sessionId, refusal));
    }
}
