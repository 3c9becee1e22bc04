package io.github.copilot4j.spi;

import io.github.copilot4j.CopilotException;
import java.time.Instant;

/** A session's lease stood in the way: another client drives it, or this client's lease is gone. */
public class SessionLeaseException extends CopilotException {
    private static final long serialVersionUID = 1L;

    private final String sessionId;

    /** Creates the exception for the session with its message. */
    public SessionLeaseException(String sessionId, String message) {
        super(message);
        this.sessionId = sessionId;
    }

    /** The session whose lease was in question. */
    public String sessionId() {
        return sessionId;
    }

    /** Another holder has a live lease on the session. */
    public static final class Held extends SessionLeaseException {
        private static final long serialVersionUID = 1L;
        private final String holder;
        private final Instant expiresAt;

        /** Creates the exception naming the current lease. */
        public Held(SessionLease current) {
            super(
                    current.sessionId(),
                    "Session '" + current.sessionId() + "' is being driven by another client ('"
                            + current.holder() + "', lease until " + current.expiresAt()
                            + "); close it in that client first, or, if that"
                            + " client died, wait until its lease expires (with sessionFs, SessionFsOptions.leaseWait lets create and"
                            + " resume wait)");
            this.holder = current.holder();
            this.expiresAt = current.expiresAt();
        }

        /** The current holder's id. */
        public String holder() {
            return holder;
        }

        /** When the current lease lapses unless its holder renews it. */
        public Instant expiresAt() {
            return expiresAt;
        }
    }

    /**
     * The lease this caller relied on is no longer the session's current lease (it was taken over
     * after it expired, released, or the session was deleted): a write with its fencing token, or
     * its renewal, is refused.
     */
    public static final class Stale extends SessionLeaseException {
        private static final long serialVersionUID = 1L;
        private final long fencingToken;

        /**
         * @param sessionId the session
         * @param fencingToken the token the caller presented
         * @param current the session's current lease, or null if it has none
         */
        public Stale(String sessionId, long fencingToken, SessionLease current) {
            super(
                    sessionId,
                    "The lease on session '" + sessionId + "' with fencing token " + fencingToken
                            + " is no longer current ("
                            + (current == null
                                    ? "the session has no lease now"
                                    : "now held by '" + current.holder() + "' with token " + current.fencingToken()
                                            + " until " + current.expiresAt())
                            + "); this client must not write the session any more; resume it again to continue");
            this.fencingToken = fencingToken;
        }

        /** The stale token that was presented. */
        public long fencingToken() {
            return fencingToken;
        }
    }
}
