package io.github.copilot4j.spi;

import io.github.copilot4j.Page;
import io.github.copilot4j.SessionQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable record of sessions and their persisted events, shared by every process that uses the
 * same backing storage (a database, say).
 *
 * <p>Contract (checked by the contract test kit in {@code copilot-testing}, which every
 * implementation should run):
 *
 * <ul>
 *   <li>One {@link SessionRecord} per session id. {@link #create} fails on an existing id; {@link
 *       #update} is optimistic: it succeeds only when the given record's {@code version} equals the
 *       stored one, and returns the record with {@code version + 1}.
 *   <li>Events are append-only. The store allocates each event's {@code seq} inside the write:
 *       per session, starting at 1, strictly increasing and gap-free, even with concurrent writers
 *       in several processes. Appending an event id that the session already has is a no-op
 *       (idempotent), so retries never duplicate.
 *   <li>Appending also moves the session's {@code lastActivityAt} forward (never back), to at
 *       least the store clock's "now"; {@link #update} never moves it back either.
 *   <li>A negative {@code limit} or {@code count} is an {@link IllegalArgumentException}.
 *   <li>{@link #delete} removes a session, all its events and its claim atomically.
 *   <li>Timestamps are kept with millisecond precision (the records truncate to millis).
 * </ul>
 *
 * <h2>Claims: one driver per session</h2>
 *
 * A client drives a session only while it holds the session's <em>claim</em> in the store, so
 * two clients (in two processes, say) sharing a store cannot both drive one session and fork its
 * history. A claim is a {@link SessionLease}: a holder, an expiry, and a fencing token.
 *
 * <ul>
 *   <li>{@link #claimSession} grants the session to a holder if nobody holds it, its claim
 *       expired, or the same holder asks again; each grant gets a new fencing token, larger than
 *       every token the store issued before. Otherwise it throws {@link
 *       SessionLeaseException.Held}. The session need not exist yet (a client claims an id before
 *       it creates the session).
 *   <li>{@link #renewClaim} extends a claim that is still the current one (even if it expired, as
 *       long as nobody took it over); else {@link SessionLeaseException.Stale}.
 *   <li>{@link #append(String, List, long)} carries the writer's fencing token: the current
 *       claim's token, or {@link #UNFENCED} for a session nobody has claimed. Any other token is
 *       refused with {@link SessionLeaseException.Stale}, atomically with the append, so a holder
 *       that was paused past its expiry and replaced cannot add to the history.
 *   <li>Expiry is judged by the store's clock (a database uses its own), so clients on different
 *       machines need no synchronized clocks.
 * </ul>
 *
 * <p>Stores written before claims existed keep compiling: the default {@link #claimSession}
 * throws {@link UnsupportedOperationException}, and the default fenced append accepts only {@link
 * #UNFENCED}. A {@code CopilotClient} on such a store logs a warning once and drives sessions
 * without a claim: it then cannot stop another process from driving the same session. Every
 * store shared between processes should implement the four claim methods and the fenced append
 * (the contract kit checks them).
 *
 * <p>Failures are reported as {@link SessionStoreException} (or its subclasses); implementations
 * never swallow them. Implementations must be safe for concurrent use from many threads.
 */
public interface SessionStore extends AutoCloseable {

    /** The fencing token of appends to a session that nobody has claimed. */
    long UNFENCED = 0;

    /**
     * Inserts a new session record with {@code version} 1 (whatever the given version is).
     *
     * @throws SessionStoreException.DuplicateSession if the id already exists
     */
    SessionRecord create(SessionRecord record);

    /**
     * Replaces the stored record if its version equals {@code record.version()}.
     *
     * @return the stored record, with version {@code record.version() + 1}
     * @throws SessionStoreException.StaleVersion if the stored version differs
     * @throws SessionStoreException.NoSuchSession if there is no such session
     */
    SessionRecord update(SessionRecord record);

    /** The session's record, if the store has it. */
    Optional<SessionRecord> find(String sessionId);

    /**
     * Appends events to a session, in the given order, skipping any whose {@code eventId} the
     * session already has. This is the unfenced append ({@link #UNFENCED}): a store with claims
     * refuses it for a claimed session ({@link #append(String, List, long)}).
     *
     * @return the events that were newly stored, with their allocated {@code seq}, in order
     * @throws SessionStoreException.NoSuchSession if there is no such session
     */
    List<StoredEvent> append(String sessionId, List<NewEvent> events);

    /**
     * {@link #append(String, List)}, fenced: only if {@code fencingToken} is the token of the
     * session's current claim (expired or not, as long as nobody took it over), or {@link
     * #UNFENCED} when the session has no claim. Checked atomically with the append.
     *
     * <p>The default is for stores without claims: it appends for {@link #UNFENCED} and refuses
     * any other token. Stores that implement {@link #claimSession} must override it, and should
     * make {@link #append(String, List)} refuse a claimed session (it is the unfenced append).
     *
     * @throws SessionLeaseException.Stale if the token is not the current one
     * @throws SessionStoreException.NoSuchSession if there is no such session
     */
    default List<StoredEvent> append(String sessionId, List<NewEvent> events, long fencingToken) {
        if (fencingToken != UNFENCED) {
            throw new SessionLeaseException.Stale(sessionId, fencingToken, null);
        }
        return append(sessionId, events);
    }

    /**
     * Events of a session with {@code seq > afterSeq}, ascending, at most {@code limit}. An unknown
     * session yields an empty list.
     */
    List<StoredEvent> readEvents(String sessionId, long afterSeq, int limit);

    /** The last {@code count} events of a session, in ascending {@code seq} order. */
    List<StoredEvent> lastEvents(String sessionId, int count);

    /**
     * Sessions matching the query, most recent activity first (ties broken by id, descending), one
     * page at a time. Paging uses keyset cursors, never offsets.
     */
    Page<SessionRecord> list(SessionQuery query);

    /** Removes the session and its events atomically. Returns false if there was no such session. */
    boolean delete(String sessionId);

    /**
     * The session's record if it belongs to {@code owner} (compared exactly); empty for another
     * owner's session, as for a missing one, so a caller scoped to one owner learns nothing of
     * others' sessions.
     *
     * @throws IllegalArgumentException if {@code owner} is null
     */
    default Optional<SessionRecord> find(String sessionId, String owner) {
        requireOwner(owner);
        return find(sessionId).filter(r -> owner.equals(r.owner()));
    }

    /**
     * {@link #readEvents(String, long, int)} for a session of {@code owner} only; another owner's
     * session reads as empty.
     */
    default List<StoredEvent> readEvents(String sessionId, String owner, long afterSeq, int limit) {
        return find(sessionId, owner).isPresent() ? readEvents(sessionId, afterSeq, limit) : List.of();
    }

    /**
     * Removes the session and its events only if it belongs to {@code owner}; another owner's
     * session is left untouched and this returns false. The default checks, then deletes;
     * implementations should make it one atomic step.
     */
    default boolean delete(String sessionId, String owner) {
        return find(sessionId, owner).isPresent() && delete(sessionId);
    }

    private static void requireOwner(String owner) {
        if (owner == null) {
            throw new IllegalArgumentException("owner must not be null for an owner-scoped call");
        }
    }

    // ------------------------------------------------------------------ claims

    /**
     * Grants the session to {@code holder} for {@code duration} (by the store's clock), with a new
     * fencing token: if nobody holds it, the current claim expired, or {@code holder} holds it
     * already (then the old token stops being valid). Needs no session record.
     *
     * <p>The default throws {@link UnsupportedOperationException}: the store cannot enforce one
     * driver per session (see the class comment).
     *
     * @throws SessionLeaseException.Held if another holder's claim has not expired
     * @throws UnsupportedOperationException if the store has no claims
     */
    default SessionLease claimSession(String sessionId, String holder, Duration duration) {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement session claims"
                + " (SessionStore.claimSession), so it cannot keep two clients from driving one session");
    }

    /**
     * Extends {@code claim} to {@code duration} from now, if it is still the session's current claim.
     *
     * @return the renewed claim (same token, later expiry)
     * @throws SessionLeaseException.Stale if another claim replaced it, or it was released
     */
    default SessionLease renewClaim(SessionLease claim, Duration duration) {
        throw new SessionLeaseException.Stale(claim.sessionId(), claim.fencingToken(), null);
    }

    /** Ends {@code claim} if it is still current; returns false if it was not. */
    default boolean releaseClaim(SessionLease claim) {
        return false;
    }

    /** The session's current claim (possibly expired), if any. */
    default Optional<SessionLease> findClaim(String sessionId) {
        return Optional.empty();
    }

    /** Removes every session whose {@code expiresAt} is before {@code cutoff}; returns how many. */
    int deleteExpired(Instant cutoff);

    /** Releases what the store owns (connection pools it created). Idempotent. */
    @Override
    void close();
}
