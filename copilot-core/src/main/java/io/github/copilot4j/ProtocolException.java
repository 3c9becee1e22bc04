package io.github.copilot4j;

/**
 * The runtime sent something that is not valid framed JSON-RPC (bad {@code Content-Length}, a
 * frame over the size cap, invalid JSON), or speaks a protocol version this library does not
 * support.
 */
public class ProtocolException extends CopilotException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its message. */
    public ProtocolException(String message) {
        super(message);
    }

    /** Creates the exception with its message and cause. */
    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
