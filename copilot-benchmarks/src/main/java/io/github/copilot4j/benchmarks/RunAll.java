package io.github.copilot4j.benchmarks;

import io.github.copilot4j.benchmarks.cli.CliBench;
import io.github.copilot4j.benchmarks.cli.ClientTurnBench;
import io.github.copilot4j.benchmarks.engine.EngineBench;
import io.github.copilot4j.benchmarks.jmh.EngineJmh;
import io.github.copilot4j.benchmarks.memory.MemoryBench;
import io.github.copilot4j.benchmarks.sessions.ManySessionsBench;
import io.github.copilot4j.benchmarks.store.StoreBench;
import io.github.copilot4j.benchmarks.support.Report;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs every benchmark and prints one table (Markdown).
 *
 * <pre>
 * java -cp ... io.github.copilot4j.benchmarks.RunAll [--quick | --full] [--only=1,2,3,4,5] [--out=FILE] [--no-postgres]
 * </pre>
 *
 * {@code --quick} (the default) takes a few minutes on a 2-core machine; {@code --full} runs longer
 * measurements. Sections: 1 engine (JMH; with {@code --full} also the plain program), 2 many
 * sessions, 3 real CLI and the client's share of a turn, 4 JDBC store, 5 memory.
 */
public final class RunAll {
    private RunAll() {}

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        boolean quick = !a.contains("--full");
        Set<String> only = new TreeSet<>(List.of("1", "2", "3", "4", "5"));
        String out = null;
        for (String arg : a) {
            if (arg.startsWith("--only=")) {
                only = new TreeSet<>(Arrays.asList(arg.substring(7).split(",")));
            } else if (arg.startsWith("--out=")) {
                out = arg.substring(6);
            }
        }
        Report report = new Report();
        long t0 = System.nanoTime();
        CliBench.Rates cliRates = null;
        if (only.contains("1")) {
            section(report, "1 engine", () -> {
                engineJmh(report, quick);
                if (!quick) {
                    EngineBench.run(report, false);
                }
            });
        }
        if (only.contains("2")) {
            section(report, "2 many sessions", () -> ManySessionsBench.run(report, quick));
        }
        if (only.contains("3")) {
            CliBench.Rates[] rates = new CliBench.Rates[1];
            section(report, "3 real CLI", () -> {
                rates[0] = CliBench.run(report, quick);
                ClientTurnBench.run(report, quick);
            });
            cliRates = rates[0];
        }
        if (only.contains("4")) {
            CliBench.Rates r = cliRates;
            section(report, "4 JDBC store", () -> StoreBench.run(report, quick, r, a.contains("--no-postgres")));
        }
        if (only.contains("5")) {
            section(report, "5 memory", () -> MemoryBench.run(report));
        }
        String table = report.table("copilot4j benchmarks (" + (quick ? "quick" : "full")
                + String.format(Locale.ROOT, ", %.0f s)", (System.nanoTime() - t0) / 1e9));
        System.out.println();
        System.out.println(table);
        if (out != null) {
            Files.writeString(Path.of(out), table, StandardCharsets.UTF_8);
            System.out.println("(written to " + out + ")");
        }
        System.exit(0); // JMH and JDBC pools may leave non-daemon threads behind
    }

    interface Section {
        void run() throws Exception;
    }

    private static void section(Report report, String group, Section s) {
        try {
            s.run();
        } catch (Exception | Error e) {
            e.printStackTrace();
            report.add(group, "FAILED", e.toString().replace('|', '/'), "runs", false);
        }
    }

    /** The JMH engine benchmarks through JMH's API, with the GC profiler; rows added to the report. */
    static void engineJmh(Report report, boolean quick) throws Exception {
        System.out.println(
                "== 1. engine alone (JMH, scripted peer, pre-encoded frames)" + (quick ? " - quick settings" : ""));
        ChainedOptionsBuilder opts = new OptionsBuilder()
                .include(EngineJmh.class.getName() + "\\.")
                .addProfiler(GCProfiler.class)
                .forks(1)
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true);
        if (quick) {
            opts.warmupIterations(2)
                    .warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5)
                    .measurementTime(TimeValue.seconds(1));
        }
        Collection<RunResult> results = new Runner(opts.build()).run();
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1);
            Result<?> primary = r.getPrimaryResult();
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            String allocText = alloc == null ? "?" : String.format(Locale.ROOT, "%,.0f B", alloc.getScore());
            switch (name) {
                case "events" -> {
                    boolean persisted = Boolean.parseBoolean(p.getParam("persisted"));
                    String label = String.format(
                            Locale.ROOT,
                            "%s events/s, %s session%s",
                            persisted ? "persisted" : "delta",
                            p.getParam("sessions"),
                            "1".equals(p.getParam("sessions")) ? "" : "s");
                    String value = String.format(
                            Locale.ROOT,
                            "%,.0f ± %,.0f; %s allocated per event",
                            primary.getScore(),
                            primary.getScoreError(),
                            allocText);
                    if (persisted) {
                        report.add("1 engine", label, value);
                    } else {
                        report.add(
                                "1 engine",
                                label,
                                value,
                                "≥ 200,000",
                                primary.getScore() >= EngineBenchTargets.EVENTS_PER_SECOND);
                    }
                }
                case "roundTrip" -> {
                    Statistics st = primary.getStatistics();
                    report.add(
                            "1 engine",
                            "round trip, 1 in flight",
                            String.format(
                                    Locale.ROOT,
                                    "%.1f / %.1f / %,.0f µs; %s per round trip",
                                    st.getPercentile(50),
                                    st.getPercentile(95),
                                    st.getMax(),
                                    allocText));
                }
                case "roundTrips64InFlight" ->
                    report.add(
                            "1 engine",
                            "round trips/s, 64 in flight",
                            String.format(
                                    Locale.ROOT,
                                    "%,.0f ± %,.0f; %s per round trip",
                                    primary.getScore(),
                                    primary.getScoreError(),
                                    allocText));
                default ->
                    report.add(
                            "1 engine",
                            name,
                            String.format(Locale.ROOT, "%,.1f %s", primary.getScore(), primary.getScoreUnit()));
            }
        }
    }

    /** Targets of benchmark 1. */
    static final class EngineBenchTargets {
        static final double EVENTS_PER_SECOND = 200_000;
    }
}
