package io.github.copilot4j.testing.junit;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.testing.LeakCheck;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands each test a started {@link CopilotClient}, on the in-memory
 * {@link FakeRuntime} (fast, no process) or on the real Copilot CLI offline ({@link OfflineCopilot}:
 * the pinned CLI against a local fake Copilot API, no token), and cleans up after the test.
 *
 * <pre>{@code
 * class MyServiceTest {
 *     @RegisterExtension
 *     final CopilotExtension copilot = CopilotExtension.inMemory();   // or CopilotExtension.offline()
 *
 *     @Test
 *     void answers(CopilotClient client) {                            // or copilot.client()
 *         try (CopilotSession s = client.createSession(SessionConfig.builder().build())) {
 *             assertEquals("ECHO: hi", s.sendAndWait("hi").content());
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Per test: before it, a fresh runtime (a new {@code FakeRuntime}, or a new {@code OfflineCopilot}
 * with its own fake API and CLI home) and a started client; after it, the client and the runtime are
 * closed. Then the leak check runs (unless {@link #withoutLeakCheck()}): the test fails if it left a
 * session open (not closed before the test returned), or if a thread or child process started during
 * the test is still alive after the clean-up; the message names them. Test methods may declare
 * parameters of type {@link CopilotClient}, {@link FakeRuntime} (in-memory), {@link OfflineCopilot}
 * and {@link FakeCopilotApi} (offline).
 *
 * <p>Threading: JUnit calls the callbacks on the test's thread. One instance serves one test at a
 * time: register it as an instance field (or a static field without parallel test methods).
 * Configure it before the first test runs; the {@code with...} methods return this extension.
 */
public final class CopilotExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private enum Mode {
        IN_MEMORY,
        OFFLINE_STDIO,
        OFFLINE_TCP
    }

    private final Mode mode;
    private Consumer<FakeRuntime.Builder> runtimeConfig = b -> {};
    private Consumer<OfflineCopilot.Builder> offlineConfig = b -> {};
    private Consumer<CopilotClient.Builder> clientConfig = b -> {};
    private boolean leakCheck = true;
    private Duration leakWait = Duration.ofSeconds(10);

    private LeakCheck leaks;
    private FakeRuntime fakeRuntime;
    private OfflineCopilot offline;
    private CopilotClient client;

    private CopilotExtension(Mode mode) {
        this.mode = mode;
    }

    /** A client on a fresh in-memory {@link FakeRuntime} for each test: no process, no network. */
    public static CopilotExtension inMemory() {
        return new CopilotExtension(Mode.IN_MEMORY);
    }

    /**
     * A client on the real Copilot CLI, offline, over stdio: a fresh {@link OfflineCopilot} for each
     * test (the pinned CLI is installed with npm on first use).
     */
    public static CopilotExtension offline() {
        return new CopilotExtension(Mode.OFFLINE_STDIO);
    }

    /** Like {@link #offline()}, with the CLI spawned as a TCP server on a random port. */
    public static CopilotExtension offlineOverTcp() {
        return new CopilotExtension(Mode.OFFLINE_TCP);
    }

    /** Configures each test's {@link FakeRuntime} (in-memory mode only), e.g. its models or responder. */
    public CopilotExtension withRuntime(Consumer<FakeRuntime.Builder> config) {
        requireMode(Mode.IN_MEMORY, "withRuntime");
        this.runtimeConfig = Objects.requireNonNull(config, "config");
        return this;
    }

    /** Configures each test's {@link OfflineCopilot} (offline modes only), e.g. a scripted fake API. */
    public CopilotExtension withOffline(Consumer<OfflineCopilot.Builder> config) {
        if (mode == Mode.IN_MEMORY) {
            throw new IllegalStateException("withOffline applies to CopilotExtension.offline(), not inMemory()");
        }
        this.offlineConfig = Objects.requireNonNull(config, "config");
        return this;
    }

    /**
     * Configures each test's client before it is built (the transport is already set), e.g. a
     * session store or timeouts. Whatever the test gives the builder it closes itself.
     */
    public CopilotExtension withClient(Consumer<CopilotClient.Builder> config) {
        this.clientConfig = Objects.requireNonNull(config, "config");
        return this;
    }

    /** How long the leak check waits for threads and processes to end after the clean-up (default 10 s). */
    public CopilotExtension withLeakWait(Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("leak wait must not be negative, got " + wait);
        }
        this.leakWait = wait;
        return this;
    }

    /** Turns off the leak check (open sessions, threads, processes); the clean-up still runs. */
    public CopilotExtension withoutLeakCheck() {
        this.leakCheck = false;
        return this;
    }

    /** The current test's started client. */
    public CopilotClient client() {
        return require(client, "client()");
    }

    /** The current test's in-memory runtime (in-memory mode). */
    public FakeRuntime fakeRuntime() {
        requireMode(Mode.IN_MEMORY, "fakeRuntime()");
        return require(fakeRuntime, "fakeRuntime()");
    }

    /** The current test's offline CLI set-up (offline modes). */
    public OfflineCopilot offlineCopilot() {
        if (mode == Mode.IN_MEMORY) {
            throw new IllegalStateException(
                    "offlineCopilot() is for CopilotExtension.offline(); this one is inMemory()");
        }
        return require(offline, "offlineCopilot()");
    }

    /** The current test's fake Copilot API, to script replies and read requests (offline modes). */
    public FakeCopilotApi fakeApi() {
        return offlineCopilot().fakeApi();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        leaks = LeakCheck.start();
        try {
            Transport transport;
            if (mode == Mode.IN_MEMORY) {
                FakeRuntime.Builder rb = FakeRuntime.builder();
                runtimeConfig.accept(rb);
                fakeRuntime = rb.build();
                transport = InMemoryTransport.to(fakeRuntime);
            } else {
                OfflineCopilot.Builder ob = OfflineCopilot.builder();
                offlineConfig.accept(ob);
                offline = ob.build();
                transport = mode == Mode.OFFLINE_TCP ? offline.tcpTransport() : offline.stdioTransport();
            }
            CopilotClient.Builder cb = CopilotClient.builder();
            clientConfig.accept(cb);
            client = cb.transport(transport).build();
            client.start();
        } catch (RuntimeException | Error e) {
            cleanUp(new ArrayList<>());
            throw e;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> problems = new ArrayList<>();
        if (leakCheck && client != null) {
            Collection<CopilotSession> open = client.openSessions();
            if (!open.isEmpty()) {
                problems.add(open.size() + " session(s) left open by " + context.getDisplayName() + ": "
                        + open.stream().map(CopilotSession::sessionId).collect(Collectors.joining(", "))
                        + ". Close each session (try-with-resources, or session.close()) before the test returns.");
            }
        }
        cleanUp(problems);
        if (leakCheck && leaks != null) {
            try {
                leaks.assertNoLeaks(leakWait);
            } catch (AssertionError e) {
                problems.add(e.getMessage() + "\n  (started during " + context.getDisplayName()
                        + " and still alive after the client and runtime were closed: stop what the test started)");
            }
        }
        leaks = null;
        if (!problems.isEmpty()) {
            throw new AssertionError("CopilotExtension: " + String.join("\n", problems));
        }
    }

    private void cleanUp(List<String> problems) {
        closeQuietly(client, "the client", problems);
        closeQuietly(fakeRuntime, "the fake runtime", problems);
        closeQuietly(offline, "the offline Copilot", problems);
        client = null;
        fakeRuntime = null;
        offline = null;
    }

    private static void closeQuietly(AutoCloseable c, String what, List<String> problems) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            problems.add("closing " + what + " failed: " + e);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == CopilotClient.class
                || (type == FakeRuntime.class && mode == Mode.IN_MEMORY)
                || ((type == OfflineCopilot.class || type == FakeCopilotApi.class) && mode != Mode.IN_MEMORY);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (client == null) {
            throw new ParameterResolutionException("CopilotExtension has no client for " + parameter.getParameter()
                    + ": only test methods (and @BeforeEach/@AfterEach methods) can take one; register the extension"
                    + " with @RegisterExtension");
        }
        if (type == CopilotClient.class) {
            return client;
        }
        if (type == FakeRuntime.class) {
            return fakeRuntime;
        }
        if (type == OfflineCopilot.class) {
            return offline;
        }
        return offline.fakeApi();
    }

    private void requireMode(Mode wanted, String method) {
        if (mode != wanted) {
            throw new IllegalStateException(
                    method + " is for CopilotExtension.inMemory(); this one runs the CLI offline");
        }
    }

    private static <T> T require(T value, String method) {
        if (value == null) {
            throw new IllegalStateException(
                    method + " is available only while a test runs (between beforeEach and afterEach)");
        }
        return value;
    }

    @Override
    public String toString() {
        return "CopilotExtension[" + mode + (leakCheck ? ", leak check" : "") + "]";
    }
}
