package io.github.copilot4j.testing.reliability;

import io.github.copilot4j.Page;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Wraps a store and fails every call while "down", like a database that is unreachable; can also
 * refuse single events (as a database refuses text it cannot hold). Thread-safe.
 */
final class FlakyStore implements SessionStore {
    private final SessionStore delegate;
    private volatile boolean down;
    private volatile Predicate<NewEvent> refused = e -> false;
    final AtomicInteger failedCalls = new AtomicInteger();

    FlakyStore(SessionStore delegate) {
        this.delegate = delegate;
    }

    void down(boolean isDown) {
        this.down = isDown;
    }

    void refuse(Predicate<NewEvent> which) {
        this.refused = which;
    }

    private void check(String op) {
        if (down) {
            failedCalls.incrementAndGet();
            throw new SessionStoreException("the database is unreachable (test outage) during " + op);
        }
    }

    @Override
    public SessionRecord create(SessionRecord record) {
        check("create");
        return delegate.create(record);
    }

    @Override
    public SessionRecord update(SessionRecord record) {
        check("update");
        return delegate.update(record);
    }

    @Override
    public Optional<SessionRecord> find(String sessionId) {
        check("find");
        return delegate.find(sessionId);
    }

    @Override
    public List<StoredEvent> append(String sessionId, List<NewEvent> events) {
        return append(sessionId, events, UNFENCED);
    }

    @Override
    public List<StoredEvent> append(String sessionId, List<NewEvent> events, long fencingToken) {
        check("append");
        for (NewEvent e : events) {
            if (refused.test(e)) {
                throw new IllegalArgumentException("event data contains text this store cannot hold (test)");
            }
        }
        return delegate.append(sessionId, events, fencingToken);
    }

    @Override
    public SessionLease claimSession(String sessionId, String holder, Duration duration) {
        check("claimSession");
        return delegate.claimSession(sessionId, holder, duration);
    }

    @Override
    public SessionLease renewClaim(SessionLease claim, Duration duration) {
        check("renewClaim");
        return delegate.renewClaim(claim, duration);
    }

    @Override
    public boolean releaseClaim(SessionLease claim) {
        check("releaseClaim");
        return delegate.releaseClaim(claim);
    }

    @Override
    public Optional<SessionLease> findClaim(String sessionId) {
        check("findClaim");
        return delegate.findClaim(sessionId);
    }

    @Override
    public List<StoredEvent> readEvents(String sessionId, long afterSeq, int limit) {
        check("readEvents");
        return delegate.readEvents(sessionId, afterSeq, limit);
    }

    @Override
    public List<StoredEvent> lastEvents(String sessionId, int count) {
        check("lastEvents");
        return delegate.lastEvents(sessionId, count);
    }

    @Override
    public Page<SessionRecord> list(SessionQuery query) {
        check("list");
        return delegate.list(query);
    }

    @Override
    public boolean delete(String sessionId) {
        check("delete");
        return delegate.delete(sessionId);
    }

    @Override
    public int deleteExpired(Instant cutoff) {
        check("deleteExpired");
        return delegate.deleteExpired(cutoff);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
