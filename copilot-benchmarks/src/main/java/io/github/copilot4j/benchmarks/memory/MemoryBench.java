package io.github.copilot4j.benchmarks.memory;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.benchmarks.support.Jvm;
import io.github.copilot4j.benchmarks.support.Latencies;
import io.github.copilot4j.benchmarks.support.Report;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 5: one client holding 10,000 sessions of the scripted runtime ({@link FakeRuntime}),
 * each after one turn, in a child JVM with {@code -Xmx512m}. Everything lives in that heap: the
 * client, the FakeRuntime's sessions and the default in-memory store with every persisted event.
 * Reports the used heap after GC, the heap's peak, GC time and thread count, or the failure.
 *
 * <p>Run: {@code java -cp ... io.github.copilot4j.benchmarks.memory.MemoryBench} (starts the child itself)
 */
public final class MemoryBench {
    static final String GROUP = "5 memory";
    static final int SESSIONS = 10_000;

    private MemoryBench() {}

    public static void main(String[] args) throws Exception {
        Report r = new Report();
        run(r);
        System.out.println(r.table("Memory"));
    }

    public static void run(Report report) throws Exception {
        System.out.println("== 5. 10,000 sessions in one client, child JVM with -Xmx512m");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-Xmx512m",
                        "-XX:+UseG1GC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Child.class.getName(),
                        Integer.toString(SESSIONS))
                .redirectErrorStream(true);
        Process child = pb.start();
        Map<String, String> result = new LinkedHashMap<>();
        List<String> tail = new ArrayList<>();
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    String[] kv = line.substring(7).split("=", 2);
                    result.put(kv[0], kv[1]);
                } else {
                    tail.add(line);
                    if (tail.size() > 20) {
                        tail.remove(0);
                    }
                }
            }
        }
        boolean exited = child.waitFor(300, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        boolean ok = exited && child.exitValue() == 0 && result.containsKey("usedAfterGc");
        if (!ok) {
            report.add(
                    GROUP,
                    "10,000 sessions in -Xmx512m",
                    "FAILED (exit " + (exited ? child.exitValue() : "timeout") + "): " + String.join(" / ", tail),
                    "fits",
                    false);
            return;
        }
        long used = Long.parseLong(result.get("usedAfterGc"));
        long baseline = Long.parseLong(result.get("usedBeforeSessions"));
        report.add(
                GROUP,
                "10,000 sessions × 1 turn in -Xmx512m",
                "used heap after GC " + Jvm.mib(used) + " (peak " + Jvm.mib(Long.parseLong(result.get("peakHeap")))
                        + ", max " + Jvm.mib(Long.parseLong(result.get("maxHeap"))) + ")",
                "fits",
                used < 512L * 1024 * 1024);
        report.add(GROUP, "  per session (client + FakeRuntime + store)", Jvm.kib((used - baseline) / SESSIONS));
        report.add(
                GROUP,
                "  create + 1 turn each, wall",
                result.get("wallMs") + " ms; per turn " + result.get("turnLatency"));
        report.add(GROUP, "  GC time / threads", result.get("gcMs") + " ms / " + result.get("threads") + " threads");
    }

    /** The child JVM's program: prints RESULT key=value lines. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            int n = Integer.parseInt(args[0]);
            FakeRuntime runtime = FakeRuntime.builder().recordRequests(false).build();
            try (runtime;
                    CopilotClient client = CopilotClient.builder()
                            .transport(InMemoryTransport.to(runtime))
                            .requestTimeout(Duration.ofMinutes(2))
                            .build()) {
                client.start();
                long before = Jvm.usedHeapAfterGc();
                Latencies turns = new Latencies();
                Semaphore inFlight = new Semaphore(200);
                List<CompletableFuture<?>> all = new ArrayList<>(n);
                List<CopilotSession> sessions = new ArrayList<>(n);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    inFlight.acquire();
                    int k = i;
                    CompletableFuture<?> f = client.createSessionAsync(SessionConfig.builder()
                                    .model("gpt-5")
                                    .owner("user-" + (i % 500))
                                    .build())
                            .thenCompose(s -> {
                                synchronized (sessions) {
                                    sessions.add(s);
                                }
                                long s0 = System.nanoTime();
                                return s.sendAndWaitAsync("Hello from session " + k, Duration.ofMinutes(2))
                                        .whenComplete((m, e) -> turns.add(System.nanoTime() - s0));
                            })
                            .whenComplete((r, e) -> inFlight.release());
                    all.add(f);
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(240, TimeUnit.SECONDS);
                long wall = System.nanoTime() - t0;
                Jvm.sleep(500); // let the store lanes finish
                long used = Jvm.usedHeapAfterGc();
                long peak = 0;
                for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (p.getType() == MemoryType.HEAP) {
                        peak += p.getPeakUsage().getUsed();
                    }
                }
                long gcMs = 0;
                for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                    gcMs += Math.max(0, gc.getCollectionTime());
                }
                System.out.println("RESULT sessions=" + client.openSessions().size());
                System.out.println("RESULT usedBeforeSessions=" + before);
                System.out.println("RESULT usedAfterGc=" + used);
                System.out.println("RESULT peakHeap=" + peak);
                System.out.println("RESULT maxHeap=" + Runtime.getRuntime().maxMemory());
                System.out.println("RESULT wallMs=" + Latencies.ms(wall));
                System.out.println("RESULT turnLatency=" + turns.summary());
                System.out.println("RESULT gcMs=" + gcMs);
                System.out.println("RESULT threads=" + Jvm.threadCount());
                if (client.openSessions().size() != n) {
                    throw new IllegalStateException("expected " + n + " open sessions, have "
                            + client.openSessions().size());
                }
            }
        }
    }
}
