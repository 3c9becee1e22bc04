package io.github.copilot4j.testing.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The claims part of the {@link SessionStore} contract (one driver per session, fenced appends),
 * run by {@link SessionStoreContract} as its {@code Claims} group. Subclasses say which store to
 * check ({@link #store()}) and, optionally, a second instance over the same data.
 *
 * <p>Expiry: the tests wait until the claim's expiry has passed by this host's clock ({@link
 * #awaitStoreTimePast}); a store whose clock is another machine's must override that.
 */
public abstract class SessionClaimsContract {
    private static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Duration SHORT = Duration.ofMillis(300);

    /** For subclasses, which say which store to check. */
    protected SessionClaimsContract() {}

    /** The store under test (fresh and empty for every test). */
    protected abstract SessionStore store();

    /** A second instance over the same data, or null if the store cannot open one. */
    protected SessionStore otherInstance() throws Exception {
        return null;
    }

    /**
     * Returns once the store's clock is past {@code t}. The default waits for this host's clock
     * (the store's clock is this host's, or a database on it); there is nothing else to wait on.
     */
    protected void awaitStoreTimePast(Instant t) throws InterruptedException {
        Instant target = t.plusMillis(2);
        for (Instant now = Instant.now(); !now.isAfter(target); now = Instant.now()) {
            Thread.sleep(Math.max(1, Duration.between(now, target).toMillis() + 1));
        }
    }

    private static NewEvent event(String id) {
        return new NewEvent(id, "test.event", T0, null, null, "{\"id\":\"" + id + "\"}");
    }

    private SessionStore created(String id) {
        store().create(SessionRecord.newSession(id, "owner", "model", T0));
        return store();
    }

    @Test
    void aClaimIsRefusedToAnotherHolderNamingTheHolderAndExpiry() {
        SessionLease a = store().claimSession("s1", "client-A", LONG);
        assertEquals("s1", a.sessionId());
        assertEquals("client-A", a.holder());
        assertTrue(a.fencingToken() > SessionStore.UNFENCED, "tokens are positive");
        assertTrue(
                a.expiresAt().isAfter(Instant.now().plus(Duration.ofMinutes(4))),
                "expires about 5 minutes from now: " + a.expiresAt());
        SessionLeaseException.Held held =
                assertThrows(SessionLeaseException.Held.class, () -> store().claimSession("s1", "client-B", LONG));
        assertEquals("client-A", held.holder());
        assertEquals(a.expiresAt(), held.expiresAt());
        assertEquals("s1", held.sessionId());
        assertTrue(held.getMessage().contains("client-A"), held.getMessage());
        assertEquals(Optional.of(a), store().findClaim("s1"), "the claim is unchanged by the refusal");
    }

    @Test
    void aClaimNeedsNoSessionRecordAndFencesTheAppendsOfTheSessionCreatedAfterIt() {
        SessionLease a = store().claimSession("later", "client-A", LONG);
        created("later");
        assertEquals(
                1,
                store().append("later", List.of(event("e1")), a.fencingToken()).size());
        assertThrows(
                SessionLeaseException.Stale.class,
                () -> store().append("later", List.of(event("e2")), SessionStore.UNFENCED));
        assertThrows(
                SessionLeaseException.Stale.class,
                () -> store().append("later", List.of(event("e2"))),
                "the unfenced append is refused for a claimed session");
        assertThrows(
                SessionLeaseException.Stale.class,
                () -> store().append("later", List.of(event("e2")), a.fencingToken() + 1000));
        assertEquals(
                List.of("e1"),
                store().readEvents("later", 0, 100).stream()
                        .map(StoredEvent::eventId)
                        .toList(),
                "refused appends store nothing");
    }

    @Test
    void anUnclaimedSessionTakesOnlyUnfencedAppends() {
        created("free");
        assertEquals(
                1,
                store().append("free", List.of(event("e1")), SessionStore.UNFENCED)
                        .size());
        assertEquals(1, store().append("free", List.of(event("e2"))).size());
        SessionLeaseException.Stale stale =
                assertThrows(SessionLeaseException.Stale.class, () -> store().append("free", List.of(event("e3")), 42));
        assertEquals(42, stale.fencingToken());
        assertEquals(2, store().readEvents("free", 0, 100).size());
    }

    @Test
    void everyGrantGetsALargerTokenAndTheSameHoldersNewGrantRetiresTheOldToken() {
        created("s");
        SessionLease first = store().claimSession("s", "client-A", LONG);
        SessionLease other = store().claimSession("other-session", "client-B", LONG);
        SessionLease again = store().claimSession("s", "client-A", LONG);
        assertTrue(other.fencingToken() > first.fencingToken(), first + " then " + other);
        assertTrue(again.fencingToken() > other.fencingToken(), other + " then " + again);
        assertThrows(
                SessionLeaseException.Stale.class,
                () -> store().append("s", List.of(event("old")), first.fencingToken()));
        assertThrows(SessionLeaseException.Stale.class, () -> store().renewClaim(first, LONG));
        assertFalse(store().releaseClaim(first), "an old grant releases nothing");
        assertEquals(
                1,
                store().append("s", List.of(event("new")), again.fencingToken()).size());
    }

    @Test
    void renewingKeepsTheTokenAndMovesTheExpiryForward() throws Exception {
        SessionLease a = store().claimSession("s", "client-A", SHORT);
        SessionLease renewed = store().renewClaim(a, LONG);
        assertEquals(a.fencingToken(), renewed.fencingToken());
        assertEquals("client-A", renewed.holder());
        assertTrue(renewed.expiresAt().isAfter(a.expiresAt()), a + " renewed to " + renewed);
        awaitStoreTimePast(a.expiresAt());
        assertThrows(
                SessionLeaseException.Held.class,
                () -> store().claimSession("s", "client-B", LONG),
                "the renewed claim outlives the first expiry");
    }

    @Test
    void anExpiredClaimIsTakenOverAndTheStaleHolderCanNoLongerWriteRenewOrRelease() throws Exception {
        created("s");
        SessionLease a = store().claimSession("s", "client-A", SHORT);
        store().append("s", List.of(event("by-A")), a.fencingToken());
        awaitStoreTimePast(a.expiresAt());
        SessionLease b = store().claimSession("s", "client-B", LONG);
        assertTrue(b.fencingToken() > a.fencingToken());
        SessionLeaseException.Stale stale = assertThrows(
                SessionLeaseException.Stale.class,
                () -> store().append("s", List.of(event("late-A")), a.fencingToken()));
        assertEquals(a.fencingToken(), stale.fencingToken());
        assertTrue(stale.getMessage().contains("client-B"), "names the new holder: " + stale.getMessage());
        assertThrows(SessionLeaseException.Stale.class, () -> store().renewClaim(a, LONG));
        assertFalse(store().releaseClaim(a));
        assertEquals(Optional.of(b), store().findClaim("s"), "the stale holder changed nothing");
        store().append("s", List.of(event("by-B")), b.fencingToken());
        assertEquals(
                List.of("by-A", "by-B"),
                store().readEvents("s", 0, 100).stream()
                        .map(StoredEvent::eventId)
                        .toList());
    }

    @Test
    void anExpiredClaimNobodyTookIsStillItsHoldersToRenewAndWriteWith() throws Exception {
        created("s");
        SessionLease a = store().claimSession("s", "client-A", SHORT);
        awaitStoreTimePast(a.expiresAt());
        assertEquals(
                1, store().append("s", List.of(event("e")), a.fencingToken()).size());
        SessionLease renewed = store().renewClaim(a, LONG);
        assertEquals(a.fencingToken(), renewed.fencingToken());
        assertThrows(SessionLeaseException.Held.class, () -> store().claimSession("s", "client-B", LONG));
    }

    @Test
    void releaseFreesTheSessionAtOnce() {
        created("s");
        SessionLease a = store().claimSession("s", "client-A", LONG);
        assertTrue(store().releaseClaim(a));
        assertFalse(store().releaseClaim(a), "a second release is a no-op");
        assertEquals(Optional.empty(), store().findClaim("s"));
        assertThrows(
                SessionLeaseException.Stale.class,
                () -> store().append("s", List.of(event("e")), a.fencingToken()),
                "a released token no longer writes");
        assertEquals(
                1,
                store().append("s", List.of(event("e")), SessionStore.UNFENCED).size());
        SessionLease b = store().claimSession("s", "client-B", LONG);
        assertTrue(b.fencingToken() > a.fencingToken());
    }

    @Test
    void deletingTheSessionRemovesItsClaim() {
        created("s");
        store().claimSession("s", "client-A", LONG);
        assertTrue(store().delete("s"));
        assertEquals(Optional.empty(), store().findClaim("s"));
        store().claimSession("s", "client-B", LONG);
        created("owned");
        store().claimSession("owned", "client-A", LONG);
        assertFalse(store().delete("owned", "someone-else"));
        assertTrue(store().findClaim("owned").isPresent(), "another owner's delete leaves the claim");
        assertTrue(store().delete("owned", "owner"));
        assertEquals(Optional.empty(), store().findClaim("owned"));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> store().claimSession("s", null, LONG));
        assertThrows(IllegalArgumentException.class, () -> store().claimSession("s", " ", LONG));
        assertThrows(IllegalArgumentException.class, () -> store().claimSession("s", "h", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> store().claimSession("s", "h", Duration.ofSeconds(-1)));
        assertEquals(Optional.empty(), store().findClaim("s"));
    }

    @Test
    void ofManyConcurrentClaimsExactlyOneWins() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SessionLease>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String holder = "client-" + i;
                Callable<SessionLease> claim = () -> {
                    go.await();
                    try {
                        return store().claimSession("contended", holder, LONG);
                    } catch (SessionLeaseException.Held refused) {
                        return null;
                    }
                };
                results.add(pool.submit(claim));
            }
            go.countDown();
            List<SessionLease> granted = new ArrayList<>();
            for (Future<SessionLease> f : results) {
                SessionLease l = f.get(60, TimeUnit.SECONDS);
                if (l != null) {
                    granted.add(l);
                }
            }
            assertEquals(1, granted.size(), "one winner: " + granted);
            assertEquals(Optional.of(granted.get(0)), store().findClaim("contended"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anotherInstanceOverTheSameDataSeesTheClaimAndItsFencing() throws Exception {
        SessionStore other = otherInstance();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                other != null, "the store cannot open a second instance over the same data");
        try {
            created("shared");
            SessionLease a = store().claimSession("shared", "process-A", LONG);
            SessionLeaseException.Held held = assertThrows(
                    SessionLeaseException.Held.class, () -> other.claimSession("shared", "process-B", LONG));
            assertEquals("process-A", held.holder());
            assertThrows(
                    SessionLeaseException.Stale.class,
                    () -> other.append("shared", List.of(event("e")), SessionStore.UNFENCED));
            assertEquals(
                    1,
                    other.append("shared", List.of(event("e")), a.fencingToken())
                            .size());
            assertTrue(store().releaseClaim(a));
            SessionLease b = other.claimSession("shared", "process-B", LONG);
            assertNotEquals(a.fencingToken(), b.fencingToken());
            assertThrows(
                    SessionLeaseException.Stale.class,
                    () -> store().append("shared", List.of(event("f")), a.fencingToken()));
        } finally {
            other.close();
        }
    }
}
