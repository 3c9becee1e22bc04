package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link CopilotClient} once the context's beans are ready, and closes it at shutdown
 * within its close timeout ({@code copilot.close-timeout}): sessions are detached, what is queued
 * for the store is written, a CLI the client spawned is shut down, turns still in flight fail.
 *
 * <p>Its phase ({@link #PHASE}) is below the web server's, so the client is started before the
 * server takes requests and closed only after the server has stopped taking them (and, with
 * graceful shutdown, after the requests in flight ended). Runs on Spring's startup and shutdown
 * threads.
 */
public class CopilotClientLifecycle implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(CopilotClientLifecycle.class);

    /** Below Spring Boot's web server phases ({@code DEFAULT_PHASE - 2048} and {@code - 1024}). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final CopilotClient client;
    private final boolean failOnStartError;
    private volatile boolean running;

    public CopilotClientLifecycle(CopilotClient client, boolean failOnStartError) {
        this.client = client;
        this.failOnStartError = failOnStartError;
    }

    @Override
    public void start() {
        running = true;
        if (client.state() == ClientState.CONNECTED) {
            return; // the application started it itself
        }
        try {
            client.start();
        } catch (RuntimeException e) {
            if (failOnStartError) {
                running = false;
                throw new IllegalStateException(
                        "Could not start the Copilot client: " + e.getMessage()
                                + " (set copilot.fail-on-start-error=false to start the application anyway, with copilot health DOWN)",
                        e);
            }
            log.error(
                    "Could not start the Copilot client; the application starts anyway and copilot health is DOWN: {}",
                    e.getMessage());
        }
    }

    @Override
    public void stop() {
        running = false;
        client.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
