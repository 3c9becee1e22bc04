package io.github.copilot4j.testing.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionFsOptions;
import io.github.copilot4j.SessionLeaseOptions;
import io.github.copilot4j.StoreFailure;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.InMemorySessionStateStore;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.testing.state.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One driver per session without sessionFs: the client claims each session it drives in the
 * session store. Two clients on one runtime and one store stand for two processes sharing a CLI
 * home and a database (the real-CLI version is {@code e2e.SessionClaimsRealCliTest}).
 */
@Timeout(60)
class SessionClaimsClientTest {
    static final Duration TURN = Duration.ofSeconds(10);

    final MutableClock clock = new MutableClock();
    final InMemorySessionStore store = new InMemorySessionStore(clock);
    final List<AutoCloseable> toClose = new ArrayList<>();
    final List<StoreFailure> failures = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    FakeRuntime runtime() {
        FakeRuntime rt = FakeRuntime.builder().responder(Responder.ECHO).build();
        toClose.add(rt);
        return rt;
    }

    CopilotClient client(FakeRuntime rt, SessionLeaseOptions.Builder leases) {
        CopilotClient c = CopilotClient.builder()
                .transport(InMemoryTransport.to(rt))
                .sessionStore(store)
                .sessionLeases(leases.build())
                .onStoreFailure(failures::add)
                .requestTimeout(TURN)
                .build();
        toClose.add(c);
        c.start();
        return c;
    }

    static SessionLeaseOptions.Builder holder(String id) {
        return SessionLeaseOptions.builder().holderId(id);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    static long resumes(FakeRuntime rt) {
        return rt.requests().stream()
                .filter(r -> r.method().equals("session.resume"))
                .count();
    }

    @Test
    void theSecondDriverIsRefusedWhileTheFirstHoldsTheSessionAndTakesOverOnceItIsClosed() throws Exception {
        FakeRuntime rt = runtime();
        CopilotClient a = client(rt, holder("client-a"));
        CopilotClient b = client(rt, holder("client-b"));
        CopilotSession sa = a.createSession(
                SessionConfig.builder().sessionId("shared").model("gpt-5").build());
        sa.sendAndWait("turn one from A", TURN);
        SessionLease claimA = store.findClaim("shared").orElseThrow();
        assertEquals("client-a", claimA.holder());

        SessionLeaseException.Held refused = assertThrows(
                SessionLeaseException.Held.class,
                () -> b.resumeSession("shared", SessionConfig.builder().build()));
        assertEquals("client-a", refused.holder());
        assertEquals(claimA.expiresAt(), refused.expiresAt());
        assertTrue(
                refused.getMessage().contains("client-a")
                        && refused.getMessage().contains(claimA.expiresAt().toString())
                        && refused.getMessage().contains("close it in that client first"),
                refused.getMessage());
        assertEquals(0, resumes(rt), "refused before the runtime was asked");
        assertThrows(
                SessionLeaseException.Held.class,
                () -> b.createSession(
                        SessionConfig.builder().sessionId("shared").build()));
        assertThrows(SessionLeaseException.Held.class, () -> b.deleteSession("shared"));
        assertTrue(store.find("shared").isPresent(), "a refused delete deletes nothing");
        assertTrue(b.openSessions().isEmpty());
        assertEquals(
                "ECHO: turn two from A", sa.sendAndWait("turn two from A", TURN).content(), "A still drives it");

        sa.close();
        assertTrue(store.findClaim("shared").isEmpty(), "close gives the claim back before it returns");
        CopilotSession sb = b.resumeSession("shared", SessionConfig.builder().build());
        SessionLease claimB = store.findClaim("shared").orElseThrow();
        assertEquals("client-b", claimB.holder());
        assertTrue(claimB.fencingToken() > claimA.fencingToken());
        sb.sendAndWait("turn three from B", TURN);
        assertThrows(
                SessionLeaseException.Held.class,
                () -> a.resumeSession("shared", SessionConfig.builder().build()),
                "now the first client is the one refused");
        sb.close();
        await(() -> store.findClaim("shared").isEmpty(), "B released");

        List<StoredEvent> events = store.readEvents("shared", 0, 1000);
        for (int i = 1; i < events.size(); i++) {
            assertEquals(
                    events.get(i - 1).eventId(),
                    events.get(i).parentId(),
                    "event " + (i + 1) + " follows its predecessor");
        }
        List<String> prompts = events.stream()
                .filter(e -> e.type().equals("user.message"))
                .map(StoredEvent::dataJson)
                .toList();
        assertEquals(3, prompts.size(), prompts.toString());
        assertTrue(prompts.get(2).contains("turn three from B"), prompts.toString());
        assertEquals(List.of(), failures);
    }

    @Test
    void aClaimLeftByADeadProcessBlocksUntilItExpires() {
        FakeRuntime rt = runtime();
        CopilotClient a = client(rt, holder("client-a"));
        a.createSession(SessionConfig.builder()
                        .sessionId("orphan")
                        .model("gpt-5")
                        .build())
                .close();
        // A process that died while driving the session never released its claim.
        SessionLease dead = store.claimSession("orphan", "dead-process", Duration.ofSeconds(30));
        SessionLeaseException.Held refused = assertThrows(
                SessionLeaseException.Held.class,
                () -> a.resumeSession("orphan", SessionConfig.builder().build()));
        assertEquals("dead-process", refused.holder());
        clock.advance(Duration.ofSeconds(31));
        CopilotSession again = a.resumeSession("orphan", SessionConfig.builder().build());
        assertEquals("ECHO: back", again.sendAndWait("back", TURN).content());
        SessionLease now = store.findClaim("orphan").orElseThrow();
        assertEquals("client-a", now.holder());
        assertTrue(now.fencingToken() > dead.fencingToken());
    }

    @Test
    void aClientWhoseClaimWasTakenOverCannotAddToTheHistory() throws Exception {
        FakeRuntime rt = runtime();
        CopilotClient a = client(rt, holder("client-a").leaseDuration(Duration.ofHours(1)));
        CopilotSession sa = a.createSession(
                SessionConfig.builder().sessionId("fenced").model("gpt-5").build());
        sa.sendAndWait("turn one from A", TURN);
        await(() -> sa.unsavedEventCount() == 0, "turn one saved");
        int saved = store.readEvents("fenced", 0, 1000).size();

        clock.advance(Duration.ofHours(2)); // A was paused past its claim's expiry: another process took over
        SessionLease intruder = store.claimSession("fenced", "client-b", Duration.ofHours(1));
        try {
            sa.sendAndWait("turn two from A (stale)", TURN);
        } catch (SessionLeaseException lost) {
            // the lost claim fails the waiter when the store refuses first; either way nothing is saved
        }
        await(
                () -> failures.stream()
                        .anyMatch(f -> f.kind() == StoreFailure.Kind.EVENTS_LOST
                                && f.cause() instanceof SessionLeaseException),
                "the refused events are reported: " + failures);
        assertEquals(
                saved, store.readEvents("fenced", 0, 1000).size(), "nothing of the stale holder reached the store");
        assertEquals(intruder, store.findClaim("fenced").orElseThrow(), "the new holder keeps its claim");
        sa.close();
        assertEquals(
                intruder,
                store.findClaim("fenced").orElseThrow(),
                "closing the stale session releases nothing of the new holder");
        assertEquals(saved, store.readEvents("fenced", 0, 1000).size());
    }

    @Test
    void theClaimIsRenewedWhileTheSessionIsOpenAndReleasedOnClientClose() throws Exception {
        FakeRuntime rt = runtime();
        CopilotClient a = client(
                rt, holder("renewing").leaseDuration(Duration.ofSeconds(30)).leaseRenewInterval(Duration.ofMillis(50)));
        a.createSession(SessionConfig.builder().sessionId("kept").model("gpt-5").build());
        SessionLease first = store.findClaim("kept").orElseThrow();
        clock.advance(Duration.ofSeconds(20));
        await(() -> store.findClaim("kept").orElseThrow().expiresAt().isAfter(first.expiresAt()), "renewed");
        assertEquals(
                first.fencingToken(), store.findClaim("kept").orElseThrow().fencingToken(), "renewal keeps the token");
        clock.advance(Duration.ofSeconds(20)); // past the first expiry: only the renewal keeps it
        CopilotClient b = client(rt, holder("other"));
        assertThrows(
                SessionLeaseException.Held.class,
                () -> b.resumeSession("kept", SessionConfig.builder().build()));
        a.close();
        assertTrue(store.findClaim("kept").isEmpty(), "released on close");
        b.resumeSession("kept", SessionConfig.builder().build());
    }

    @Test
    void aLostConnectionGivesTheClaimsBack() throws Exception {
        FakeRuntime rt = runtime();
        CopilotClient a = client(rt, holder("client-a"));
        a.createSession(SessionConfig.builder()
                        .sessionId("dropped")
                        .model("gpt-5")
                        .build())
                .sendAndWait("hello", TURN);
        assertTrue(store.findClaim("dropped").isPresent());
        rt.kill("the runtime crashed");
        await(() -> store.findClaim("dropped").isEmpty(), "the claim of a session whose runtime is gone is released");
    }

    @Test
    void withSessionFsTheStateStoreLeaseIsTheOnlyClaim() {
        FakeRuntime rt = runtime();
        InMemorySessionStateStore state = new InMemorySessionStateStore(clock);
        CopilotClient c = CopilotClient.builder()
                .transport(InMemoryTransport.to(rt))
                .sessionStore(store)
                .sessionFs(
                        state, SessionFsOptions.builder().holderId("fs-client").build())
                .requestTimeout(TURN)
                .build();
        toClose.add(c);
        c.start();
        c.createSession(SessionConfig.builder().sessionId("fs").model("gpt-5").build())
                .sendAndWait("hello", TURN);
        assertEquals("fs-client", state.findLease("fs").orElseThrow().holder());
        assertTrue(store.findClaim("fs").isEmpty(), "no second claim for the same purpose");
        IllegalStateException both = assertThrows(
                IllegalStateException.class,
                () -> CopilotClient.builder()
                        .transport(InMemoryTransport.to(rt))
                        .sessionFs(state)
                        .sessionLeases(SessionLeaseOptions.defaults())
                        .build());
        assertTrue(both.getMessage().contains("SessionFsOptions"), both.getMessage());
    }

    @Test
    void aStoreWithoutClaimsIsDrivenUnfenced() {
        FakeRuntime rt = runtime();
        InMemorySessionStore inner = new InMemorySessionStore();
        io.github.copilot4j.spi.SessionStore legacy = new LegacyStore(inner);
        CopilotClient c = CopilotClient.builder()
                .transport(InMemoryTransport.to(rt))
                .sessionStore(legacy)
                .requestTimeout(TURN)
                .build();
        toClose.add(c);
        c.start();
        CopilotSession s = c.createSession(
                SessionConfig.builder().sessionId("legacy").model("gpt-5").build());
        assertEquals("ECHO: hi", s.sendAndWait("hi", TURN).content());
        s.close();
        assertFalse(inner.readEvents("legacy", 0, 100).isEmpty(), "its events are stored");
        assertNull(inner.findClaim("legacy").orElse(null));
        c.deleteSession("legacy");
        assertTrue(inner.find("legacy").isEmpty());
    }

    /** A store written before claims: the SPI's defaults. */
    static final class LegacyStore implements io.github.copilot4j.spi.SessionStore {
        final InMemorySessionStore d;

        LegacyStore(InMemorySessionStore d) {
            this.d = d;
        }

        @Override
        public io.github.copilot4j.spi.SessionRecord create(io.github.copilot4j.spi.SessionRecord r) {
            return d.create(r);
        }

        @Override
        public io.github.copilot4j.spi.SessionRecord update(io.github.copilot4j.spi.SessionRecord r) {
            return d.update(r);
        }

        @Override
        public java.util.Optional<io.github.copilot4j.spi.SessionRecord> find(String id) {
            return d.find(id);
        }

        @Override
        public List<StoredEvent> append(String id, List<io.github.copilot4j.spi.NewEvent> e) {
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
        public io.github.copilot4j.Page<io.github.copilot4j.spi.SessionRecord> list(
                io.github.copilot4j.SessionQuery q) {
            return d.list(q);
        }

        @Override
        public boolean delete(String id) {
            return d.delete(id);
        }

        @Override
        public int deleteExpired(java.time.Instant cutoff) {
            return d.deleteExpired(cutoff);
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
