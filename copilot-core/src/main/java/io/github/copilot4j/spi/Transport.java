package io.github.copilot4j.spi;

import java.io.IOException;

/**
 * Opens duplex byte channels to a Copilot runtime (the CLI's JSON-RPC server).
 *
 * <p>A transport only moves bytes and owns the lifecycle of what it opened (a child process, a
 * socket). Framing, JSON-RPC and routing live once, in the client. A transport is a reusable
 * factory: {@link #open()} may be called again after a channel died, e.g. to reconnect.
 *
 * <p>Threading: {@link #open()} is called from the thread that calls {@code CopilotClient.start()}
 * and may block (spawning a process, connecting a socket) up to the transport's own timeouts.
 */
public interface Transport {

    /**
     * Opens a new channel. Blocks until the peer can be written to.
     *
     * @throws IOException with a message that names the cause and the next step, e.g.
     *     "Copilot CLI not found; tried: ...; install it with: npm install -g @github/copilot"
     */
    TransportChannel open() throws IOException;

    /** A short, secret-free description for logs and errors, e.g. {@code stdio:/path/to/copilot}. */
    String describe();
}
