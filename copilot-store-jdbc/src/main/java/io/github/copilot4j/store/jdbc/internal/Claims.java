package io.github.copilot4j.store.jdbc.internal;

import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The SQL of the session store's claims (table {@code copilot4j_session_claims}, tokens from the
 * sequence {@code copilot4j_session_claim_tokens}; schema version 3). Every method runs inside
 * the caller's transaction on the caller's thread. Expiry is judged by the database's clock.
 *
 * <p>Lock order, the same everywhere so that no two transactions deadlock: the session row
 * first (append, delete), then the claim row. Claim, renew and release lock only the claim row.
 */
public final class Claims {
    public static final String TABLE = "copilot4j_session_claims";

    private final String nextToken;

    public Claims(boolean postgres) {
        this.nextToken = postgres
                ? "SELECT nextval('copilot4j_session_claim_tokens')"
                : "SELECT NEXT VALUE FOR copilot4j_session_claim_tokens";
    }

    /** Grants the session to {@code holder} unless another holder's claim is live. */
    public SessionLease claim(Handle h, String sessionId, String holder, Duration duration) {
        Instant now = dbNow(h);
        SessionLease current = lock(h, sessionId);
        if (current != null
                && !current.holder().equals(holder)
                && current.expiresAt().isAfter(now)) {
            throw new SessionLeaseException.Held(current);
        }
        long token = h.createQuery(nextToken).mapTo(Long.class).one();
        SessionLease granted = new SessionLease(sessionId, holder, token, now.plus(duration));
        // A concurrent first claim of the same id makes one INSERT fail on the primary key: the
        // caller retries the whole transaction, which then sees the winner's row.
        String sql = current == null
                ? "INSERT INTO " + TABLE
                        + " (holder, token, acquired_at, expires_at, session_id) VALUES (:h, :k, :a, :e, :s)"
                : "UPDATE " + TABLE
                        + " SET holder = :h, token = :k, acquired_at = :a, expires_at = :e WHERE session_id = :s";
        h.createUpdate(sql)
                .bind("s", sessionId)
                .bind("h", holder)
                .bind("k", token)
                .bind("a", Rows.timestamp(now))
                .bind("e", Rows.timestamp(granted.expiresAt()))
                .execute();
        return granted;
    }

    /** Extends {@code claim} if it is still the current one (expired or not). */
    public SessionLease renew(Handle h, SessionLease claim, Duration duration) {
        Instant now = dbNow(h);
        SessionLease current = lock(h, claim.sessionId());
        if (!claim.sameGrant(current)) {
            throw new SessionLeaseException.Stale(claim.sessionId(), claim.fencingToken(), current);
        }
        SessionLease renewed =
                new SessionLease(claim.sessionId(), claim.holder(), claim.fencingToken(), now.plus(duration));
        h.createUpdate("UPDATE " + TABLE + " SET expires_at = :e WHERE session_id = :s AND token = :k")
                .bind("e", Rows.timestamp(renewed.expiresAt()))
                .bind("s", claim.sessionId())
                .bind("k", claim.fencingToken())
                .execute();
        return renewed;
    }

    /** Ends {@code claim} if it is still current. */
    public boolean release(Handle h, SessionLease claim) {
        return h.createUpdate("DELETE FROM " + TABLE + " WHERE session_id = :s AND holder = :h AND token = :k")
                        .bind("s", claim.sessionId())
                        .bind("h", claim.holder())
                        .bind("k", claim.fencingToken())
                        .execute()
                > 0;
    }

    public Optional<SessionLease> find(Handle h, String sessionId) {
        return h.createQuery("SELECT session_id, holder, token, expires_at FROM " + TABLE + " WHERE session_id = :s")
                .bind("s", sessionId)
                .map((rs, ctx) -> lease(rs))
                .findOne();
    }

    /**
     * Refuses an append whose token is not the session's current claim's ({@link
     * SessionStore#UNFENCED} when unclaimed). Locks the claim row until the append commits, so a
     * take-over waits for the append, and an append after the take-over sees the new token.
     */
    public void checkToken(Handle h, String sessionId, long fencingToken) {
        SessionLease current = lock(h, sessionId);
        long expected = current == null ? SessionStore.UNFENCED : current.fencingToken();
        if (fencingToken != expected) {
            throw new SessionLeaseException.Stale(sessionId, fencingToken, current);
        }
    }

    /** Removes the session's claim, whoever holds it (with the session). */
    public void delete(Handle h, String sessionId) {
        h.createUpdate("DELETE FROM " + TABLE + " WHERE session_id = :s")
                .bind("s", sessionId)
                .execute();
    }

    private static SessionLease lock(Handle h, String sessionId) {
        return h.createQuery("SELECT session_id, holder, token, expires_at FROM " + TABLE
                        + " WHERE session_id = :s FOR UPDATE")
                .bind("s", sessionId)
                .map((rs, ctx) -> lease(rs))
                .findOne()
                .orElse(null);
    }

    private static Instant dbNow(Handle h) {
        return h.createQuery("SELECT CURRENT_TIMESTAMP")
                .map((rs, ctx) -> rs.getObject(1, OffsetDateTime.class).toInstant())
                .one()
                .truncatedTo(ChronoUnit.MILLIS);
    }

    private static SessionLease lease(ResultSet rs) throws SQLException {
        return new SessionLease(
                rs.getString(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getObject(4, OffsetDateTime.class).toInstant());
    }
}
