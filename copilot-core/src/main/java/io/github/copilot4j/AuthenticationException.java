package io.github.copilot4j;

/** The runtime refused this client, e.g. a wrong TCP connection token. */
public class AuthenticationException extends CopilotException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its message and cause. */
    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
