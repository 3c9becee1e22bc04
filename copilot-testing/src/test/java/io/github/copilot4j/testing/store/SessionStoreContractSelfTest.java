package io.github.copilot4j.testing.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.copilot4j.Page;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.KeysetCursor;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.InMemorySessionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The contract must be able to fail: each broken store below breaks one rule, and the contract
 * must report failures in the group that covers it (and, for the correct store, none at all).
 */
class SessionStoreContractSelfTest {

    @Test
    void theCorrectStorePassesEveryGroup() {
        Result r = run(CorrectStore.class);
        assertEquals(Set.of(), r.failedGroups, "failures: " + r.failures);
        assertTrue(r.passed > 50, "the contract ran its tests, passed " + r.passed);
    }

    @Test
    void forgettingIdempotencyIsCaught() {
        assertTrue(run(NonIdempotentStore.class).failedGroups.contains("Idempotency"));
    }

    @Test
    void ignoringTheOwnerFilterIsCaught() {
        assertTrue(run(OwnerLeakingStore.class).failedGroups.contains("OwnerIsolation"));
    }

    @Test
    void aCursorThatDoesNotAdvanceIsCaught() {
        assertTrue(run(StuckCursorStore.class).failedGroups.contains("Paging"));
    }

    @Test
    void lastWriterWinsUpdatesAreCaught() {
        Result r = run(LastWriterWinsStore.class);
        assertTrue(r.failedGroups.containsAll(Set.of("Crud", "Concurrency")), "failed groups " + r.failedGroups);
    }

    @Test
    void appendsThatIgnoreTheFencingTokenAreCaught() {
        assertEquals(Set.of("Claims"), run(UnfencedStore.class).failedGroups);
    }

    @Test
    void aStoreWithoutClaimsFailsTheClaimsGroupOnly() {
        assertEquals(Set.of("Claims"), run(NoClaimsStore.class).failedGroups);
    }

    // ------------------------------------------------------------------------------------------

    private record Result(Set<String> failedGroups, List<String> failures, int passed) {}

    private static Result run(Class<?> contractClass) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(contractClass))
                .build();
        Set<String> groups = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        int[] passed = {0};
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    return;
                }
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    passed[0]++;
                } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                    String uid = id.getUniqueId();
                    int at = uid.indexOf("[nested-class:");
                    groups.add(at < 0 ? "?" : uid.substring(at + 14, uid.indexOf(']', at)));
                    failures.add(id.getDisplayName() + ": "
                            + result.getThrowable().map(Throwable::toString).orElse(""));
                }
            }
        });
        return new Result(groups, failures, passed[0]);
    }

    /** Delegates everything to an in-memory store; subclasses break one thing. */
    static class Delegating implements SessionStore {
        final InMemorySessionStore d = new InMemorySessionStore();

        @Override
        public SessionRecord create(SessionRecord r) {
            return d.create(r);
        }

        @Override
        public SessionRecord update(SessionRecord r) {
            return d.update(r);
        }

        @Override
        public Optional<SessionRecord> find(String id) {
            return d.find(id);
        }

        @Override
        public List<StoredEvent> append(String id, List<NewEvent> e) {
            return d.append(id, e);
        }

        @Override
        public List<StoredEvent> append(String id, List<NewEvent> e, long token) {
            return d.append(id, e, token);
        }

        @Override
        public SessionLease claimSession(String id, String holder, Duration t) {
            return d.claimSession(id, holder, t);
        }

        @Override
        public SessionLease renewClaim(SessionLease c, Duration t) {
            return d.renewClaim(c, t);
        }

        @Override
        public boolean releaseClaim(SessionLease c) {
            return d.releaseClaim(c);
        }

        @Override
        public Optional<SessionLease> findClaim(String id) {
            return d.findClaim(id);
        }

        @Override
        public List<StoredEvent> readEvents(String id, long after, int limit) {
            return d.readEvents(id, after, limit);
        }

        @Override
        public List<StoredEvent> lastEvents(String id, int n) {
            return d.lastEvents(id, n);
        }

        @Override
        public Page<SessionRecord> list(SessionQuery q) {
            return d.list(q);
        }

        @Override
        public boolean delete(String id) {
            return d.delete(id);
        }

        @Override
        public int deleteExpired(Instant cutoff) {
            return d.deleteExpired(cutoff);
        }

        @Override
        public void close() {
            d.close();
        }
    }

    /** Stores every append as new events. */
    static final class NonIdempotent extends Delegating {
        private final AtomicLong n = new AtomicLong();

        @Override
        public List<StoredEvent> append(String id, List<NewEvent> events) {
            return d.append(
                    id,
                    events.stream()
                            .map(e -> new NewEvent(
                                    e.eventId() + "#" + n.incrementAndGet(),
                                    e.type(),
                                    e.timestamp(),
                                    e.parentId(),
                                    e.agentId(),
                                    e.dataJson()))
                            .collect(Collectors.toList()));
        }
    }

    /** Takes claims but appends whatever token comes with the events. */
    static final class Unfenced extends Delegating {
        @Override
        public List<StoredEvent> append(String id, List<NewEvent> events, long token) {
            Optional<SessionLease> claim = d.findClaim(id);
            return d.append(id, events, claim.isPresent() ? claim.get().fencingToken() : UNFENCED);
        }

        @Override
        public List<StoredEvent> append(String id, List<NewEvent> events) {
            return append(id, events, UNFENCED);
        }
    }

    /** Written before claims existed: only the abstract methods, the SPI's defaults for the rest. */
    static final class NoClaims implements SessionStore {
        final InMemorySessionStore d = new InMemorySessionStore();

        @Override
        public SessionRecord create(SessionRecord r) {
            return d.create(r);
        }

        @Override
        public SessionRecord update(SessionRecord r) {
            return d.update(r);
        }

        @Override
        public Optional<SessionRecord> find(String id) {
            return d.find(id);
        }

        @Override
        public List<StoredEvent> append(String id, List<NewEvent> e) {
            return d.append(id, e);
        }

        @Override
        public List<StoredEvent> readEvents(String id, long after, int limit) {
            return d.readEvents(id, after, limit);
        }

        @Override
        public List<StoredEvent> lastEvents(String id, int n) {
            return d.lastEvents(id, n);
        }

        @Override
        public Page<SessionRecord> list(SessionQuery q) {
            return d.list(q);
        }

        @Override
        public boolean delete(String id) {
            return d.delete(id);
        }

        @Override
        public int deleteExpired(Instant cutoff) {
            return d.deleteExpired(cutoff);
        }

        @Override
        public void close() {
            d.close();
        }
    }

    /** Lists every owner's sessions whatever the query says. */
    static final class OwnerLeaking extends Delegating {
        @Override
        public Page<SessionRecord> list(SessionQuery q) {
            return d.list(new SessionQuery(null, q.activeSince(), q.limit(), q.after()));
        }
    }

    /** Hands out a cursor after the page's first row instead of its last. */
    static final class StuckCursor extends Delegating {
        @Override
        public Page<SessionRecord> list(SessionQuery q) {
            Page<SessionRecord> p = d.list(q);
            return p.hasMore()
                    ? new Page<>(
                            p.items(),
                            Optional.of(KeysetCursor.after(p.items().get(0)).encode()))
                    : p;
        }
    }

    /** Ignores the version on update. */
    static final class LastWriterWins extends Delegating {
        @Override
        public synchronized SessionRecord update(SessionRecord r) {
            return d.find(r.sessionId())
                    .map(cur -> d.update(r.withVersion(cur.version())))
                    .orElseGet(() -> d.update(r));
        }
    }

    static class CorrectStore extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new Delegating();
        }
    }

    static class NonIdempotentStore extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new NonIdempotent();
        }
    }

    static class OwnerLeakingStore extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new OwnerLeaking();
        }
    }

    static class StuckCursorStore extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new StuckCursor();
        }
    }

    static class UnfencedStore extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new Unfenced();
        }
    }

    static class NoClaimsStore extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new NoClaims();
        }
    }

    static class LastWriterWinsStore extends SessionStoreContract {
        @Override
        protected SessionStore newStore() {
            return new LastWriterWins();
        }
    }
}
