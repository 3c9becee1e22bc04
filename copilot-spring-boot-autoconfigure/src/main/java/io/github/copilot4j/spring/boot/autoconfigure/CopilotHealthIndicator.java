package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.PingResponse;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@code copilot} health: UP when the client is connected, the runtime answers a ping and the
 * session store answers a lookup; DOWN otherwise, with the client state, the runtime and protocol
 * versions and what failed. A disconnected client is asked to reconnect at once (in the background,
 * by the {@link CopilotReconnector}), so the next check can be UP again. Runs on the thread that
 * asks for health; a ping waits at most the client's request timeout.
 */
public class CopilotHealthIndicator extends AbstractHealthIndicator {
    private static final String PROBE_ID = "copilot4j-health-probe";
    private final CopilotClient client;
    private final CopilotReconnector reconnector;

    /** @param reconnector asked to reconnect at once when the client is found disconnected; may be null */
    public CopilotHealthIndicator(CopilotClient client, CopilotReconnector reconnector) {
        super("Copilot health check failed");
        this.client = client;
        this.reconnector = reconnector;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        ClientState state = client.state();
        builder.withDetail("state", state.name())
                .withDetail("transport", kind(client.transport().describe()));
        boolean storeUp;
        try {
            client.sessionStore().find(PROBE_ID);
            builder.withDetail("store", "reachable");
            storeUp = true;
        } catch (RuntimeException e) {
            builder.withDetail("store", "unreachable: " + e.getMessage());
            storeUp = false;
        }
        if (state != ClientState.CONNECTED) {
            builder.down()
                    .withDetail("runtime", "not connected (" + state.name().toLowerCase(java.util.Locale.ROOT) + ")");
            if (state == ClientState.DISCONNECTED && reconnector != null) {
                reconnector.reconnectNow();
                builder.withDetail("reconnect", "requested");
            }
            return;
        }
        PingResponse pong = client.ping();
        builder.withDetail("runtime", "reachable")
                .withDetail("runtimeVersion", String.valueOf(client.runtimeVersion()))
                .withDetail(
                        "protocolVersion",
                        pong.protocolVersion() != 0 ? pong.protocolVersion() : client.protocolVersion())
                .withDetail("openSessions", client.openSessions().size());
        if (storeUp) {
            builder.up();
        } else {
            builder.down();
        }
    }

    private static String kind(String describe) {
        int colon = describe.indexOf(':');
        return colon < 0 ? describe : describe.substring(0, colon);
    }
}
