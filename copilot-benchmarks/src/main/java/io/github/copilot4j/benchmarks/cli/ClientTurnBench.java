package io.github.copilot4j.benchmarks.cli;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.benchmarks.engine.ScriptedPeer;
import io.github.copilot4j.benchmarks.support.Report;
import io.github.copilot4j.store.InMemorySessionStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 3, the client's share alone: the same per-turn split as {@link CliBench}, but the
 * runtime is the {@link ScriptedPeer} playing a whole turn the moment {@code session.send}
 * arrives, so nothing but the client (and the thread hand-offs on this machine) is measured. The
 * first turns of a fresh JVM run mostly interpreted code; the warm numbers come after 20,000
 * turns.
 */
public final class ClientTurnBench {
    private ClientTurnBench() {}

    public static void main(String[] args) throws Exception {
        Report r = new Report();
        run(r, java.util.Arrays.asList(args).contains("--quick"));
        System.out.println(r.table("Client per turn"));
    }

    public static void run(Report report, boolean quick) throws Exception {
        System.out.println("== 3b. client time per turn, scripted peer playing the CLI's turn");
        TimingTransport t = new TimingTransport(new ScriptedPeer(true));
        try (CopilotClient client = CopilotClient.builder()
                .transport(t)
                .sessionStore(new InMemorySessionStore())
                .build()) {
            client.start();
            CopilotSession s = client.createSession(SessionConfig.builder().build());
            CliBench.TurnSplit cold = new CliBench.TurnSplit();
            turns(s, t, 20, cold);
            report.add(CliBench.GROUP, "scripted turn, client time, cold (20)", cold.client.summary());
            turns(s, t, quick ? 10_000 : 30_000, new CliBench.TurnSplit());
            CliBench.TurnSplit warm = new CliBench.TurnSplit();
            turns(s, t, quick ? 2_000 : 10_000, warm);
            report.add(
                    CliBench.GROUP,
                    "scripted turn, client time, warm",
                    warm.client.summary(),
                    "< 1 ms median",
                    warm.client.median() < CliBench.CLIENT_TURN_TARGET_NANOS);
            report.add(CliBench.GROUP, "    client: call → request written", warm.clientOut.summary());
            report.add(CliBench.GROUP, "    client: idle frame → future done", warm.clientIn.summary());
        }
    }

    private static void turns(CopilotSession s, TimingTransport t, int n, CliBench.TurnSplit split) throws Exception {
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            long[] done = new long[1];
            s.sendAndWaitAsync("hello", Duration.ofSeconds(30))
                    .whenComplete((m, e) -> done[0] = System.nanoTime())
                    .get(30, TimeUnit.SECONDS);
            split.add(t0, done[0], t.times(s.sessionId()));
        }
    }
}
