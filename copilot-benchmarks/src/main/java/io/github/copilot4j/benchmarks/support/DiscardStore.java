package io.github.copilot4j.benchmarks.support;

import io.github.copilot4j.Page;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link SessionStore} that keeps nothing (it only counts appended events), so that a benchmark
 * measures the client's own cost and heap, not a store's. Not a correct store: it forgets
 * everything.
 */
public final class DiscardStore implements SessionStore {
    private final LongAdder appended = new LongAdder();

    public long appended() {
        return appended.sum();
    }

    @Override
    public SessionRecord create(SessionRecord record) {
        return record.withVersion(1);
    }

    @Override
    public SessionRecord update(SessionRecord record) {
        return record.withVersion(record.version() + 1);
    }

    @Override
    public Optional<SessionRecord> find(String sessionId) {
        return Optional.empty();
    }

    @Override
    public List<StoredEvent> append(String sessionId, List<NewEvent> events) {
        appended.add(events.size());
        return List.of();
    }

    @Override
    public List<StoredEvent> readEvents(String sessionId, long afterSeq, int limit) {
        return List.of();
    }

    @Override
    public List<StoredEvent> lastEvents(String sessionId, int count) {
        return List.of();
    }

    @Override
    public Page<SessionRecord> list(SessionQuery query) {
        return Page.last(List.of());
    }

    @Override
    public boolean delete(String sessionId) {
        return false;
    }

    @Override
    public int deleteExpired(Instant cutoff) {
        return 0;
    }

    @Override
    public void close() {}
}
