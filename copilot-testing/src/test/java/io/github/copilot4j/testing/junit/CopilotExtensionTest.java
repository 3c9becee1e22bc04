package io.github.copilot4j.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs small test classes that use {@link CopilotExtension} through the JUnit launcher and checks
 * what they saw and how they ended: a passing test, per-test clean-up, an open session and a leaked
 * thread each failing with a message that names them, and the real CLI offline.
 */
class CopilotExtensionTest {

    private static volatile boolean runningSamples;
    /** What the samples saw, by key; reset before each run. */
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    static final CountDownLatch RELEASE_LEAKED_THREAD = new CountDownLatch(1);

    static boolean runningSamples() {
        return runningSamples;
    }

    @Test
    void aTestGetsAStartedClientOnTheInMemoryRuntimeAndEverythingIsClosedAfterIt() {
        Outcome o = run(InMemorySample.class);
        assertEquals(List.of(), o.failures, "failures");
        assertEquals(2, o.passed);
        CopilotClient first = (CopilotClient) SEEN.get("client-first");
        CopilotClient second = (CopilotClient) SEEN.get("client-second");
        assertNotSame(first, second, "each test gets its own client");
        assertSame(first, SEEN.get("extension-client-first"), "the parameter and copilot.client() are the same client");
        assertEquals(ClientState.CLOSED, first.state(), "the client is closed after the test");
        assertEquals(ClientState.CLOSED, second.state());
        assertEquals("ECHO: hi", SEEN.get("reply"));
        assertEquals(0, SEEN.get("sessions-seen-by-second-runtime"), "each test gets a fresh runtime");
        FakeRuntime runtime = (FakeRuntime) SEEN.get("runtime-first");
        assertEquals(0, runtime.connectionCount(), "the runtime is closed after the test");
    }

    @Test
    void aSessionLeftOpenFailsTheTestNamingIt() {
        Outcome o = run(OpenSessionSample.class);
        assertEquals(0, o.passed);
        assertEquals(1, o.failures.size(), "failures: " + o.failures);
        String message = o.failures.get(0);
        assertTrue(
                message.contains("1 session(s) left open") && message.contains((String) SEEN.get("open-session-id")),
                message);
        assertTrue(message.contains("Close each session"), message);
        assertEquals(ClientState.CLOSED, ((CopilotClient) SEEN.get("client")).state(), "cleaned up all the same");
    }

    @Test
    void aThreadLeftRunningFailsTheTestNamingIt() throws InterruptedException {
        try {
            Outcome o = run(LeakedThreadSample.class);
            assertEquals(1, o.failures.size(), "failures: " + o.failures);
            String message = o.failures.get(0);
            assertTrue(message.contains("thread 'sample-leaked-thread'"), message);
        } finally {
            RELEASE_LEAKED_THREAD.countDown();
            Thread t = (Thread) SEEN.get("leaked-thread");
            if (t != null) {
                t.join();
            }
        }
    }

    @Test
    void withoutLeakCheckOnlyCleansUp() {
        Outcome o = run(NoLeakCheckSample.class);
        assertEquals(List.of(), o.failures);
        assertEquals(ClientState.CLOSED, ((CopilotClient) SEEN.get("client")).state());
    }

    @Test
    void configurationThatDoesNotFitTheModeIsRefusedAtOnce() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> CopilotExtension.offline().withRuntime(b -> {}));
        assertTrue(e.getMessage().contains("inMemory()"), e.getMessage());
        assertThrows(
                IllegalStateException.class, () -> CopilotExtension.inMemory().withOffline(b -> {}));
        assertThrows(
                IllegalStateException.class, () -> CopilotExtension.inMemory().client(), "no client outside a test");
    }

    @Test
    @Timeout(180)
    void offlineModeRunsTheRealCliAgainstTheFakeApi() {
        Outcome o = run(OfflineSample.class);
        assertEquals(List.of(), o.failures, "failures");
        assertEquals(1, o.passed);
        assertEquals("ECHO: hello from the real CLI", SEEN.get("offline-reply"));
        assertTrue((Integer) SEEN.get("chat-requests") >= 1, "the CLI asked the fake API");
        assertEquals(ClientState.CLOSED, ((CopilotClient) SEEN.get("client")).state());
    }

    // ------------------------------------------------------------------------------------------

    private record Outcome(int passed, List<String> failures) {}

    private static Outcome run(Class<?> sample) {
        SEEN.clear();
        List<String> failures = new ArrayList<>();
        int[] passed = {0};
        runningSamples = true;
        try {
            LauncherFactory.create()
                    .execute(
                            LauncherDiscoveryRequestBuilder.request()
                                    .selectors(selectClass(sample))
                                    .build(),
                            new TestExecutionListener() {
                                @Override
                                public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                                    if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                                        passed[0] += id.isTest() ? 1 : 0;
                                    } else {
                                        failures.add(id.getDisplayName() + ": "
                                                + result.getThrowable()
                                                        .map(Throwable::getMessage)
                                                        .orElse("?"));
                                    }
                                }
                            });
        } finally {
            runningSamples = false;
        }
        return new Outcome(passed[0], failures);
    }

    @EnabledIf("io.github.copilot4j.testing.junit.CopilotExtensionTest#runningSamples")
    static class InMemorySample {
        @RegisterExtension
        final CopilotExtension copilot = CopilotExtension.inMemory();

        @Test
        void first(CopilotClient client, FakeRuntime runtime) {
            SEEN.put("client-first", client);
            SEEN.put("extension-client-first", copilot.client());
            SEEN.put("runtime-first", runtime);
            assertEquals(ClientState.CONNECTED, client.state());
            try (CopilotSession s = client.createSession(SessionConfig.builder().build())) {
                SEEN.put("reply", s.sendAndWait("hi").content());
            }
        }

        @Test
        void second(CopilotClient client) {
            SEEN.put("client-second", client);
            SEEN.put(
                    "sessions-seen-by-second-runtime",
                    copilot.fakeRuntime().sessionIds().size());
        }
    }

    @EnabledIf("io.github.copilot4j.testing.junit.CopilotExtensionTest#runningSamples")
    static class OpenSessionSample {
        @RegisterExtension
        final CopilotExtension copilot = CopilotExtension.inMemory();

        @Test
        void forgetsToCloseTheSession(CopilotClient client) {
            SEEN.put("client", client);
            SEEN.put(
                    "open-session-id",
                    client.createSession(SessionConfig.builder().build()).sessionId());
        }
    }

    @EnabledIf("io.github.copilot4j.testing.junit.CopilotExtensionTest#runningSamples")
    static class LeakedThreadSample {
        @RegisterExtension
        final CopilotExtension copilot = CopilotExtension.inMemory().withLeakWait(Duration.ofMillis(200));

        @Test
        void startsAThreadThatOutlivesTheTest() {
            Thread t = new Thread(
                    () -> {
                        try {
                            RELEASE_LEAKED_THREAD.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "sample-leaked-thread");
            t.setDaemon(true);
            t.start();
            SEEN.put("leaked-thread", t);
        }
    }

    @EnabledIf("io.github.copilot4j.testing.junit.CopilotExtensionTest#runningSamples")
    static class NoLeakCheckSample {
        @RegisterExtension
        final CopilotExtension copilot = CopilotExtension.inMemory().withoutLeakCheck();

        @Test
        void leavesASessionOpen(CopilotClient client) {
            SEEN.put("client", client);
            client.createSession(SessionConfig.builder().build());
        }
    }

    @EnabledIf("io.github.copilot4j.testing.junit.CopilotExtensionTest#runningSamples")
    static class OfflineSample {
        @RegisterExtension
        final CopilotExtension copilot = CopilotExtension.offline();

        @Test
        void talksToTheRealCli(CopilotClient client, FakeCopilotApi api) {
            SEEN.put("client", client);
            try (CopilotSession s =
                    client.createSession(SessionConfig.builder().model("gpt-5").build())) {
                SEEN.put(
                        "offline-reply",
                        s.sendAndWait("hello from the real CLI", Duration.ofMinutes(2))
                                .content());
            }
            SEEN.put("chat-requests", api.chatRequests().size());
        }
    }
}
