package io.github.copilot4j.benchmarks.jmh;

import io.github.copilot4j.benchmarks.engine.EngineFixture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 1 with JMH: the client alone over the scripted peer. One operation is one event routed
 * and delivered to its session's listener (a batch of {@value #BATCH} per invocation), or one
 * request/response round trip. Run with {@code -prof gc} for allocation per event
 * ({@code gc.alloc.rate.norm}, all threads).
 *
 * <pre>
 * java -cp ... org.openjdk.jmh.Main EngineJmh -prof gc
 * </pre>
 */
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EngineJmh {
    /** Events fed per invocation. */
    public static final int BATCH = 20_000;

    /** Events over a number of sessions. */
    @State(Scope.Benchmark)
    public static class Events {
        @Param({"1", "100"})
        public int sessions;

        @Param({"false", "true"})
        public boolean persisted;

        EngineFixture fixture;

        @Setup(Level.Trial)
        public void setUp() {
            fixture = new EngineFixture(sessions, BATCH, persisted);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            fixture.close();
        }
    }

    /** Round trips on 64 sessions. */
    @State(Scope.Benchmark)
    public static class Requests {
        EngineFixture fixture;

        @Setup(Level.Trial)
        public void setUp() {
            fixture = new EngineFixture(64, 64, false);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            fixture.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void events(Events s) throws InterruptedException {
        s.fixture.deliverBlob();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void roundTrip(Requests s) throws Exception {
        s.fixture.roundTrip();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(64)
    public void roundTrips64InFlight(Requests s) throws Exception {
        s.fixture.roundTrips(64);
    }
}
