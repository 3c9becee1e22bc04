package io.github.copilot4j.spi;

import io.github.copilot4j.CopilotException;

/** A session store could not do what was asked. The message names the cause. */
public class SessionStoreException extends CopilotException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with its message. */
    public SessionStoreException(String message) {
        super(message);
    }

    /** Creates the exception with its message and cause. */
    public SessionStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The session id is already taken. */
    public static final class DuplicateSession extends SessionStoreException {
        private static final long serialVersionUID = 1L;

        /** Creates the exception for the existing session id. */
        public DuplicateSession(String sessionId) {
            super("Session '" + sessionId + "' already exists in the store");
        }
    }

    /** No session with that id is in the store. */
    public static final class NoSuchSession extends SessionStoreException {
        private static final long serialVersionUID = 1L;

        /** Creates the exception for the unknown session id. */
        public NoSuchSession(String sessionId) {
            super("Session '" + sessionId + "' is not in the store");
        }
    }

    /** An update carried a version older than the stored one: someone else changed it first. */
    public static final class StaleVersion extends SessionStoreException {
        private static final long serialVersionUID = 1L;

        /** Creates the exception with the version the caller had and the stored one. */
        public StaleVersion(String sessionId, long expected, long actual) {
            super("Session '" + sessionId + "' was changed concurrently: update was based on version " + expected
                    + " but the store has version " + actual + "; re-read and retry");
        }
    }
}
