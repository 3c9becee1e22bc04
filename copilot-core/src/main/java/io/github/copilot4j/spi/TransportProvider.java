package io.github.copilot4j.spi;

/**
 * Makes transports from URIs such as {@code stdio:} or {@code tcp://127.0.0.1:4321}. A convenience
 * on top of explicit registration: {@code CopilotClient.builder().transport(String)} looks
 * providers up with {@link java.util.ServiceLoader}. Transport modules register theirs in {@code
 * META-INF/services/io.github.copilot4j.spi.TransportProvider}.
 */
public interface TransportProvider {
    /** URI schemes this provider handles, e.g. {@code stdio} or {@code tcp}. */
    java.util.Set<String> schemes();

    /**
     * A transport for {@code uri} (whose scheme is one of {@link #schemes()}); throws {@link
     * IllegalArgumentException} with the reason if it is not usable.
     */
    Transport create(String uri);
}
