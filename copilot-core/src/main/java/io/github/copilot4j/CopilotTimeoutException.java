package io.github.copilot4j;

/** A blocking call did not finish within its timeout. The message says what was waited for. */
public class CopilotTimeoutException extends CopilotException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its message. */
    public CopilotTimeoutException(String message) {
        super(message);
    }
}
