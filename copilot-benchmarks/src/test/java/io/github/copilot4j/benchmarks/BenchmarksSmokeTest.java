package io.github.copilot4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.benchmarks.cli.TimingTransport;
import io.github.copilot4j.benchmarks.engine.EngineFixture;
import io.github.copilot4j.benchmarks.engine.ScriptedPeer;
import io.github.copilot4j.benchmarks.sessions.ManySessionsBench;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves the benchmark harnesses work (they deliver, split and check what they claim), on tiny
 * sizes. Times nothing: the benchmarks themselves run only from RunAll or their mains.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchmarksSmokeTest {

    @Test
    void theEngineFixtureDeliversEveryEventAndPersistsTheNonEphemeralOnes() throws Exception {
        try (EngineFixture f = new EngineFixture(3, 3_000, true)) {
            f.deliverBlob();
            f.deliverBlob();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (f.store().appended() < 6_000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(6_000, f.store().appended());
            f.roundTrip();
            f.roundTrips(16);
        }
    }

    @Test
    void theTimingTransportSplitsAScriptedTurn() throws Exception {
        TimingTransport t = new TimingTransport(new ScriptedPeer(true));
        try (CopilotClient client = CopilotClient.builder().transport(t).build()) {
            client.start();
            CopilotSession s = client.createSession(SessionConfig.builder().build());
            List<Long> seen = Collections.synchronizedList(new ArrayList<>());
            s.on(e -> seen.add(t.takeArrival(e.id())));
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                assertEquals(
                        "ECHO: hello",
                        s.sendAndWait("hello", Duration.ofSeconds(20)).content());
                TimingTransport.SessionTimes times = t.times(s.sessionId());
                assertTrue(times.sendWrittenAt() >= t0, "request written after the call");
                assertTrue(
                        times.idleArrivedAt() >= times.sendWrittenAt(), "idle arrived after the request was written");
            }
            assertEquals(15, seen.size());
            assertTrue(seen.stream().allMatch(a -> a > 0), "every delivered event had a recorded arrival: " + seen);
        }
    }

    @Test
    void theOrderCheckPassesARealRunAndCatchesASwap() throws Exception {
        FakeRuntime runtime = FakeRuntime.builder().recordRequests(false).build();
        InMemorySessionStore store = new InMemorySessionStore();
        try (runtime;
                CopilotClient client = CopilotClient.builder()
                        .transport(InMemoryTransport.to(runtime))
                        .sessionStore(store)
                        .build()) {
            client.start();
            List<List<SessionEvent>> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                List<SessionEvent> events = Collections.synchronizedList(new ArrayList<>());
                CopilotSession s = client.createSession(
                        SessionConfig.builder().onEvent(events::add).build());
                seen.add(events);
                for (int turn = 0; turn < 3; turn++) {
                    s.sendAndWait("session " + i + " turn " + turn, Duration.ofSeconds(20));
                }
            }
            assertEquals(0, ManySessionsBench.checkOrder(client, store, seen, 3));
            List<SessionEvent> first = new ArrayList<>(seen.get(0));
            Collections.swap(first, 1, 2);
            seen.set(0, first);
            assertEquals(1, ManySessionsBench.checkOrder(client, store, seen, 3));
            List<SessionEvent> noStart = new ArrayList<>(seen.get(1));
            noStart.remove(0);
            seen.set(1, noStart);
            assertEquals(
                    2,
                    ManySessionsBench.checkOrder(client, store, seen, 3),
                    "a session whose session.start was not seen");
        }
    }

    @Test
    void jmhFoundTheBenchmarks() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            assertNotNull(in, "the JMH annotation processor did not run");
            String list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(list.contains("EngineJmh"), list);
        }
    }
}
