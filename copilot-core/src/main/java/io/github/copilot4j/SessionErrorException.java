package io.github.copilot4j;

import io.github.copilot4j.event.SessionError;

/** A turn ended with a {@code session.error} event, e.g. the model was refused or unavailable. */
public class SessionErrorException extends CopilotException {
    private static final long serialVersionUID = 1L;
    private final transient SessionError error;

    /** Creates the exception for the session's {@code session.error}. */
    public SessionErrorException(String sessionId, SessionError error) {
        super("Session '" + sessionId + "' reported an error"
                + (error.errorType() == null ? "" : " (" + error.errorType() + ")") + ": " + error.message());
        this.error = error;
    }

    /** The event's data. */
    public SessionError error() {
        return error;
    }
}
