package io.github.copilot4j;

/**
 * The connection to the runtime is gone (the CLI exited, the socket was reset, the client was
 * closed). The message says why, e.g. "Copilot CLI (pid 4242) exited with code 1; last stderr
 * lines: ...". Sessions can be resumed on a new client or after a reconnect.
 */
public class ConnectionClosedException extends CopilotException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its message. */
    public ConnectionClosedException(String message) {
        super(message);
    }

    /** Creates the exception with its message and cause. */
    public ConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
