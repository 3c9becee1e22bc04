package io.github.copilot4j;

/** Base of every exception this library throws on purpose. Messages never contain secrets. */
public class CopilotException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its message. */
    public CopilotException(String message) {
        super(message);
    }

    /** Creates the exception with its message and cause. */
    public CopilotException(String message, Throwable cause) {
        super(message, cause);
    }
}
