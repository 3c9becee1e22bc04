package io.github.copilot4j.transport.tcp;

import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportProvider;
import java.util.Set;

/**
 * Makes {@link TcpTransport}s that connect to a running CLI server from {@code tcp://host:port}.
 * A connection token is taken from the environment variable {@code COPILOT_CONNECTION_TOKEN} when
 * set (never from the URI, which may end up in logs). Registered for {@link java.util.ServiceLoader}.
 */
public final class TcpTransportProvider implements TransportProvider {
    /** Instantiated by {@link java.util.ServiceLoader}. */
    public TcpTransportProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("tcp");
    }

    @Override
    public Transport create(String uri) {
        if (uri.contains("?") || uri.contains("@")) {
            throw new IllegalArgumentException(
                    "tcp transport URIs take only host and port (tcp://host:port); "
                            + "pass a connection token with TcpTransport.connect(...).connectionToken(...) or COPILOT_CONNECTION_TOKEN");
        }
        TcpTransport.ConnectBuilder b = TcpTransport.connect(uri);
        String token = System.getenv("COPILOT_CONNECTION_TOKEN");
        if (token != null && !token.isBlank()) {
            b.connectionToken(token);
        }
        return b.build();
    }
}
