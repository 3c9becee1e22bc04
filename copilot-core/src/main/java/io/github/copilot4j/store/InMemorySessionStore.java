package io.github.copilot4j.store;

import io.github.copilot4j.Page;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.KeysetCursor;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link SessionStore} in this JVM's memory: the default, and handy in tests. Nothing survives
 * the process. Thread-safe: every operation holds one lock, so it is linearizable but not built
 * for heavy concurrent load. Claims (one driver per session) expire by the store's clock.
 */
public final class InMemorySessionStore implements SessionStore {

    private static final Comparator<SessionRecord> BY_ACTIVITY_DESC = Comparator.comparing(
                    SessionRecord::lastActivityAt)
            .thenComparing(SessionRecord::sessionId)
            .reversed();

    private final Object lock = new Object();
    private final Map<String, Entry> sessions = new HashMap<>();
    private final Map<String, SessionLease> claims = new HashMap<>();
    private long lastToken;
    private final Clock clock;

    private static final class Entry {
        SessionRecord record;
        final List<StoredEvent> events = new ArrayList<>();
        final Set<String> eventIds = new HashSet<>();

        Entry(SessionRecord record) {
            this.record = record;
        }
    }

    /** An empty store on the system clock. */
    public InMemorySessionStore() {
        this(Clock.systemUTC());
    }

    /** An empty store on this clock. */
    public InMemorySessionStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public SessionRecord create(SessionRecord record) {
        synchronized (lock) {
            if (sessions.containsKey(record.sessionId())) {
                throw new SessionStoreException.DuplicateSession(record.sessionId());
            }
            SessionRecord stored = record.withVersion(1);
            sessions.put(record.sessionId(), new Entry(stored));
            return stored;
        }
    }

    @Override
    public SessionRecord update(SessionRecord record) {
        synchronized (lock) {
            Entry e = sessions.get(record.sessionId());
            if (e == null) {
                throw new SessionStoreException.NoSuchSession(record.sessionId());
            }
            if (e.record.version() != record.version()) {
                throw new SessionStoreException.StaleVersion(record.sessionId(), record.version(), e.record.version());
            }
            // Activity never moves back: an append may have happened since the caller read the record.
            Instant activity = record.lastActivityAt().isAfter(e.record.lastActivityAt())
                    ? record.lastActivityAt()
                    : e.record.lastActivityAt();
            SessionRecord stored = record.withVersion(record.version() + 1)
                    .withUpdatedAt(clock.instant())
                    .withLastActivityAt(activity);
            e.record = stored;
            return stored;
        }
    }

    @Override
    public Optional<SessionRecord> find(String sessionId) {
        synchronized (lock) {
            Entry e = sessions.get(sessionId);
            return e == null ? Optional.empty() : Optional.of(e.record);
        }
    }

    @Override
    public List<StoredEvent> append(String sessionId, List<NewEvent> events) {
        return append(sessionId, events, UNFENCED);
    }

    @Override
    public List<StoredEvent> append(String sessionId, List<NewEvent> events, long fencingToken) {
        synchronized (lock) {
            Entry e = sessions.get(sessionId);
            if (e == null) {
                throw new SessionStoreException.NoSuchSession(sessionId);
            }
            SessionLease claim = claims.get(sessionId);
            if (fencingToken != (claim == null ? UNFENCED : claim.fencingToken())) {
                throw new SessionLeaseException.Stale(sessionId, fencingToken, claim);
            }
            List<StoredEvent> added = new ArrayList<>();
            Instant latest = e.record.lastActivityAt();
            for (NewEvent ne : events) {
                if (!e.eventIds.add(ne.eventId())) {
                    continue;
                }
                StoredEvent se = StoredEvent.of(sessionId, e.events.size() + 1L, ne);
                e.events.add(se);
                added.add(se);
                if (ne.timestamp().isAfter(latest)) {
                    latest = ne.timestamp();
                }
            }
            if (!added.isEmpty()) {
                Instant now = clock.instant();
                if (now.isAfter(latest)) {
                    latest = now;
                }
                e.record = e.record.withLastActivityAt(latest);
            }
            return added;
        }
    }

    @Override
    public List<StoredEvent> readEvents(String sessionId, long afterSeq, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        synchronized (lock) {
            Entry e = sessions.get(sessionId);
            if (e == null || afterSeq >= e.events.size()) {
                return List.of();
            }
            int from = (int) Math.max(0, afterSeq);
            return List.copyOf(e.events.subList(from, (int) Math.min(e.events.size(), (long) from + limit)));
        }
    }

    @Override
    public List<StoredEvent> lastEvents(String sessionId, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        synchronized (lock) {
            Entry e = sessions.get(sessionId);
            if (e == null) {
                return List.of();
            }
            return List.copyOf(e.events.subList(Math.max(0, e.events.size() - count), e.events.size()));
        }
    }

    @Override
    public Page<SessionRecord> list(SessionQuery query) {
        KeysetCursor cursor = query.after() == null ? null : KeysetCursor.decode(query.after());
        List<SessionRecord> matching = new ArrayList<>();
        synchronized (lock) {
            for (Entry e : sessions.values()) {
                SessionRecord r = e.record;
                if (query.owner() != null && !query.owner().equals(r.owner())) {
                    continue;
                }
                if (query.activeSince() != null && r.lastActivityAt().isBefore(query.activeSince())) {
                    continue;
                }
                if (cursor != null && !cursor.isBefore(r.lastActivityAt(), r.sessionId())) {
                    continue;
                }
                matching.add(r);
            }
        }
        matching.sort(BY_ACTIVITY_DESC);
        if (matching.size() > query.limit()) {
            List<SessionRecord> page = matching.subList(0, query.limit());
            return new Page<>(
                    page,
                    Optional.of(KeysetCursor.after(page.get(page.size() - 1)).encode()));
        }
        return Page.last(matching);
    }

    @Override
    public boolean delete(String sessionId) {
        synchronized (lock) {
            claims.remove(sessionId);
            return sessions.remove(sessionId) != null;
        }
    }

    @Override
    public boolean delete(String sessionId, String owner) {
        if (owner == null) {
            throw new IllegalArgumentException("owner must not be null for an owner-scoped call");
        }
        synchronized (lock) {
            Entry e = sessions.get(sessionId);
            if (e == null || !owner.equals(e.record.owner())) {
                return false;
            }
            claims.remove(sessionId);
            return sessions.remove(sessionId) != null;
        }
    }

    @Override
    public SessionLease claimSession(String sessionId, String holder, Duration duration) {
        requireClaimArgs(sessionId, holder, duration);
        synchronized (lock) {
            Instant now = clock.instant();
            SessionLease current = claims.get(sessionId);
            if (current != null
                    && !current.holder().equals(holder)
                    && current.expiresAt().isAfter(now)) {
                throw new SessionLeaseException.Held(current);
            }
            SessionLease granted = new SessionLease(sessionId, holder, ++lastToken, now.plus(duration));
            claims.put(sessionId, granted);
            return granted;
        }
    }

    @Override
    public SessionLease renewClaim(SessionLease claim, Duration duration) {
        if (claim == null) {
            throw new IllegalArgumentException("claim must not be null");
        }
        requireClaimArgs(claim.sessionId(), claim.holder(), duration);
        synchronized (lock) {
            SessionLease current = claims.get(claim.sessionId());
            if (!claim.sameGrant(current)) {
                throw new SessionLeaseException.Stale(claim.sessionId(), claim.fencingToken(), current);
            }
            SessionLease renewed = new SessionLease(
                    claim.sessionId(),
                    claim.holder(),
                    claim.fencingToken(),
                    clock.instant().plus(duration));
            claims.put(claim.sessionId(), renewed);
            return renewed;
        }
    }

    @Override
    public boolean releaseClaim(SessionLease claim) {
        if (claim == null) {
            throw new IllegalArgumentException("claim must not be null");
        }
        synchronized (lock) {
            return claim.sameGrant(claims.get(claim.sessionId())) && claims.remove(claim.sessionId()) != null;
        }
    }

    @Override
    public Optional<SessionLease> findClaim(String sessionId) {
        synchronized (lock) {
            return Optional.ofNullable(claims.get(sessionId));
        }
    }

    private static void requireClaimArgs(String sessionId, String holder, Duration duration) {
        if (sessionId == null || sessionId.isBlank()) {
            throw new IllegalArgumentException("sessionId must not be null or blank");
        }
        if (holder == null || holder.isBlank()) {
            throw new IllegalArgumentException("holder must not be null or blank");
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("claim duration must be positive, was " + duration);
        }
    }

    @Override
    public int deleteExpired(Instant cutoff) {
        synchronized (lock) {
            int before = sessions.size();
            sessions.values()
                    .removeIf(e ->
                            e.record.expiresAt() != null && e.record.expiresAt().isBefore(cutoff));
            return before - sessions.size();
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
