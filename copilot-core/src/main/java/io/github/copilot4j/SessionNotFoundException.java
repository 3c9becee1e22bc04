package io.github.copilot4j;

/** No session with that id is known where it was looked for. */
public class SessionNotFoundException extends CopilotException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its message. */
    public SessionNotFoundException(String message) {
        super(message);
    }
}
