package io.github.copilot4j.transport.stdio;

import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportProvider;
import java.nio.file.Path;
import java.util.Set;

/**
 * Makes {@link StdioTransport}s from {@code stdio:} (the CLI found by {@link CliLocator}) or {@code
 * stdio:/path/to/copilot}. Registered for {@link java.util.ServiceLoader}.
 */
public final class StdioTransportProvider implements TransportProvider {
    /** Instantiated by {@link java.util.ServiceLoader}. */
    public StdioTransportProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("stdio");
    }

    @Override
    public Transport create(String uri) {
        String rest = uri.substring(uri.indexOf(':') + 1);
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        StdioTransport.Builder b = StdioTransport.builder();
        if (!rest.isBlank()) {
            b.cliPath(Path.of(rest));
        }
        return b.build();
    }
}
