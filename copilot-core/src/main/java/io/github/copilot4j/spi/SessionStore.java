package io.github.copilot4j.spi;

import io.github.copilot4j.Page;
import io.github.copilot4j.SessionQuery;
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
 *   <li>{@link #delete} removes a session and all its events atomically.
 *   <li>Timestamps are kept with millisecond precision (the records truncate to millis).
 * </ul>
 *
 * <p>Failures are reported as {@link SessionStoreException} (or its subclasses); implementations
 * never swallow them. Implementations must be safe for concurrent use from many threads.
 */
public interface SessionStore extends AutoCloseable {

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
     * session already has.
     *
     * @return the events that were newly stored, with their allocated {@code seq}, in order
     * @throws SessionStoreException.NoSuchSession if there is no such session
     */
    List<StoredEvent> append(String sessionId, List<NewEvent> events);

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

    /** Removes every session whose {@code expiresAt} is before {@code cutoff}; returns how many. */
    int deleteExpired(Instant cutoff);

    /** Releases what the store owns (connection pools it created). Idempotent. */
    @Override
    void close();
}
