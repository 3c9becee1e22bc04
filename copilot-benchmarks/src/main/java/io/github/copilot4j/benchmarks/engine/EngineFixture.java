package io.github.copilot4j.benchmarks.engine;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.benchmarks.support.DiscardStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A started client on a {@link ScriptedPeer} with {@code sessions} open sessions, each with one
 * counting listener, and a pre-encoded blob of events to feed. Shared by the engine's plain
 * program and its JMH benchmarks. The listeners count only, so the numbers are the client's.
 *
 * <p>Threading: {@link #deliverBlob} is called from one thread at a time; listeners run on the
 * client's callback executor.
 */
public final class EngineFixture implements AutoCloseable {
    /** A small delta event's data, like the CLI's {@code assistant.message_delta}. */
    static final String DELTA_DATA =
            "{\"messageId\":\"3b7e4c1a-6f0e-4a53-9c2d-4c1f0f6b2a11\",\"deltaContent\":\"Hello, wor\"}";
    /** A small persisted event's data. */
    static final String TURN_END_DATA = "{\"turnId\":\"7\"}";

    private final ScriptedPeer peer = new ScriptedPeer();
    private final DiscardStore store = new DiscardStore();
    private final CopilotClient client;
    private final List<CopilotSession> sessions = new ArrayList<>();
    private final Counter[] counters;
    private final byte[] blob;
    private final int eventsPerBlob;

    /** Per-session delivered count; touched only by that session's delivery lane (one thread at a time). */
    private static final class Counter {
        long seen;
        long expected;
        CountDownLatch done;
    }

    /**
     * @param persisted true: non-ephemeral events (each goes to the store lane too); false: ephemeral deltas
     */
    public EngineFixture(int sessionCount, int eventsPerBlob, boolean persisted) {
        this.client = CopilotClient.builder()
                .transport(peer)
                .sessionStore(store)
                .requestTimeout(Duration.ofSeconds(30))
                .startTimeout(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofSeconds(5))
                .build();
        client.start();
        this.counters = new Counter[sessionCount];
        for (int i = 0; i < sessionCount; i++) {
            CopilotSession s = client.createSession(
                    SessionConfig.builder().sessionId("bench-" + i).build());
            Counter c = new Counter();
            counters[i] = c;
            s.on(e -> {
                if (++c.seen == c.expected) {
                    c.done.countDown();
                }
            });
            sessions.add(s);
        }
        this.eventsPerBlob = eventsPerBlob;
        List<byte[]> frames = new ArrayList<>(eventsPerBlob);
        for (int i = 0; i < eventsPerBlob; i++) {
            String sid = "bench-" + (i % sessionCount);
            String id = "e-" + i;
            frames.add(
                    persisted
                            ? ScriptedPeer.eventFrame(
                                    sid, id, "e-" + (i - sessionCount), "assistant.turn_end", false, TURN_END_DATA)
                            : ScriptedPeer.eventFrame(sid, id, null, "assistant.message_delta", true, DELTA_DATA));
        }
        this.blob = ScriptedPeer.concat(frames);
    }

    public int eventsPerBlob() {
        return eventsPerBlob;
    }

    public int blobBytes() {
        return blob.length;
    }

    public CopilotClient client() {
        return client;
    }

    public DiscardStore store() {
        return store;
    }

    /** Feeds the blob and waits until every listener has seen its share. */
    public void deliverBlob() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(counters.length);
        int n = counters.length;
        for (int i = 0; i < n; i++) {
            Counter c = counters[i];
            // The lanes are idle here (the previous blob was fully delivered), so these writes are
            // published to them by the executor hand-off of the next event.
            c.expected = c.seen + eventsPerBlob / n + (i < eventsPerBlob % n ? 1 : 0);
            c.done = done;
        }
        peer.feed(blob);
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("events were not delivered within 120 s");
        }
    }

    /** One {@code session.send} request and its response, waited for. */
    public void roundTrip() throws Exception {
        sessions.get(0).sendAsync("ping").get(30, TimeUnit.SECONDS);
    }

    /** {@code inFlight} requests sent at once, all waited for. */
    public void roundTrips(int inFlight) throws Exception {
        CompletableFuture<?>[] fs = new CompletableFuture<?>[inFlight];
        for (int i = 0; i < inFlight; i++) {
            fs[i] = sessions.get(i % sessions.size()).sendAsync("ping");
        }
        CompletableFuture.allOf(fs).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        client.close();
    }
}
