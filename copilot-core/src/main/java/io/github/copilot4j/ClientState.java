package io.github.copilot4j;

/** Where a {@link CopilotClient} is in its life. */
public enum ClientState {
    /** Built, not started. */
    NEW,
    /** {@code start()} is opening the transport and shaking hands. */
    CONNECTING,
    /** Connected; calls work. */
    CONNECTED,
    /** The connection died (CLI exit, socket reset); {@code start()} reconnects, sessions can be resumed. */
    DISCONNECTED,
    /** Closed for good. */
    CLOSED
}
