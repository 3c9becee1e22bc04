package io.github.copilot4j.benchmarks.cli;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.benchmarks.support.Latencies;
import io.github.copilot4j.benchmarks.support.Report;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Do appends keep up with the runtime, end to end? The real CLI (offline, instant replies) with a
 * JDBC store behind the client: after each turn's {@code sendAndWait} completes, how long until the
 * store holds the turn's last persisted event (0 when it already does). One session turn after
 * turn, then 20 sessions × 5 turns at once (the lag after the last turn of all).
 */
public final class StoreLagBench {
    private StoreLagBench() {}

    /** Runs against {@code store} (the caller closes it). */
    public static void run(Report report, String group, String storeName, SessionStore store, boolean quick)
            throws Exception {
        System.out.println("== store lag behind the real CLI: " + storeName);
        int turns = quick ? 10 : 30;
        try (OfflineCopilot offline = OfflineCopilot.start();
                CopilotClient client = CopilotClient.builder()
                        .transport(offline.stdioTransport())
                        .sessionStore(store)
                        .requestTimeout(Duration.ofSeconds(60))
                        .startTimeout(Duration.ofSeconds(120))
                        .build()) {
            client.start();
            Map<String, String> lastPersisted = new ConcurrentHashMap<>();
            CopilotSession s = open(client, lastPersisted);
            for (int i = 0; i < 3; i++) {
                s.sendAndWait("warm-up " + i, CliBench.TURN);
            }
            Latencies lag = new Latencies();
            for (int i = 0; i < turns; i++) {
                s.sendAndWait("turn " + i, CliBench.TURN);
                long done = System.nanoTime();
                awaitStored(store, s.sessionId(), lastPersisted.get(s.sessionId()));
                lag.add(System.nanoTime() - done);
            }
            report.add(group, storeName + ": store lag after a turn (" + turns + ")", lag.summary());

            List<CopilotSession> many = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                many.add(open(client, lastPersisted));
            }
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (CopilotSession m : many) {
                CompletableFuture<?> f = CompletableFuture.completedFuture(null);
                for (int t = 0; t < 5; t++) {
                    int turn = t;
                    f = f.thenCompose(x -> m.sendAndWaitAsync("concurrent " + turn, CliBench.TURN));
                }
                all.add(f);
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(600, TimeUnit.SECONDS);
            long done = System.nanoTime();
            for (CopilotSession m : many) {
                awaitStored(store, m.sessionId(), lastPersisted.get(m.sessionId()));
            }
            report.add(
                    group,
                    storeName + ": store lag after 20 × 5 turns",
                    Latencies.ms(System.nanoTime() - done) + " ms");
        }
    }

    private static CopilotSession open(CopilotClient client, Map<String, String> lastPersisted) {
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        s.on(e -> {
            if (!e.ephemeral()) {
                lastPersisted.put(e.sessionId(), e.id());
            }
        });
        return s;
    }

    private static void awaitStored(SessionStore store, String sessionId, String eventId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<StoredEvent> last = store.lastEvents(sessionId, 5);
            for (StoredEvent e : last) {
                if (e.eventId().equals(eventId)) {
                    return;
                }
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException(
                "the store did not get event " + eventId + " of session " + sessionId + " within 30 s");
    }
}
