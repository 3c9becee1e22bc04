package io.github.copilot4j.benchmarks.cli;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.benchmarks.support.Latencies;
import io.github.copilot4j.benchmarks.support.Report;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.store.InMemorySessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark 3: the real Copilot CLI (pinned version, over stdio) with the fake Copilot API
 * answering at once ({@link OfflineCopilot}). Client start to connected (spawning the CLI),
 * {@code session.create}, one turn from {@code send} to {@code session.idle}, and 20 sessions × 5
 * turns concurrently. A {@link TimingTransport} splits each turn into the client's time (from
 * the call until the {@code session.send} request is handed to the transport, plus from the
 * {@code session.idle} frame arriving until the {@code sendAndWait} future completes) and the
 * CLI's (the rest); and every event's time from its frame arriving to the listener being called.
 *
 * <p>Run: {@code java -cp ... io.github.copilot4j.benchmarks.cli.CliBench [--quick]}
 */
public final class CliBench {
    static final String GROUP = "3 real CLI";
    static final long CLIENT_TURN_TARGET_NANOS = 1_000_000;
    static final Duration TURN = Duration.ofMinutes(2);

    private CliBench() {}

    public static void main(String[] args) throws Exception {
        Report r = new Report();
        run(r, java.util.Arrays.asList(args).contains("--quick"));
        System.out.println(r.table("Real CLI"));
    }

    /** Per-turn split. */
    static final class TurnSplit {
        final Latencies total = new Latencies();
        final Latencies cli = new Latencies();
        final Latencies client = new Latencies();
        final Latencies clientOut = new Latencies();
        final Latencies clientIn = new Latencies();

        void add(long t0, long done, TimingTransport.SessionTimes times) {
            long written = times.sendWrittenAt();
            long idle = times.idleArrivedAt();
            total.add(done - t0);
            if (written >= t0 && idle >= written && done >= idle) {
                cli.add(idle - written);
                clientOut.add(written - t0);
                clientIn.add(done - idle);
                client.add((written - t0) + (done - idle));
            }
        }
    }

    private static CopilotClient newClient(TimingTransport transport) {
        return CopilotClient.builder()
                .transport(transport)
                .sessionStore(new InMemorySessionStore())
                .requestTimeout(Duration.ofSeconds(60))
                .startTimeout(Duration.ofSeconds(120))
                .build();
    }

    /**
     * Persisted events per second the CLI produced: with 20 sessions busy at once, and with one
     * session doing one turn after another.
     */
    public record Rates(double manySessions, double oneSession) {}

    /** Runs it; returns the rates at which the CLI produced persisted events. */
    public static Rates run(Report report, boolean quick) throws Exception {
        System.out.println("== 3. real CLI over stdio, fake Copilot API (instant replies)");
        int starts = quick ? 2 : 5;
        int creates = quick ? 5 : 20;
        int turns = quick ? 10 : 40;
        int sessions = 20;
        int turnsEach = 5;
        double persistedRate;
        double oneSessionRate;
        try (OfflineCopilot offline = OfflineCopilot.start()) {
            Latencies start = new Latencies();
            TimingTransport transport = null;
            CopilotClient client = null;
            for (int i = 0; i < starts; i++) {
                if (client != null) {
                    client.close();
                }
                transport = new TimingTransport(offline.stdioTransport());
                client = newClient(transport);
                long t0 = System.nanoTime();
                client.start();
                start.add(System.nanoTime() - t0);
            }
            try (CopilotClient c = client) {
                TimingTransport t = transport;
                report.add(GROUP, "client start → connected (" + starts + ")", start.summary());
                Latencies perEvent = new Latencies();
                AtomicInteger unmatched = new AtomicInteger();
                Latencies create = new Latencies();
                List<CopilotSession> made = new ArrayList<>();
                for (int i = 0; i < creates + 1; i++) {
                    long t0 = System.nanoTime();
                    CopilotSession s = c.createSession(
                            SessionConfig.builder().model("gpt-5").build());
                    if (i > 0) {
                        create.add(System.nanoTime() - t0); // the first one warms up
                    }
                    made.add(s);
                }
                report.add(GROUP, "session.create (" + creates + ")", create.summary());
                // 20 sessions x 5 turns, all sessions at once (this also warms up the client's code paths)
                List<CompletableFuture<CopilotSession>> creating = new ArrayList<>();
                for (int i = 0; i < sessions; i++) {
                    creating.add(c.createSessionAsync(
                            SessionConfig.builder().model("gpt-5").build()));
                }
                CompletableFuture.allOf(creating.toArray(CompletableFuture[]::new))
                        .get(300, TimeUnit.SECONDS);
                TurnSplit many = new TurnSplit();
                AtomicLong persisted = new AtomicLong();
                List<CompletableFuture<Void>> finished = new ArrayList<>();
                long w0 = System.nanoTime();
                for (int i = 0; i < sessions; i++) {
                    CopilotSession cs = creating.get(i).join();
                    listen(cs, t, perEvent, unmatched);
                    cs.on(e -> {
                        if (!e.ephemeral()) {
                            persisted.incrementAndGet();
                        }
                    });
                    CompletableFuture<Void> f = new CompletableFuture<>();
                    finished.add(f);
                    chain(cs, t, 0, turnsEach, many, f);
                }
                CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new))
                        .get(600, TimeUnit.SECONDS);
                long wall = System.nanoTime() - w0;
                persistedRate = persisted.get() / (wall / 1e9);
                report.add(
                        GROUP,
                        sessions + " sessions × " + turnsEach + " turns: wall",
                        Latencies.ms(wall)
                                + String.format(
                                        Locale.ROOT,
                                        " ms (%.1f turns/s, %.0f persisted events/s)",
                                        sessions * turnsEach / (wall / 1e9),
                                        persisted.get() / (wall / 1e9)));
                report.add(GROUP, "  per turn send → idle", many.total.summary());
                report.add(GROUP, "  of which CLI", many.cli.summary());
                report.add(
                        GROUP,
                        "  of which client",
                        many.client.summary(),
                        "< 1 ms median",
                        many.client.median() < CLIENT_TURN_TARGET_NANOS);
                report.add(GROUP, "    client: call → request written", many.clientOut.summary());
                report.add(GROUP, "    client: idle frame → future done", many.clientIn.summary());
                // one turn at a time in one session
                CopilotSession s = made.get(0);
                listen(s, t, perEvent, unmatched);
                for (int i = 0; i < 5; i++) {
                    s.sendAndWait("warm-up " + i, TURN);
                }
                TurnSplit one = new TurnSplit();
                AtomicLong persistedOne = new AtomicLong();
                s.on(e -> {
                    if (!e.ephemeral()) {
                        persistedOne.incrementAndGet();
                    }
                });
                long s0 = System.nanoTime();
                for (int i = 0; i < turns; i++) {
                    long t0 = System.nanoTime();
                    long[] done = new long[1];
                    s.sendAndWaitAsync("sequential turn " + i, TURN)
                            .whenComplete((m, e) -> done[0] = System.nanoTime())
                            .get(TURN.toSeconds() + 5, TimeUnit.SECONDS);
                    one.add(t0, done[0], t.times(s.sessionId()));
                }
                oneSessionRate = persistedOne.get() / ((System.nanoTime() - s0) / 1e9);
                report.add(
                        GROUP,
                        "one turn send → idle (" + turns + ")",
                        one.total.summary() + String.format(Locale.ROOT, " (%.0f persisted events/s)", oneSessionRate));
                report.add(GROUP, "  of which CLI", one.cli.summary());
                report.add(
                        GROUP,
                        "  of which client",
                        one.client.summary(),
                        "< 1 ms median",
                        one.client.median() < CLIENT_TURN_TARGET_NANOS);
                report.add(GROUP, "    client: call → request written", one.clientOut.summary());
                report.add(GROUP, "    client: idle frame → future done", one.clientIn.summary());

                report.add(
                        GROUP,
                        "event frame → listener (" + String.format(Locale.ROOT, "%,d", perEvent.count()) + " events)",
                        perEvent.summary());
                if (unmatched.get() > 0) {
                    report.note(unmatched.get() + " delivered events had no recorded frame arrival (not counted)");
                }
            }
        }
        return new Rates(persistedRate, oneSessionRate);
    }

    private static void listen(CopilotSession s, TimingTransport t, Latencies perEvent, AtomicInteger unmatched) {
        s.on(e -> {
            long now = System.nanoTime();
            long arrived = t.takeArrival(e.id());
            if (arrived < 0) {
                unmatched.incrementAndGet();
            } else {
                perEvent.add(now - arrived);
            }
        });
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the callback handles both outcomes (a failure fails `finished`)
    private static void chain(
            CopilotSession s,
            TimingTransport t,
            int turn,
            int turns,
            TurnSplit split,
            CompletableFuture<Void> finished) {
        if (turn == turns) {
            finished.complete(null);
            return;
        }
        long t0 = System.nanoTime();
        s.sendAndWaitAsync("concurrent turn " + turn, TURN).whenComplete((m, e) -> {
            long done = System.nanoTime();
            if (e != null) {
                finished.completeExceptionally(e);
                return;
            }
            split.add(t0, done, t.times(s.sessionId()));
            chain(s, t, turn + 1, turns, split, finished);
        });
    }
}
