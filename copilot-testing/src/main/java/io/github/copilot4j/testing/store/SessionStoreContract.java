package io.github.copilot4j.testing.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.copilot4j.Page;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStatus;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link SessionStore} must have, as a JUnit 5 test class. To check a store,
 * subclass it in your tests and say how to make an empty store:
 *
 * <pre>{@code
 * class MyStoreContractTest extends SessionStoreContract {
 *     @Override protected SessionStore newStore() { return new MyStore(...); }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh, <em>empty</em> store from {@link #newStore()} and hands it to {@link
 * #cleanup(SessionStore)} afterwards (which closes it; override to also drop a database or
 * directory). Override {@link #newStoreOnSameData(SessionStore)} if your store can open a second
 * instance over the same data (another pool, as a second process would), to run the cross-instance
 * concurrency test too; otherwise that test is skipped.
 *
 * <p>Tests are grouped by topic in {@code @Nested} classes: {@link Crud}, {@link OrderingAndSeq},
 * {@link Idempotency}, {@link Paging}, {@link OwnerIsolation}, {@link Expiry}, {@link Concurrency},
 * {@link Claims} and {@link HostileValues}. Event {@code dataJson} is compared as JSON (a store may normalise
 * whitespace or key order, as PostgreSQL {@code jsonb} does); everything else is compared exactly.
 *
 * <p>Threads: JUnit runs each test on its own thread; the concurrency tests start up to {@value
 * #THREADS} worker threads of their own and bound every wait, so a deadlocked store fails the test
 * instead of hanging the build.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class SessionStoreContract {

    /** For subclasses, which say how to make the store under test. */
    protected SessionStoreContract() {}

    /** Worker threads in the concurrency tests. */
    protected static final int THREADS = 8;

    /** A fixed point in the past: every timestamp the tests choose is relative to it. */
    protected static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<SessionRecord> LIST_ORDER = Comparator.comparing(SessionRecord::lastActivityAt)
            .thenComparing(SessionRecord::sessionId)
            .reversed();

    /** The store under test; fresh and empty for every test. */
    protected SessionStore store;

    /** Makes a new, empty store. Called once before every test. */
    protected abstract SessionStore newStore() throws Exception;

    /** Releases a store made by {@link #newStore()}. The default closes it. */
    protected void cleanup(SessionStore store) throws Exception {
        store.close();
    }

    /**
     * A second store instance over the same data as {@code first} (as another process would open
     * it), or null if the store cannot do that, in which case the cross-instance test is skipped.
     * The contract closes it after the test, before {@link #cleanup(SessionStore)} of the first.
     */
    protected SessionStore newStoreOnSameData(SessionStore first) throws Exception {
        return null;
    }

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
        assertNotNull(store, "newStore() returned null");
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) {
            cleanup(store);
            store = null;
        }
    }

    // ------------------------------------------------------------------------------------------
    // helpers

    /** A record with every field set. */
    protected static SessionRecord fullRecord(String id, String owner, Instant lastActivity) {
        return new SessionRecord(
                id,
                owner,
                "gpt-5",
                "a summary",
                T0,
                T0.plusSeconds(1),
                lastActivity,
                T0.plus(Duration.ofDays(30)),
                SessionStatus.ACTIVE,
                0,
                Map.of("mode", "interactive", "cwd", "/tmp/work"));
    }

    /** A new record for the tests. */
    protected static SessionRecord record(String id, String owner, Instant lastActivity) {
        return new SessionRecord(id, owner, null, null, T0, T0, lastActivity, null, SessionStatus.ACTIVE, 0, Map.of());
    }

    /** A new record for the tests, with no owner. */
    protected static SessionRecord record(String id) {
        return record(id, null, T0);
    }

    /** A new event for the tests. */
    protected static NewEvent event(String eventId) {
        return new NewEvent(eventId, "assistant.message", T0, null, null, "{\"content\":\"" + eventId + "\"}");
    }

    /** New events {@code prefix + from} to {@code prefix + (toExclusive - 1)}. */
    protected static List<NewEvent> events(String prefix, int from, int toExclusive) {
        return IntStream.range(from, toExclusive)
                .mapToObj(i -> event(prefix + i))
                .collect(Collectors.toList());
    }

    /** Every event of a session, read in pages. */
    protected List<StoredEvent> allEvents(String sessionId) {
        List<StoredEvent> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<StoredEvent> page = store.readEvents(sessionId, after, 200);
            all.addAll(page);
            if (page.size() < 200) {
                return all;
            }
            after = page.get(page.size() - 1).seq();
        }
    }

    /** Every page of a query, following cursors (bounded, so a cursor loop fails instead of hanging). */
    protected List<Page<SessionRecord>> allPages(SessionQuery first) {
        List<Page<SessionRecord>> pages = new ArrayList<>();
        SessionQuery q = first;
        for (int i = 0; i < 10_000; i++) {
            Page<SessionRecord> page = store.list(q);
            pages.add(page);
            Optional<SessionQuery> next = q.next(page);
            if (next.isEmpty()) {
                return pages;
            }
            q = next.get();
        }
        return fail("list() kept returning a next cursor after 10000 pages: the cursor does not advance");
    }

    /** Every record the query finds, following the cursors page by page. */
    protected List<SessionRecord> listAll(SessionQuery first) {
        return allPages(first).stream().flatMap(p -> p.items().stream()).collect(Collectors.toList());
    }

    /** The session ids of the records, in order. */
    protected static List<String> ids(List<SessionRecord> records) {
        return records.stream().map(SessionRecord::sessionId).collect(Collectors.toList());
    }

    /** Asserts that the events' seq runs 1, 2, 3, ... without gaps. */
    protected static void assertSeqGapFree(List<StoredEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1L, events.get(i).seq(), "seq must be 1..N without gaps; at index " + i);
        }
    }

    /** Compares events field by field, and dataJson as JSON. */
    protected static void assertSameEvent(StoredEvent expected, StoredEvent actual) {
        assertEquals(expected.sessionId(), actual.sessionId(), "sessionId");
        assertEquals(expected.seq(), actual.seq(), "seq");
        assertEquals(expected.eventId(), actual.eventId(), "eventId");
        assertEquals(expected.type(), actual.type(), "type");
        assertEquals(expected.timestamp(), actual.timestamp(), "timestamp");
        assertEquals(expected.parentId(), actual.parentId(), "parentId");
        assertEquals(expected.agentId(), actual.agentId(), "agentId");
        assertEquals(json(expected.dataJson()), json(actual.dataJson()), "dataJson");
    }

    /** Asserts the same events, comparing event data as JSON. */
    protected static void assertSameEvents(List<StoredEvent> expected, List<StoredEvent> actual) {
        assertEquals(expected.size(), actual.size(), "number of events");
        for (int i = 0; i < expected.size(); i++) {
            assertSameEvent(expected.get(i), actual.get(i));
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Expected stored form of {@code e} at {@code seq}. */
    protected static StoredEvent stored(String sessionId, long seq, NewEvent e) {
        return StoredEvent.of(sessionId, seq, e);
    }

    /**
     * Runs {@code n} tasks at once (released together by a latch) and returns their results in
     * task order. Every wait is bounded; a task's exception fails the test with it as the cause.
     */
    protected static <T> List<T> runConcurrently(int n, IntFunction<Callable<T>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<T> c = task.apply(i);
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    if (!go.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("start signal never came");
                    }
                    return c.call();
                }));
            }
            assertTrue(ready.await(30, TimeUnit.SECONDS), "worker threads did not start within 30 s");
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    results.add(f.get(90, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    throw new AssertionError("a concurrent task failed: " + e.getCause(), e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                fail("worker threads still running 30 s after the test: the store hangs");
            }
        }
    }

    /** Asserts that {@code action} either succeeds or is refused with a clear, library-level error. */
    protected static boolean acceptedOrRefusedCleanly(String what, Runnable action) {
        try {
            action.run();
            return true;
        } catch (IllegalArgumentException | SessionStoreException e) {
            assertFalse(e instanceof SessionStoreException.DuplicateSession, what + ": refused as a duplicate: " + e);
            assertNotNull(e.getMessage(), what + ": refused without a message");
            assertFalse(e.getMessage().isBlank(), what + ": refused without a message");
            return false;
        } catch (RuntimeException e) {
            throw new AssertionError(
                    what + ": failed with " + e.getClass().getName()
                            + " instead of being stored or refused with IllegalArgumentException/SessionStoreException",
                    e);
        }
    }

    // ------------------------------------------------------------------------------------------

    /** Create, find, update, delete of session records. */
    @Nested
    class Crud {

        @Test
        void createThenFindReturnsTheRecordWithVersionOne() {
            SessionRecord in = fullRecord("s-1", "alice", T0.plusSeconds(5)).withVersion(42);
            SessionRecord created = store.create(in);
            assertEquals(in.withVersion(1), created);
            assertEquals(Optional.of(created), store.find("s-1"));
        }

        @Test
        void nullOptionalFieldsRoundTrip() {
            SessionRecord in = new SessionRecord("s-null", null, null, null, T0, null, null, null, null, 0, null);
            store.create(in);
            SessionRecord found = store.find("s-null").orElseThrow();
            assertEquals(in.withVersion(1), found);
            assertEquals(Map.of(), found.config());
            assertEquals(SessionStatus.ACTIVE, found.status());
        }

        @Test
        void timestampsKeepMilliseconds() {
            Instant odd = Instant.parse("2024-03-01T12:00:00.123456789Z");
            SessionRecord in = new SessionRecord(
                    "s-ms",
                    "o",
                    null,
                    null,
                    odd,
                    odd.plusMillis(1),
                    odd.plusMillis(2),
                    odd.plusMillis(3),
                    SessionStatus.DETACHED,
                    0,
                    Map.of());
            store.create(in);
            SessionRecord found = store.find("s-ms").orElseThrow();
            assertEquals(Instant.parse("2024-03-01T12:00:00.123Z"), found.createdAt());
            assertEquals(Instant.parse("2024-03-01T12:00:00.124Z"), found.updatedAt());
            assertEquals(Instant.parse("2024-03-01T12:00:00.125Z"), found.lastActivityAt());
            assertEquals(Instant.parse("2024-03-01T12:00:00.126Z"), found.expiresAt());
            assertEquals(SessionStatus.DETACHED, found.status());
        }

        @Test
        void createWithExistingIdThrowsDuplicateSessionAndKeepsTheOriginal() {
            SessionRecord first = store.create(fullRecord("dup", "alice", T0));
            SessionStoreException.DuplicateSession e = assertThrows(
                    SessionStoreException.DuplicateSession.class,
                    () -> store.create(record("dup", "mallory", T0.plusSeconds(9))));
            assertTrue(e.getMessage().contains("dup"), e.getMessage());
            assertEquals(Optional.of(first), store.find("dup"));
        }

        @Test
        void findUnknownIsEmpty() {
            assertEquals(Optional.empty(), store.find("nope"));
        }

        @Test
        void updateReplacesFieldsAndBumpsVersion() {
            SessionRecord v1 = store.create(fullRecord("u", "alice", T0));
            SessionRecord changed = v1.withSummary("new title")
                    .withModel("claude")
                    .withStatus(SessionStatus.DETACHED)
                    .withExpiresAt(T0.plus(Duration.ofDays(1)))
                    .withConfig(Map.of("k", "v", "ключ", "значение"));
            SessionRecord v2 = store.update(changed);
            assertEquals(2, v2.version());
            assertEquals("new title", v2.summary());
            assertEquals("claude", v2.model());
            assertEquals(SessionStatus.DETACHED, v2.status());
            assertEquals(T0.plus(Duration.ofDays(1)), v2.expiresAt());
            assertEquals(Map.of("k", "v", "ключ", "значение"), v2.config());
            assertEquals(Optional.of(v2), store.find("u"));

            SessionRecord v3 =
                    store.update(v2.withSummary(null).withExpiresAt(null).withConfig(Map.of()));
            assertEquals(3, v3.version());
            assertEquals(Optional.of(v3), store.find("u"));
            assertEquals(null, v3.summary());
            assertEquals(null, v3.expiresAt());
        }

        @Test
        void updateWithStaleVersionThrowsAndChangesNothing() {
            SessionRecord v1 = store.create(fullRecord("stale", "alice", T0));
            SessionRecord v2 = store.update(v1.withSummary("second"));
            SessionStoreException.StaleVersion e = assertThrows(
                    SessionStoreException.StaleVersion.class, () -> store.update(v1.withSummary("lost update")));
            assertTrue(e.getMessage().contains("stale"), e.getMessage());
            assertEquals(Optional.of(v2), store.find("stale"));
            assertThrows(
                    SessionStoreException.StaleVersion.class,
                    () -> store.update(v2.withVersion(99).withSummary("x")));
            assertEquals(Optional.of(v2), store.find("stale"));
        }

        @Test
        void updateOfUnknownSessionThrowsNoSuchSession() {
            assertThrows(
                    SessionStoreException.NoSuchSession.class,
                    () -> store.update(record("ghost").withVersion(1)));
            assertEquals(Optional.empty(), store.find("ghost"));
        }

        @Test
        void deleteRemovesTheSessionAndItsEvents() {
            store.create(record("d"));
            store.append("d", events("e", 0, 5));
            store.create(record("keep"));
            store.append("keep", events("e", 0, 2));

            assertTrue(store.delete("d"));
            assertEquals(Optional.empty(), store.find("d"));
            assertEquals(List.of(), store.readEvents("d", 0, 100));
            assertEquals(List.of(), store.lastEvents("d", 100));
            assertFalse(store.delete("d"), "second delete");
            assertThrows(SessionStoreException.NoSuchSession.class, () -> store.append("d", List.of(event("late"))));

            assertEquals(2, store.readEvents("keep", 0, 100).size(), "other sessions keep their events");
            assertTrue(store.find("keep").isPresent());
        }

        @Test
        void deleteUnknownReturnsFalse() {
            assertFalse(store.delete("never-existed"));
        }

        @Test
        void recreatedSessionStartsAFreshHistory() {
            store.create(record("again"));
            store.append("again", events("e", 0, 3));
            store.delete("again");
            SessionRecord created = store.create(record("again"));
            assertEquals(1, created.version());
            assertEquals(List.of(), store.readEvents("again", 0, 100));
            List<StoredEvent> added = store.append("again", events("e", 0, 2));
            assertEquals(
                    List.of(1L, 2L),
                    added.stream().map(StoredEvent::seq).collect(Collectors.toList()),
                    "old event ids are accepted again and seq restarts at 1");
        }
    }

    /** Store-allocated seq, event order, and reading events back. */
    @Nested
    class OrderingAndSeq {

        @Test
        void appendAllocatesGapFreeSeqFromOneAcrossCalls() {
            store.create(record("s"));
            List<NewEvent> first = events("a", 0, 3);
            List<StoredEvent> out1 = store.append("s", first);
            List<StoredEvent> out2 = store.append("s", events("b", 0, 4));
            List<StoredEvent> out3 = store.append("s", List.of(event("c0")));
            assertEquals(
                    List.of(1L, 2L, 3L), out1.stream().map(StoredEvent::seq).collect(Collectors.toList()));
            assertEquals(
                    List.of(4L, 5L, 6L, 7L), out2.stream().map(StoredEvent::seq).collect(Collectors.toList()));
            assertEquals(List.of(8L), out3.stream().map(StoredEvent::seq).collect(Collectors.toList()));

            List<StoredEvent> all = allEvents("s");
            assertSeqGapFree(all);
            List<StoredEvent> returned = new ArrayList<>(out1);
            returned.addAll(out2);
            returned.addAll(out3);
            assertSameEvents(returned, all);
            assertSameEvent(stored("s", 1, first.get(0)), all.get(0));
        }

        @Test
        void eventsKeepTheGivenOrderWithinABatch() {
            store.create(record("s"));
            List<NewEvent> batch = List.of(event("zeta"), event("alpha"), event("mu"), event("beta"));
            store.append("s", batch);
            assertEquals(
                    List.of("zeta", "alpha", "mu", "beta"),
                    store.readEvents("s", 0, 10).stream()
                            .map(StoredEvent::eventId)
                            .collect(Collectors.toList()));
        }

        @Test
        void eventFieldsRoundTrip() {
            store.create(record("s"));
            NewEvent full = new NewEvent(
                    "ev-1",
                    "tool.execution_complete",
                    Instant.parse("2024-03-01T12:00:00.987654Z"),
                    "ev-0",
                    "agent-7",
                    "{\"toolCallId\":\"t1\",\"result\":{\"ok\":true,\"lines\":[1,2,3]},\"text\":\"quote \\\" and \\\\ and \\u00e9\"}");
            NewEvent minimal = new NewEvent("ev-2", "session.idle", Instant.EPOCH, null, null, null);
            NewEvent farFuture = new NewEvent("ev-3", "x", Instant.parse("2999-12-31T23:59:59.999Z"), null, null, "{}");
            List<StoredEvent> out = store.append("s", List.of(full, minimal, farFuture));
            List<StoredEvent> expected =
                    List.of(stored("s", 1, full), stored("s", 2, minimal), stored("s", 3, farFuture));
            assertSameEvents(expected, out);
            assertSameEvents(expected, store.readEvents("s", 0, 10));
            assertEquals("{}", store.readEvents("s", 1, 1).get(0).dataJson().replace(" ", ""));
        }

        @Test
        void readEventsPagesByAfterSeqAndLimit() {
            store.create(record("s"));
            store.append("s", events("e", 0, 25));
            List<StoredEvent> p1 = store.readEvents("s", 0, 10);
            List<StoredEvent> p2 = store.readEvents("s", 10, 10);
            List<StoredEvent> p3 = store.readEvents("s", 20, 10);
            assertEquals(10, p1.size());
            assertEquals(10, p2.size());
            assertEquals(5, p3.size());
            assertEquals(11, p2.get(0).seq());
            assertEquals(25, p3.get(4).seq());
            assertEquals(List.of(), store.readEvents("s", 25, 10));
            assertEquals(List.of(), store.readEvents("s", 1000, 10));
            assertEquals(List.of(), store.readEvents("s", 0, 0));
            assertEquals(25, store.readEvents("s", -5, 100).size(), "a negative afterSeq reads from the start");
            assertEquals(25, store.readEvents("s", 0, Integer.MAX_VALUE).size());
            assertEquals("e7", store.readEvents("s", 7, 1).get(0).eventId());
        }

        @Test
        void readEventsRejectsNegativeLimit() {
            store.create(record("s"));
            assertThrows(IllegalArgumentException.class, () -> store.readEvents("s", 0, -1));
        }

        @Test
        void lastEventsReturnsTheTailInAscendingOrder() {
            store.create(record("s"));
            store.append("s", events("e", 0, 12));
            List<StoredEvent> last3 = store.lastEvents("s", 3);
            assertEquals(
                    List.of(10L, 11L, 12L), last3.stream().map(StoredEvent::seq).collect(Collectors.toList()));
            assertEquals(
                    List.of("e9", "e10", "e11"),
                    last3.stream().map(StoredEvent::eventId).collect(Collectors.toList()));
            assertEquals(12, store.lastEvents("s", 100).size());
            assertSeqGapFree(store.lastEvents("s", 100));
            assertEquals(List.of(), store.lastEvents("s", 0));
            assertThrows(IllegalArgumentException.class, () -> store.lastEvents("s", -1));
        }

        @Test
        void readingAnUnknownSessionYieldsNothing() {
            assertEquals(List.of(), store.readEvents("ghost", 0, 10));
            assertEquals(List.of(), store.lastEvents("ghost", 10));
        }

        @Test
        void appendToUnknownSessionThrowsNoSuchSession() {
            assertThrows(SessionStoreException.NoSuchSession.class, () -> store.append("ghost", List.of(event("e"))));
            assertThrows(SessionStoreException.NoSuchSession.class, () -> store.append("ghost", List.of()));
            assertEquals(Optional.empty(), store.find("ghost"));
        }

        @Test
        void appendingNothingChangesNothing() {
            SessionRecord created = store.create(record("s"));
            assertEquals(List.of(), store.append("s", List.of()));
            assertEquals(Optional.of(created), store.find("s"));
        }

        @Test
        void eachSessionHasItsOwnSeq() {
            store.create(record("a"));
            store.create(record("b"));
            store.append("a", events("x", 0, 3));
            List<StoredEvent> b = store.append("b", events("x", 0, 2));
            assertEquals(List.of(1L, 2L), b.stream().map(StoredEvent::seq).collect(Collectors.toList()));
            store.append("a", List.of(event("x3")));
            assertSeqGapFree(allEvents("a"));
            assertEquals(4, allEvents("a").size());
        }

        @Test
        void appendMovesLastActivityForwardToTheNewestEvent() {
            store.create(record("s", null, T0));
            Instant future = Instant.now().plus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            store.append("s", List.of(new NewEvent("e1", "t", future, null, null, "{}")));
            Instant after = store.find("s").orElseThrow().lastActivityAt();
            assertFalse(
                    after.isBefore(future), "lastActivityAt " + after + " must be at least the event's time " + future);
        }

        @Test
        void appendNeverMovesLastActivityBack() {
            Instant later = Instant.now().plus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            store.create(record("s", null, later));
            store.append("s", List.of(new NewEvent("old", "t", T0, null, null, "{}")));
            assertEquals(later, store.find("s").orElseThrow().lastActivityAt());
        }

        @Test
        void appendWithOlderEventsStillCountsAsActivityNow() {
            Instant before = Instant.now().minusSeconds(1);
            store.create(record("s", null, T0));
            store.append("s", List.of(new NewEvent("old", "t", T0, null, null, "{}")));
            Instant activity = store.find("s").orElseThrow().lastActivityAt();
            assertTrue(activity.isAfter(before), "an append is activity at the time it happens, was " + activity);
        }

        @Test
        void largeBatchIsStoredInOrder() {
            store.create(record("big"));
            List<StoredEvent> out = store.append("big", events("e", 0, 1500));
            assertEquals(1500, out.size());
            List<StoredEvent> all = allEvents("big");
            assertEquals(1500, all.size());
            assertSeqGapFree(all);
            assertEquals("e1499", all.get(1499).eventId());
        }
    }

    /** Appends are idempotent on the event id. */
    @Nested
    class Idempotency {

        @Test
        void appendingAKnownEventIdIsANoOp() {
            store.create(record("s"));
            store.append("s", events("e", 0, 3));
            assertEquals(List.of(), store.append("s", List.of(event("e1"))));
            assertEquals(List.of(), store.append("s", events("e", 0, 3)));
            List<StoredEvent> all = allEvents("s");
            assertEquals(3, all.size());
            assertSeqGapFree(all);
        }

        @Test
        void mixedBatchStoresOnlyTheNewEventsWithoutGaps() {
            store.create(record("s"));
            store.append("s", events("e", 0, 3));
            List<NewEvent> mixed = List.of(event("e1"), event("n0"), event("e2"), event("n1"));
            List<StoredEvent> out = store.append("s", mixed);
            assertEquals(
                    List.of("n0", "n1"), out.stream().map(StoredEvent::eventId).collect(Collectors.toList()));
            assertEquals(List.of(4L, 5L), out.stream().map(StoredEvent::seq).collect(Collectors.toList()));
            assertSeqGapFree(allEvents("s"));
        }

        @Test
        void duplicatesWithinOneBatchAreStoredOnce() {
            store.create(record("s"));
            NewEvent first = event("same");
            NewEvent again = new NewEvent("same", "other.type", T0.plusSeconds(1), null, null, "{\"second\":true}");
            List<StoredEvent> out = store.append("s", List.of(first, event("x"), again));
            assertEquals(
                    List.of("same", "x"), out.stream().map(StoredEvent::eventId).collect(Collectors.toList()));
            assertSameEvent(stored("s", 1, first), store.readEvents("s", 0, 10).get(0));
        }

        @Test
        void aRetriedEventKeepsItsFirstContent() {
            store.create(record("s"));
            NewEvent original = event("e");
            store.append("s", List.of(original));
            store.append("s", List.of(new NewEvent("e", "changed", T0.plusSeconds(60), "p", "a", "{\"changed\":1}")));
            assertSameEvents(List.of(stored("s", 1, original)), allEvents("s"));
        }

        @Test
        void theSameEventIdMayAppearInDifferentSessions() {
            store.create(record("a"));
            store.create(record("b"));
            assertEquals(1, store.append("a", List.of(event("shared"))).size());
            assertEquals(1, store.append("b", List.of(event("shared"))).size());
            assertEquals(1, allEvents("a").size());
            assertEquals(1, allEvents("b").size());
        }

        @Test
        void duplicateOnlyAppendDoesNotChangeTheRecord() {
            store.create(record("s"));
            store.append("s", List.of(event("e")));
            SessionRecord before = store.find("s").orElseThrow();
            store.append("s", List.of(event("e")));
            assertEquals(Optional.of(before), store.find("s"));
        }
    }

    /** list(): order, keyset cursors, filters. */
    @Nested
    class Paging {

        /** 57 sessions whose activity times repeat, so ties are broken by id. */
        private List<SessionRecord> createMany(String owner, int n) {
            List<SessionRecord> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Instant activity = T0.plusSeconds(i / 4); // four sessions per instant
                String id = (i % 2 == 0 ? "S-" : "s-") + String.format("%03d", (i * 37) % 101);
                all.add(store.create(record(id, owner, activity)));
            }
            return all;
        }

        @Test
        void emptyStoreGivesAnEmptyLastPage() {
            Page<SessionRecord> page = store.list(SessionQuery.all());
            assertEquals(List.of(), page.items());
            assertFalse(page.hasMore());
        }

        @Test
        void newestActivityFirstThenIdDescending() {
            store.create(record("b", null, T0));
            store.create(record("a", null, T0.plusSeconds(10)));
            store.create(record("c", null, T0));
            store.create(record("B", null, T0));
            store.create(record("a-", null, T0));
            Page<SessionRecord> page = store.list(SessionQuery.all());
            assertEquals(List.of("a", "c", "b", "a-", "B"), ids(page.items()));
            assertFalse(page.hasMore());
        }

        @Test
        void manyPagesHaveNoDuplicatesAndNoGaps() {
            List<SessionRecord> all = createMany("pager", 57);
            all.sort(LIST_ORDER);
            List<Page<SessionRecord>> pages = allPages(SessionQuery.all().withLimit(10));
            assertTrue(pages.size() >= 6, "57 sessions at 10 per page need at least 6 pages, got " + pages.size());
            for (int i = 0; i < pages.size() - 1; i++) {
                assertEquals(10, pages.get(i).items().size(), "every page but the last is full");
            }
            List<SessionRecord> listed =
                    pages.stream().flatMap(p -> p.items().stream()).collect(Collectors.toList());
            assertEquals(ids(all), ids(listed), "paged listing = full listing in (lastActivityAt desc, id desc) order");
            assertEquals(all, listed);
        }

        @Test
        void pageSizeOneWalksEverySession() {
            List<SessionRecord> all = createMany(null, 9);
            all.sort(LIST_ORDER);
            assertEquals(ids(all), ids(listAll(SessionQuery.all().withLimit(1))));
        }

        @Test
        void exactMultipleOfThePageSizeEndsCleanly() {
            createMany("x", 20);
            List<Page<SessionRecord>> pages = allPages(SessionQuery.all().withLimit(10));
            int total = pages.stream().mapToInt(p -> p.items().size()).sum();
            assertEquals(20, total);
            assertTrue(
                    pages.size() == 2
                            || (pages.size() == 3 && pages.get(2).items().isEmpty()),
                    "20 sessions at 10 per page: two pages (a third, empty one at most), got " + pages.size());
            assertFalse(pages.get(pages.size() - 1).hasMore());
        }

        @Test
        void sessionsAddedWhilePagingDoNotShiftLaterPages() {
            List<SessionRecord> all = createMany(null, 30);
            all.sort(LIST_ORDER);
            Page<SessionRecord> first = store.list(SessionQuery.all().withLimit(10));
            store.create(record("newest", null, T0.plus(Duration.ofDays(1))));
            List<SessionRecord> rest = listAll(
                    SessionQuery.all().withLimit(10).after(first.nextCursor().orElseThrow()));
            List<SessionRecord> listed = new ArrayList<>(first.items());
            listed.addAll(rest);
            assertEquals(ids(all), ids(listed), "keyset paging: no duplicates and no gaps despite a new first row");
        }

        @Test
        void activeSinceKeepsSessionsActiveAtOrAfterIt() {
            store.create(record("old", null, T0));
            store.create(record("edge", null, T0.plusSeconds(60)));
            store.create(record("new", null, T0.plusSeconds(120)));
            assertEquals(List.of("new", "edge"), ids(listAll(SessionQuery.all().withActiveSince(T0.plusSeconds(60)))));
            assertEquals(
                    List.of("new"),
                    ids(listAll(SessionQuery.all()
                            .withActiveSince(T0.plusSeconds(61))
                            .withLimit(1))));
            assertEquals(List.of(), ids(listAll(SessionQuery.all().withActiveSince(T0.plusSeconds(121)))));
        }

        @Test
        void activeSinceAndOwnerCombineAcrossPages() {
            for (int i = 0; i < 12; i++) {
                store.create(record("a" + i, "alice", T0.plusSeconds(i)));
                store.create(record("b" + i, "bob", T0.plusSeconds(i)));
            }
            List<SessionRecord> listed = listAll(SessionQuery.byOwner("alice")
                    .withActiveSince(T0.plusSeconds(4))
                    .withLimit(3));
            assertEquals(List.of("a11", "a10", "a9", "a8", "a7", "a6", "a5", "a4"), ids(listed));
        }

        @Test
        void invalidCursorIsRefusedWithIllegalArgumentException() {
            store.create(record("s"));
            String noColon =
                    Base64.getUrlEncoder().withoutPadding().encodeToString("12345".getBytes(StandardCharsets.UTF_8));
            String notANumber =
                    Base64.getUrlEncoder().withoutPadding().encodeToString("abc:s".getBytes(StandardCharsets.UTF_8));
            for (String bad : List.of("not a cursor!", "%%%", noColon, notANumber, "")) {
                IllegalArgumentException e = assertThrows(
                        IllegalArgumentException.class,
                        () -> store.list(SessionQuery.all().after(bad)),
                        "cursor '" + bad + "'");
                assertNotNull(e.getMessage());
            }
        }

        @Test
        void listingDoesNotChangeRecords() {
            SessionRecord r = store.create(fullRecord("s", "o", T0));
            assertEquals(List.of(r), store.list(SessionQuery.all()).items());
            assertEquals(Optional.of(r), store.find("s"));
        }

        @Test
        void activityFromAppendsReordersTheList() {
            store.create(record("quiet", null, T0.plusSeconds(10)));
            store.create(record("busy", null, T0));
            store.append("busy", List.of(event("e")));
            assertEquals(
                    List.of("busy", "quiet"), ids(store.list(SessionQuery.all()).items()));
        }
    }

    /** Owner filters see only their owner's sessions. */
    @Nested
    class OwnerIsolation {

        @Test
        void listByOwnerReturnsOnlyThatOwnersSessions() {
            store.create(record("a1", "alice", T0));
            store.create(record("a2", "alice", T0.plusSeconds(1)));
            store.create(record("b1", "bob", T0.plusSeconds(2)));
            store.create(record("n1", null, T0.plusSeconds(3)));
            assertEquals(List.of("a2", "a1"), ids(listAll(SessionQuery.byOwner("alice"))));
            assertEquals(List.of("b1"), ids(listAll(SessionQuery.byOwner("bob"))));
            assertEquals(List.of(), ids(listAll(SessionQuery.byOwner("carol"))));
            assertEquals(List.of("n1", "b1", "a2", "a1"), ids(listAll(SessionQuery.all())), "all owners, and none");
        }

        @Test
        void findAndReadScopedToAnOwnerNeverReachAnotherOwnersSession() {
            store.create(record("a1", "alice", T0));
            store.append("a1", List.of(event("e1")));
            store.create(record("n1", null, T0));
            assertTrue(store.find("a1", "bob").isEmpty());
            assertTrue(store.find("a1", "Alice").isEmpty(), "owners compare exactly");
            assertTrue(store.find("n1", "alice").isEmpty(), "an ownerless session belongs to no owner");
            assertEquals("a1", store.find("a1", "alice").orElseThrow().sessionId());
            assertEquals(List.of(), store.readEvents("a1", "bob", 0, 10));
            assertEquals(1, store.readEvents("a1", "alice", 0, 10).size());
            assertThrows(IllegalArgumentException.class, () -> store.find("a1", null));
        }

        @Test
        void deleteScopedToAnOwnerNeverTouchesAnotherOwnersSession() {
            store.create(record("a1", "alice", T0));
            store.append("a1", List.of(event("e1")));
            assertFalse(store.delete("a1", "bob"));
            assertTrue(store.find("a1").isPresent(), "still there");
            assertEquals(1, store.readEvents("a1", 0, 10).size(), "with its events");
            assertFalse(store.delete("missing", "alice"));
            assertTrue(store.delete("a1", "alice"));
            assertTrue(store.find("a1").isEmpty());
            assertEquals(List.of(), store.readEvents("a1", 0, 10));
            assertThrows(IllegalArgumentException.class, () -> store.delete("a1", null));
        }

        @Test
        void ownersAreComparedExactly() {
            List<String> owners =
                    List.of("alice", "Alice", "ALICE", "alice ", " alice", "alic", "alice\t", "\u00e9", "e\u0301");
            for (int i = 0; i < owners.size(); i++) {
                store.create(record("s" + i, owners.get(i), T0.plusSeconds(i)));
            }
            for (int i = 0; i < owners.size(); i++) {
                assertEquals(
                        List.of("s" + i),
                        ids(listAll(SessionQuery.byOwner(owners.get(i)))),
                        "owner '" + owners.get(i) + "' must match only itself");
            }
        }

        @Test
        void likeWildcardsInOwnersMatchNothingElse() {
            store.create(record("s1", "alice", T0));
            store.create(record("s2", "%", T0));
            store.create(record("s3", "_lice", T0));
            assertEquals(List.of("s2"), ids(listAll(SessionQuery.byOwner("%"))));
            assertEquals(List.of("s3"), ids(listAll(SessionQuery.byOwner("_lice"))));
            assertEquals(List.of(), ids(listAll(SessionQuery.byOwner("a%"))));
        }

        @Test
        void pagingOneOwnerNeverLeaksAnother() {
            for (int i = 0; i < 25; i++) {
                store.create(record("a" + i, "alice", T0.plusSeconds(i % 5)));
                store.create(record("b" + i, "bob", T0.plusSeconds(i % 5)));
            }
            List<SessionRecord> alice = listAll(SessionQuery.byOwner("alice").withLimit(4));
            assertEquals(25, alice.size());
            assertTrue(alice.stream().allMatch(r -> "alice".equals(r.owner())));
            assertEquals(25, new HashSet<>(ids(alice)).size(), "no duplicates");
        }

        @Test
        void aCursorFromOneOwnerDoesNotOpenAnother() {
            for (int i = 0; i < 6; i++) {
                store.create(record("a" + i, "alice", T0.plusSeconds(i)));
                store.create(record("b" + i, "bob", T0.plusSeconds(i)));
            }
            Page<SessionRecord> alicePage =
                    store.list(SessionQuery.byOwner("alice").withLimit(2));
            List<SessionRecord> bob = listAll(SessionQuery.byOwner("bob")
                    .withLimit(2)
                    .after(alicePage.nextCursor().orElseThrow()));
            assertTrue(bob.stream().allMatch(r -> "bob".equals(r.owner())), "only bob's sessions: " + ids(bob));
        }
    }

    /** deleteExpired. */
    @Nested
    class Expiry {

        @Test
        void deleteExpiredRemovesOnlySessionsExpiringBeforeTheCutoff() {
            Instant cutoff = T0.plus(Duration.ofDays(1));
            store.create(record("past").withExpiresAt(cutoff.minusMillis(1)));
            store.create(record("long-past").withExpiresAt(T0.minus(Duration.ofDays(300))));
            store.create(record("edge").withExpiresAt(cutoff));
            store.create(record("future").withExpiresAt(cutoff.plusSeconds(1)));
            store.create(record("never"));
            store.append("past", events("e", 0, 3));

            assertEquals(2, store.deleteExpired(cutoff));
            assertEquals(Optional.empty(), store.find("past"));
            assertEquals(Optional.empty(), store.find("long-past"));
            assertEquals(List.of(), store.readEvents("past", 0, 10), "events of expired sessions are gone too");
            assertTrue(store.find("edge").isPresent(), "expiresAt == cutoff is not before the cutoff");
            assertTrue(store.find("future").isPresent());
            assertTrue(store.find("never").isPresent(), "no expiresAt: never expires");
            assertEquals(0, store.deleteExpired(cutoff), "second run finds nothing");
        }

        @Test
        void deleteExpiredOnAnEmptyStoreIsZero() {
            assertEquals(0, store.deleteExpired(Instant.now()));
        }

        @Test
        void updatingExpiryIsHonoured() {
            SessionRecord r = store.create(record("s").withExpiresAt(T0));
            store.update(r.withExpiresAt(null));
            assertEquals(0, store.deleteExpired(T0.plus(Duration.ofDays(1))));
            SessionRecord again = store.find("s").orElseThrow();
            store.update(again.withExpiresAt(T0.minusSeconds(1)));
            assertEquals(1, store.deleteExpired(T0));
            assertEquals(Optional.empty(), store.find("s"));
        }

        @Test
        void aRecreatedSessionDoesNotInheritOldEvents() {
            store.create(record("s").withExpiresAt(T0));
            store.append("s", events("e", 0, 4));
            store.deleteExpired(T0.plusSeconds(1));
            store.create(record("s"));
            assertEquals(List.of(), store.readEvents("s", 0, 10));
        }
    }

    /** Many writers at once. */
    @Nested
    class Concurrency {

        private static final int BATCHES = 15;
        private static final int PER_BATCH = 3;

        @Test
        void concurrentAppendsToOneSessionLoseAndDuplicateNothing() throws Exception {
            store.create(record("hot"));
            List<Integer> counts = runConcurrently(THREADS, t -> () -> {
                int stored = 0;
                for (int b = 0; b < BATCHES; b++) {
                    List<NewEvent> batch = events("t" + t + "-b" + b + "-", 0, PER_BATCH);
                    List<StoredEvent> out = store.append("hot", batch);
                    assertEquals(PER_BATCH, out.size());
                    for (int i = 1; i < out.size(); i++) {
                        assertEquals(out.get(i - 1).seq() + 1, out.get(i).seq(), "one batch gets consecutive seqs");
                    }
                    stored += out.size();
                }
                return stored;
            });
            int expected = THREADS * BATCHES * PER_BATCH;
            assertEquals(expected, counts.stream().mapToInt(Integer::intValue).sum());
            List<StoredEvent> all = allEvents("hot");
            assertEquals(expected, all.size(), "every event stored once");
            assertSeqGapFree(all);
            assertEquals(
                    expected, all.stream().map(StoredEvent::eventId).distinct().count(), "no duplicates");
            for (int t = 0; t < THREADS; t++) {
                String prefix = "t" + t + "-";
                List<String> mine = all.stream()
                        .map(StoredEvent::eventId)
                        .filter(id -> id.startsWith(prefix))
                        .collect(Collectors.toList());
                List<String> inOrder = new ArrayList<>();
                for (int b = 0; b < BATCHES; b++) {
                    for (int i = 0; i < PER_BATCH; i++) {
                        inOrder.add(prefix + "b" + b + "-" + i);
                    }
                }
                assertEquals(inOrder, mine, "each writer's events keep its order");
            }
        }

        @Test
        void concurrentAppendsOfTheSameEventsStoreEachOnce() throws Exception {
            store.create(record("race"));
            List<NewEvent> shared = events("shared-", 0, 20);
            List<List<StoredEvent>> outs = runConcurrently(THREADS, t -> () -> {
                List<StoredEvent> mine = new ArrayList<>();
                List<NewEvent> order = new ArrayList<>(shared);
                Collections.rotate(order, t * 3);
                for (int i = 0; i < order.size(); i += 4) {
                    mine.addAll(store.append("race", order.subList(i, Math.min(order.size(), i + 4))));
                }
                return mine;
            });
            List<StoredEvent> reported = outs.stream().flatMap(List::stream).collect(Collectors.toList());
            assertEquals(20, reported.size(), "each event is reported as newly stored exactly once");
            assertEquals(
                    20, reported.stream().map(StoredEvent::eventId).distinct().count());
            List<StoredEvent> all = allEvents("race");
            assertEquals(20, all.size());
            assertSeqGapFree(all);
            Map<String, Long> seqById = all.stream().collect(Collectors.toMap(StoredEvent::eventId, StoredEvent::seq));
            for (StoredEvent e : reported) {
                assertEquals(seqById.get(e.eventId()), e.seq(), "the seq returned by append is the stored one");
            }
        }

        @Test
        void concurrentAppendsToDifferentSessionsStayIndependent() throws Exception {
            for (int t = 0; t < THREADS; t++) {
                store.create(record("own-" + t));
            }
            runConcurrently(THREADS, t -> () -> {
                for (int b = 0; b < BATCHES; b++) {
                    store.append("own-" + t, events("b" + b + "-", 0, 2));
                }
                return null;
            });
            for (int t = 0; t < THREADS; t++) {
                List<StoredEvent> all = allEvents("own-" + t);
                assertEquals(BATCHES * 2, all.size());
                assertSeqGapFree(all);
            }
        }

        @Test
        void concurrentUpdatesOfOneVersionHaveExactlyOneWinner() throws Exception {
            SessionRecord v1 = store.create(record("contended"));
            for (int round = 0; round < 3; round++) {
                SessionRecord base = store.find("contended").orElseThrow();
                List<String> outcomes = runConcurrently(THREADS, t -> () -> {
                    try {
                        store.update(base.withSummary("writer " + t));
                        return "writer " + t;
                    } catch (SessionStoreException.StaleVersion e) {
                        return "stale";
                    }
                });
                List<String> winners =
                        outcomes.stream().filter(o -> !o.equals("stale")).collect(Collectors.toList());
                assertEquals(1, winners.size(), "exactly one concurrent update wins: " + outcomes);
                SessionRecord after = store.find("contended").orElseThrow();
                assertEquals(base.version() + 1, after.version());
                assertEquals(winners.get(0), after.summary(), "the stored summary is the winner's");
            }
            assertEquals(v1.version() + 3, store.find("contended").orElseThrow().version());
        }

        @Test
        void concurrentCreatesOfOneIdHaveExactlyOneWinner() throws Exception {
            List<String> outcomes = runConcurrently(THREADS, t -> () -> {
                try {
                    store.create(record("once", "owner-" + t, T0));
                    return "owner-" + t;
                } catch (SessionStoreException.DuplicateSession e) {
                    return "duplicate";
                }
            });
            List<String> winners =
                    outcomes.stream().filter(o -> !o.equals("duplicate")).collect(Collectors.toList());
            assertEquals(1, winners.size(), "exactly one create wins: " + outcomes);
            assertEquals(winners.get(0), store.find("once").orElseThrow().owner());
        }

        @Test
        void appendsRacingADeleteLeaveNoOrphans() throws Exception {
            store.create(record("doomed"));
            store.append("doomed", events("pre", 0, 5));
            List<String> outcomes = runConcurrently(THREADS, t -> () -> {
                if (t == 0) {
                    Thread.sleep(5);
                    return store.delete("doomed") ? "deleted" : "not-found";
                }
                int ok = 0;
                try {
                    for (int b = 0; b < 20; b++) {
                        store.append("doomed", events("t" + t + "-" + b + "-", 0, 2));
                        ok++;
                    }
                    return "appended " + ok;
                } catch (SessionStoreException.NoSuchSession e) {
                    return "gone after " + ok;
                }
            });
            assertEquals("deleted", outcomes.get(0));
            assertEquals(Optional.empty(), store.find("doomed"));
            assertEquals(List.of(), store.readEvents("doomed", 0, 1000), "no events outlive their session");
            assertThrows(SessionStoreException.NoSuchSession.class, () -> store.append("doomed", List.of(event("z"))));
        }

        @Test
        void twoStoreInstancesOnTheSameDataShareOneGapFreeHistory() throws Exception {
            SessionStore second = newStoreOnSameData(store);
            Assumptions.assumeTrue(second != null, "this store cannot open a second instance over the same data");
            try {
                store.create(record("shared"));
                assertTrue(second.find("shared").isPresent(), "the second instance sees the first one's session");
                List<Integer> counts = runConcurrently(THREADS, t -> () -> {
                    SessionStore mine = t % 2 == 0 ? store : second;
                    int n = 0;
                    for (int b = 0; b < BATCHES; b++) {
                        n += mine.append("shared", events("i" + t + "-" + b + "-", 0, 2))
                                .size();
                        mine.append("shared", List.of(event("common-" + b))); // both instances race on these
                    }
                    return n;
                });
                int expected = THREADS * BATCHES * 2;
                assertEquals(
                        expected, counts.stream().mapToInt(Integer::intValue).sum());
                List<StoredEvent> all = allEvents("shared");
                assertEquals(expected + BATCHES, all.size());
                assertSeqGapFree(all);
                assertEquals(
                        all.size(),
                        all.stream().map(StoredEvent::eventId).distinct().count());
                assertTrue(second.delete("shared"));
                assertEquals(
                        Optional.empty(), store.find("shared"), "a delete through one instance is seen by the other");
            } finally {
                second.close();
            }
        }
    }

    /** Quotes, SQL fragments, unicode and long values are data, never code. */
    /** One driver per session: claims, their expiry and fencing (the tests are in {@link SessionClaimsContract}). */
    @Nested
    class Claims extends SessionClaimsContract {
        @Override
        protected SessionStore store() {
            return store;
        }

        @Override
        protected SessionStore otherInstance() throws Exception {
            return newStoreOnSameData(store);
        }
    }

    @Nested
    class HostileValues {

        /** Values every store must keep verbatim as ids, owners and text. */
        protected final List<String> hostile = List.of(
                "'; DROP TABLE sessions; --",
                "\" OR \"1\"=\"1",
                "x' OR '1'='1' --",
                "Robert'); DELETE FROM events;/*",
                "%",
                "_",
                "%_\\",
                "back\\slash\\",
                "tab\there\nnew line\r\n",
                ":name ?1 $1 @p {0} ${x} #{y}",
                "<script>alert(1)</script>",
                "ünïcödé 日本語 한국어 עברית العربية",
                "emoji 😀👍🏽 🇫🇷",
                "rtl \u202Eevil\u202C zero\u200Bwidth",
                "e\u0301",
                "\u00e9",
                "  padded  ",
                "a".repeat(SessionRecord.MAX_ID_LENGTH),
                "😀".repeat(SessionRecord.MAX_ID_LENGTH / 2));

        @Test
        void hostileValuesRoundTripAsIdsOwnersAndText() {
            for (int i = 0; i < hostile.size(); i++) {
                String v = hostile.get(i);
                SessionRecord in = new SessionRecord(
                        v, v, v, v, T0, T0, T0.plusSeconds(i), null, SessionStatus.ACTIVE, 0, Map.of(v, v, "k", v));
                SessionRecord created = store.create(in);
                assertEquals(in.withVersion(1), created);
                assertEquals(Optional.of(created), store.find(v), "find(" + v + ")");
                NewEvent e = new NewEvent(v, v, T0, v, v, "{\"text\":" + jsonString(v) + "}");
                assertSameEvents(List.of(stored(v, 1, e)), store.append(v, List.of(e)));
                assertSameEvents(List.of(stored(v, 1, e)), store.readEvents(v, 0, 10));
                assertEquals(List.of(), store.append(v, List.of(e)), "idempotent on a hostile event id");
                assertEquals(List.of(v), ids(listAll(SessionQuery.byOwner(v))), "owner filter '" + v + "'");
                SessionRecord updated = store.update(created.withSummary(v + v));
                assertEquals(v + v, updated.summary());
            }
            List<String> listed = ids(listAll(SessionQuery.all().withLimit(7)));
            List<SessionRecord> found =
                    hostile.stream().map(v -> store.find(v).orElseThrow()).collect(Collectors.toList());
            assertEquals(ids(inListOrder(found)), listed, "every hostile id listed exactly once, newest first");
            for (String v : hostile) {
                assertTrue(store.delete(v), "delete(" + v + ")");
            }
            assertEquals(List.of(), store.list(SessionQuery.all()).items());
        }

        @Test
        void lookalikeIdsAreDistinct() {
            List<String> ids = List.of("id", "ID", "id ", " id", "i d", "\u00e9", "e\u0301", "id\u200B", "ｉｄ");
            for (String id : ids) {
                store.create(record(id, "o-" + id, T0));
            }
            for (String id : ids) {
                assertEquals("o-" + id, store.find(id).orElseThrow().owner(), "find(" + id + ")");
            }
            assertEquals(ids.size(), listAll(SessionQuery.all()).size());
        }

        @Test
        void hostileCursorTextIsRefusedNotExecuted() {
            store.create(record("s"));
            String injected = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString("1:x' OR '1'='1".getBytes(StandardCharsets.UTF_8));
            Page<SessionRecord> page = store.list(SessionQuery.all().after(injected));
            assertEquals(List.of(), page.items(), "a cursor's id is a value: nothing sorts after it here");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> store.list(SessionQuery.all().after("'; DROP TABLE x; --")));
            assertTrue(store.find("s").isPresent());
        }

        @Test
        void valuesAStoreMayRefuseAreStoredVerbatimOrRefusedCleanly() {
            Map<String, String> awkward = new LinkedHashMap<>();
            awkward.put("nul", "a\u0000b");
            awkward.put("lone-surrogate", "x\uD800y");
            awkward.put("control", "\u0001\u0002\u001F\u007F");
            int i = 0;
            for (Map.Entry<String, String> a : awkward.entrySet()) {
                String v = a.getValue();
                String id = "awkward-" + i++;
                // as a session id
                if (acceptedOrRefusedCleanly(a.getKey() + " as session id", () -> store.create(record(v)))) {
                    assertEquals(v, store.find(v).orElseThrow().sessionId());
                } else {
                    acceptedOrRefusedCleanly(
                            a.getKey() + " lookup", () -> assertEquals(Optional.empty(), store.find(v)));
                }
                // as an owner
                if (acceptedOrRefusedCleanly(a.getKey() + " as owner", () -> store.create(record(id, v, T0)))) {
                    assertEquals(v, store.find(id).orElseThrow().owner());
                    assertEquals(List.of(id), ids(listAll(SessionQuery.byOwner(v))));
                } else {
                    store.create(record(id));
                }
                // as event text
                NewEvent e = new NewEvent(v, v, T0, v, v, "{\"text\":" + jsonString(v) + "}");
                if (acceptedOrRefusedCleanly(a.getKey() + " in an event", () -> store.append(id, List.of(e)))) {
                    assertSameEvents(List.of(stored(id, 1, e)), store.readEvents(id, 0, 10));
                } else {
                    assertEquals(List.of(), store.readEvents(id, 0, 10), "a refused append stores nothing");
                }
            }
        }

        @Test
        void veryLongOwnerIsStoredVerbatimOrRefusedCleanly() {
            String owner = "ö".repeat(1000);
            if (acceptedOrRefusedCleanly("1000-char owner", () -> store.create(record("long-owner", owner, T0)))) {
                assertEquals(owner, store.find("long-owner").orElseThrow().owner());
                assertEquals(List.of("long-owner"), ids(listAll(SessionQuery.byOwner(owner))));
            } else {
                assertEquals(Optional.empty(), store.find("long-owner"));
            }
        }

        @Test
        void lookupsWithOverlongIdsFindNothing() {
            String longId = "x".repeat(1000);
            acceptedOrRefusedCleanly("find(1000 chars)", () -> assertEquals(Optional.empty(), store.find(longId)));
            acceptedOrRefusedCleanly("delete(1000 chars)", () -> assertFalse(store.delete(longId)));
            acceptedOrRefusedCleanly(
                    "readEvents(1000 chars)", () -> assertEquals(List.of(), store.readEvents(longId, 0, 5)));
            try {
                store.append(longId, List.of(event("e")));
                fail("append to a session that cannot exist must fail");
            } catch (IllegalArgumentException | SessionStoreException expected) {
                assertNotNull(expected.getMessage());
            }
        }

        @Test
        void configKeysAndValuesRoundTrip() {
            Map<String, String> config = new TreeMap<>();
            for (String v : hostile) {
                config.put("key " + v, v);
            }
            config.put("", "empty key");
            config.put("empty value", "");
            config.put("json-looking", "{\"a\":[1,2]}");
            SessionRecord in = record("cfg").withConfig(config);
            store.create(in);
            assertEquals(config, store.find("cfg").orElseThrow().config());
        }

        /** {@code v} as a JSON string literal; unpaired surrogates and control characters are escaped. */
        private String jsonString(String v) {
            StringBuilder sb = new StringBuilder("\"");
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (Character.isHighSurrogate(c)
                        && i + 1 < v.length()
                        && Character.isLowSurrogate(v.charAt(i + 1))) {
                    sb.append(c).append(v.charAt(++i));
                } else if (c < 0x20 || Character.isSurrogate(c)) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            return sb.append('"').toString();
        }
    }

    /** Sorted copy in the order list() must return. */
    protected static List<SessionRecord> inListOrder(List<SessionRecord> records) {
        List<SessionRecord> copy = new ArrayList<>(records);
        copy.sort(LIST_ORDER);
        return copy;
    }

    /** Ids of {@code events} in seq order. */
    protected static List<String> eventIds(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::eventId).collect(Collectors.toList());
    }

    /** Distinct event ids of {@code events}. */
    protected static Set<String> distinctEventIds(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::eventId).collect(Collectors.toSet());
    }
}
