package io.github.copilot4j.benchmarks.sessions;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.benchmarks.engine.ScriptedPeer;
import io.github.copilot4j.benchmarks.support.DiscardStore;
import io.github.copilot4j.benchmarks.support.Jvm;
import io.github.copilot4j.benchmarks.support.Latencies;
import io.github.copilot4j.benchmarks.support.Report;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark 2: many sessions on one connection to the scripted runtime ({@link FakeRuntime}, not
 * recording requests). N sessions are created at once and each does 10 turns, all sessions
 * concurrently (each session's turns one after another, chained without blocking a thread):
 * wall time, per-turn latency, peak thread count (for 100 and 1,000 sessions: it must not grow
 * with sessions), and whether every session saw its own events in the runtime's order (checked
 * by the parent-id chain, the turn order, and the store's order). Then the heap an idle session
 * costs the client: heap after GC with N open sessions minus with none, on the scripted peer with
 * a store that keeps nothing (so only the client's own objects count); and, for comparison,
 * everything in one JVM (client + FakeRuntime + in-memory store after 10 turns).
 *
 * <p>Run: {@code java -cp ... io.github.copilot4j.benchmarks.sessions.ManySessionsBench [--quick]}
 */
public final class ManySessionsBench {
    static final String GROUP = "2 many sessions";
    static final long IDLE_SESSION_TARGET_BYTES = 16 * 1024;

    private ManySessionsBench() {}

    public static void main(String[] args) throws Exception {
        Report r = new Report();
        run(r, java.util.Arrays.asList(args).contains("--quick"));
        System.out.println(r.table("Many sessions"));
    }

    /** What one run measured. */
    record Outcome(
            int peakThreads, int threadsBefore, int threadsIdle, int orderViolations, long heapAllInOnePerSession) {}

    public static void run(Report report, boolean quick) throws Exception {
        System.out.println("== 2. many sessions on one connection (FakeRuntime)");
        Outcome small = turns(report, 100, 10, false);
        Outcome big = turns(report, 1000, 10, true);
        report.add(
                GROUP,
                "peak threads, 100 vs 1,000 sessions",
                small.peakThreads() + " vs " + big.peakThreads() + " (idle " + small.threadsIdle() + " vs "
                        + big.threadsIdle() + ")",
                "no growth",
                big.peakThreads() <= small.peakThreads() + 2 && big.threadsIdle() <= small.threadsIdle() + 2);
        report.add(
                GROUP,
                "per-session event order",
                (small.orderViolations() + big.orderViolations()) == 0
                        ? "preserved (1,100 sessions, 11,000 turns checked)"
                        : (small.orderViolations() + big.orderViolations()) + " violations",
                "preserved",
                small.orderViolations() + big.orderViolations() == 0);
        report.add(
                GROUP,
                "heap per session, all in one JVM",
                Jvm.kib(big.heapAllInOnePerSession()) + " (client + FakeRuntime + in-memory store, 10 turns each)");
        idleHeap(report, quick ? 2_000 : 10_000);
    }

    private static Outcome turns(Report report, int sessionCount, int turnsPerSession, boolean reportDetails)
            throws Exception {
        FakeRuntime runtime = FakeRuntime.builder().recordRequests(false).build();
        InMemorySessionStore store = new InMemorySessionStore();
        try (runtime;
                CopilotClient client = CopilotClient.builder()
                        .transport(InMemoryTransport.to(runtime))
                        .sessionStore(store)
                        .requestTimeout(Duration.ofMinutes(2))
                        .build()) {
            client.start();
            client.ping();
            long heapBefore = Jvm.usedHeapAfterGc();
            int threadsBefore = Jvm.threadCount();
            Jvm.resetPeakThreads();
            Latencies createLat = new Latencies();
            Latencies turnLat = new Latencies();
            List<List<SessionEvent>> seen = new ArrayList<>();
            List<CompletableFuture<CopilotSession>> creating = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < sessionCount; i++) {
                long s = System.nanoTime();
                List<SessionEvent> events = new ArrayList<>(); // appended only by the session's delivery lane
                seen.add(events);
                creating.add(client.createSessionAsync(SessionConfig.builder()
                                .model("gpt-5")
                                .onEvent(events::add)
                                .build())
                        .whenComplete((r, e) -> createLat.add(System.nanoTime() - s)));
            }
            CompletableFuture.allOf(creating.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
            long created = System.nanoTime();
            List<CompletableFuture<Void>> done = new ArrayList<>();
            AtomicInteger failures = new AtomicInteger();
            for (int i = 0; i < sessionCount; i++) {
                CopilotSession s = creating.get(i).join();
                CompletableFuture<Void> finished = new CompletableFuture<>();
                done.add(finished);
                runTurn(s, i, 0, turnsPerSession, turnLat, finished, failures);
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(600, TimeUnit.SECONDS);
            long end = System.nanoTime();
            int peak = Jvm.peakThreads();
            Jvm.sleep(200);
            int idleThreads = Jvm.threadCount();
            int violations = checkOrder(client, store, seen, turnsPerSession);
            long heapAfter = Jvm.usedHeapAfterGc();
            int turns = sessionCount * turnsPerSession;
            String g = GROUP;
            String n = String.format(Locale.ROOT, "%,d", sessionCount);
            if (reportDetails) {
                report.add(
                        g,
                        n + " sessions: create all",
                        Latencies.ms(created - t0) + " ms wall; each " + createLat.summary());
                report.add(
                        g,
                        n + " × " + turnsPerSession + " turns: wall time",
                        Latencies.ms(end - created)
                                + String.format(Locale.ROOT, " ms (%,.0f turns/s)", turns / ((end - created) / 1e9)));
                report.add(g, "  per-turn latency", turnLat.summary());
                report.add(
                        g, "  threads before / peak / idle after", threadsBefore + " / " + peak + " / " + idleThreads);
            } else {
                report.add(
                        g,
                        n + " × " + turnsPerSession + " turns: wall time",
                        Latencies.ms(end - created) + " ms; per turn " + turnLat.summary());
            }
            if (failures.get() > 0) {
                report.note(failures.get() + " turns failed with " + sessionCount + " sessions");
            }
            return new Outcome(
                    peak,
                    threadsBefore,
                    idleThreads,
                    violations + failures.get(),
                    (heapAfter - heapBefore) / sessionCount);
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the callback handles both outcomes (a failure fails `finished`)
    private static void runTurn(
            CopilotSession s,
            int session,
            int turn,
            int turns,
            Latencies lat,
            CompletableFuture<Void> finished,
            AtomicInteger failures) {
        if (turn == turns) {
            finished.complete(null);
            return;
        }
        long start = System.nanoTime();
        s.sendAndWaitAsync("session " + session + " turn " + turn, Duration.ofMinutes(5))
                .whenComplete((m, e) -> {
                    lat.add(System.nanoTime() - start);
                    if (e != null) {
                        failures.incrementAndGet();
                        finished.completeExceptionally(e);
                        return;
                    }
                    runTurn(s, session, turn + 1, turns, lat, finished, failures);
                });
    }

    /**
     * Counts sessions whose events broke order: {@code session.start} first, the non-ephemeral
     * events' parent-id chain (the runtime links each to the one before), the prompts in turn
     * order, each turn's event types, and the store's seq order equal to delivery order. The
     * events must have been collected by a listener registered with {@code
     * SessionConfig.Builder.onEvent}, which sees every event from the first.
     */
    public static int checkOrder(
            CopilotClient client, InMemorySessionStore store, List<List<SessionEvent>> seen, int turns) {
        int bad = 0;
        List<String> turnShape = List.of(
                "user.message", "assistant.turn_start", "assistant.message", "assistant.turn_end", "session.idle");
        for (List<SessionEvent> events : seen) {
            boolean ok = true;
            String previousId = null;
            List<String> persistedIds = new ArrayList<>();
            List<String> prompts = new ArrayList<>();
            List<String> types = new ArrayList<>();
            for (SessionEvent e : events) {
                if (!e.ephemeral()) {
                    if (previousId != null && !previousId.equals(e.parentId())) {
                        ok = false;
                    }
                    previousId = e.id();
                    persistedIds.add(e.id());
                }
                e.as(UserMessage.class).ifPresent(u -> prompts.add(u.content()));
                if (!e.type().equals("session.start")) {
                    types.add(e.type());
                }
            }
            ok = ok && !events.isEmpty() && events.get(0).type().equals("session.start");
            for (int t = 0; t < turns && ok; t++) {
                ok = prompts.size() == turns
                        && prompts.get(t).endsWith(" turn " + t)
                        && types.size() == turns * turnShape.size()
                        && types.subList(t * turnShape.size(), (t + 1) * turnShape.size())
                                .equals(turnShape);
            }
            if (ok && !events.isEmpty()) {
                String sid = events.get(0).sessionId();
                List<String> storedIds = store.readEvents(sid, 0, 10_000).stream()
                        .map(StoredEvent::eventId)
                        .toList();
                ok = Objects.equals(storedIds, persistedIds);
            }
            if (!ok || events.isEmpty()) {
                if (bad == 0) {
                    System.out.println("  first out-of-order session: "
                            + events.stream()
                                    .map(e -> e.type() + "(" + e.id() + "<-" + e.parentId() + ")")
                                    .toList());
                }
                bad++;
            }
        }
        return bad;
    }

    /** Client-only heap per idle session: scripted peer (no runtime state), store that keeps nothing. */
    private static void idleHeap(Report report, int n) throws Exception {
        ScriptedPeer peer = new ScriptedPeer();
        try (CopilotClient client = CopilotClient.builder()
                .transport(peer)
                .sessionStore(new DiscardStore())
                .build()) {
            client.start();
            // Warm up the code paths (class loading, JIT) with a few sessions, then close them.
            for (int i = 0; i < 50; i++) {
                client.createSession(SessionConfig.builder().build()).close();
            }
            long h0 = Jvm.usedHeapAfterGc();
            List<CompletableFuture<CopilotSession>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(client.createSessionAsync(SessionConfig.builder()
                        .model("gpt-5")
                        .owner("user-" + (i % 100))
                        .build()));
            }
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            for (CompletableFuture<CopilotSession> f : fs) {
                f.join().on(e -> {}); // one listener each, as an application would have
            }
            long h1 = Jvm.usedHeapAfterGc();
            long per = (h1 - h0) / n;
            report.add(
                    GROUP,
                    String.format(Locale.ROOT, "heap per idle session (client, %,d)", n),
                    Jvm.kib(per),
                    "< 16 KiB",
                    per < IDLE_SESSION_TARGET_BYTES);
            if (client.openSessions().size() != n) {
                report.note("expected " + n + " open sessions, found "
                        + client.openSessions().size());
            }
        }
    }
}
