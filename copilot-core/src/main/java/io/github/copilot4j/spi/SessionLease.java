package io.github.copilot4j.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The right of one client ({@code holder}) to drive one session, until {@code expiresAt} unless
 * renewed. Every acquisition gets a new, larger {@code fencingToken}; state writes carry it, and
 * the store refuses writes whose token is not the current one, so a holder that was paused past
 * its expiry and replaced cannot corrupt the state.
 *
 * @param sessionId the session
 * @param holder who holds it (a client's holder id)
 * @param fencingToken positive; grows with every acquisition, never reused
 * @param expiresAt when the lease lapses unless renewed (the store's clock; milliseconds)
 */
public record SessionLease(String sessionId, String holder, long fencingToken, Instant expiresAt) {
    /** Checks the required components. */
    public SessionLease {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (fencingToken <= 0) {
            throw new IllegalArgumentException("fencingToken must be positive, was " + fencingToken);
        }
        expiresAt = expiresAt.truncatedTo(ChronoUnit.MILLIS);
    }

    /** True if {@code other} is the same grant: same session, holder and fencing token (expiry aside). */
    public boolean sameGrant(SessionLease other) {
        return other != null
                && other.fencingToken == fencingToken
                && other.holder.equals(holder)
                && other.sessionId.equals(sessionId);
    }
}
