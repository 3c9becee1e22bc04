package io.github.copilot4j.benchmarks.engine;

import io.github.copilot4j.benchmarks.support.Jvm;
import io.github.copilot4j.benchmarks.support.Latencies;
import io.github.copilot4j.benchmarks.support.Report;
import java.util.Locale;

/**
 * Benchmark 1, as a plain program: the client alone over a {@link ScriptedPeer}. Session events
 * routed and delivered per second (ephemeral deltas, and persisted events that also go through the
 * store lane to a {@code DiscardStore}), request/response round trips (latency one at a time,
 * throughput with 64 in flight), and bytes allocated per event across all threads. The JMH
 * version is {@code jmh.EngineJmh}.
 *
 * <p>Run: {@code java -cp ... io.github.copilot4j.benchmarks.engine.EngineBench [--quick]}
 */
public final class EngineBench {
    static final String GROUP = "1 engine";
    static final double TARGET_EVENTS_PER_SECOND = 200_000;

    private EngineBench() {}

    public static void main(String[] args) throws Exception {
        Report r = new Report();
        run(r, java.util.Arrays.asList(args).contains("--quick"));
        System.out.println(r.table("Engine"));
    }

    public static void run(Report report, boolean quick) throws Exception {
        System.out.println("== 1. engine alone (scripted peer, pre-encoded frames)");
        int blobEvents = 100_000;
        int rounds = quick ? 3 : 10;
        events(report, "delta events/s, 1 session", 1, blobEvents, false, rounds, true);
        events(report, "delta events/s, 100 sessions", 100, blobEvents, false, rounds, true);
        events(report, "persisted events/s, 1 session", 1, blobEvents, true, rounds, false);
        events(report, "persisted events/s, 100 sessions", 100, blobEvents, true, rounds, false);
        roundTrips(report, quick ? 20_000 : 100_000);
    }

    private static void events(
            Report report, String label, int sessions, int blobEvents, boolean persisted, int rounds, boolean target)
            throws Exception {
        try (EngineFixture f = new EngineFixture(sessions, blobEvents, persisted)) {
            for (int i = 0; i < 3; i++) {
                f.deliverBlob(); // warm-up
            }
            long alloc0 = Jvm.allocatedBytesAllThreads();
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                f.deliverBlob();
            }
            long nanos = System.nanoTime() - t0;
            long alloc = Jvm.allocatedBytesAllThreads() - alloc0;
            long events = (long) rounds * blobEvents;
            double perSecond = events / (nanos / 1e9);
            String value = String.format(Locale.ROOT, "%,.0f", perSecond);
            if (target) {
                report.add(GROUP, label, value, "≥ 200,000", perSecond >= TARGET_EVENTS_PER_SECOND);
            } else {
                report.add(GROUP, label, value);
            }
            report.add(GROUP, "  allocated per event", String.format(Locale.ROOT, "%,d B", alloc / events));
        }
    }

    private static void roundTrips(Report report, int count) throws Exception {
        try (EngineFixture f = new EngineFixture(64, 64, false)) {
            for (int i = 0; i < count / 2; i++) {
                f.roundTrip(); // warm-up
            }
            Latencies lat = new Latencies();
            long alloc0 = Jvm.allocatedBytesAllThreads();
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long s = System.nanoTime();
                f.roundTrip();
                lat.add(System.nanoTime() - s);
            }
            long nanos = System.nanoTime() - t0;
            long alloc = Jvm.allocatedBytesAllThreads() - alloc0;
            report.add(GROUP, "round trip, 1 in flight", lat.summary());
            report.add(
                    GROUP, "  round trips/s, 1 in flight", String.format(Locale.ROOT, "%,.0f", count / (nanos / 1e9)));
            report.add(GROUP, "  allocated per round trip", String.format(Locale.ROOT, "%,d B", alloc / count));
            int inFlight = 64;
            int batches = Math.max(1, count / inFlight);
            for (int i = 0; i < batches / 2; i++) {
                f.roundTrips(inFlight);
            }
            t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                f.roundTrips(inFlight);
            }
            nanos = System.nanoTime() - t0;
            report.add(
                    GROUP,
                    "round trips/s, 64 in flight",
                    String.format(Locale.ROOT, "%,.0f", (double) batches * inFlight / (nanos / 1e9)));
        }
    }
}
