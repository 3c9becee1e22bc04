package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.spi.ClientObserver;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconnects the client when its runtime went away ({@code copilot.reconnect.*}): {@code
 * delay} after the connection was lost, then again every {@code delay} until it is back; at once
 * when {@link #reconnectNow()} is called (the health indicator does when it finds the client
 * disconnected). Sessions of the lost connection are not resumed: the application resumes the
 * ones it needs ({@code client.resumeSession(id, config)}).
 *
 * <p>Threading: attempts run one at a time on one daemon thread ({@code copilot4j-reconnect}),
 * stopped by {@link #close()}; the observer methods only schedule.
 */
public class CopilotReconnector implements ClientObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CopilotReconnector.class);

    private final Duration delay;
    private final ScheduledThreadPoolExecutor executor;
    private final AtomicBoolean delayedPending = new AtomicBoolean();
    private volatile CopilotClient client;
    private volatile boolean closed;

    public CopilotReconnector(Duration delay) {
        if (delay == null || delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("copilot.reconnect.delay must be positive");
        }
        this.delay = delay;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "copilot4j-reconnect");
            t.setDaemon(true);
            return t;
        });
        this.executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void attached(CopilotClient c) {
        this.client = c;
    }

    @Override
    public void disconnected(CopilotClient c, ConnectionClosedException reason) {
        scheduleDelayed();
    }

    /** Tries to reconnect now (on the reconnect thread) if the client is disconnected. */
    public void reconnectNow() {
        if (!closed && client != null && client.state() == ClientState.DISCONNECTED) {
            executor.execute(this::attempt);
        }
    }

    // attempt() catches and logs its own failures; nothing waits for the scheduled task.
    @SuppressWarnings("FutureReturnValueIgnored")
    private void scheduleDelayed() {
        if (closed || !delayedPending.compareAndSet(false, true)) {
            return;
        }
        executor.schedule(
                () -> {
                    delayedPending.set(false);
                    attempt();
                },
                delay.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void attempt() {
        CopilotClient c = client;
        if (closed || c == null || c.state() != ClientState.DISCONNECTED) {
            return;
        }
        try {
            c.start();
            log.info(
                    "Reconnected to the Copilot runtime ({}); resume the sessions you need",
                    c.transport().describe());
        } catch (RuntimeException e) {
            if (c.state() == ClientState.DISCONNECTED) {
                log.warn(
                        "Could not reconnect to the Copilot runtime; next attempt in {} ms: {}",
                        delay.toMillis(),
                        e.getMessage());
                scheduleDelayed();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
    }
}
