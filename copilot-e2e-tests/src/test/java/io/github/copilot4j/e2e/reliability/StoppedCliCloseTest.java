package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.testing.LeakCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code close()} of a client whose real CLI was stopped with SIGSTOP (it answers nothing, ignores
 * stdin EOF and SIGTERM until it is continued), over stdio and over TCP spawn mode, with a session
 * open and a turn in flight: the whole close, process tree included, finishes within {@code
 * closeTimeout} plus a small slack, and no process of the CLI's tree is left. Before the fix, stdio
 * took the close timeout plus the SIGTERM grace again (6.3 s for 5 s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoppedCliCloseTest {
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** For the thread switches after the last deadline on a loaded 2-core machine; well below the old overrun. */
    static final long SLACK_MILLIS = 800;

    OfflineCopilot offline;

    @BeforeAll
    void startFake() {
        offline = OfflineCopilot.start();
    }

    @AfterAll
    void stopFake() {
        offline.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stdio", "tcp"})
    void closeOfAStoppedCliFinishesWithinCloseTimeout(String kind) throws Exception {
        FakeCopilotApi fake = offline.fakeApi();
        fake.clearScripts();
        fake.when(FakeCopilotApi.promptContains("while stopped"))
                .always()
                .reply(Reply.text("never").delayed(Duration.ofSeconds(60)));
        LeakCheck leaks = LeakCheck.start().ignoringThreads("fake-copilot-api");
        Transport transport = kind.equals("stdio") ? offline.stdioTransport() : offline.tcpTransport();
        CopilotClient client = CopilotClient.builder()
                .transport(transport)
                .closeTimeout(CLOSE_TIMEOUT)
                .requestTimeout(Duration.ofSeconds(30))
                .build();
        List<ProcessHandle> tree = new ArrayList<>();
        CompletableFuture<AssistantMessage> turn;
        ProcessHandle cli;
        try {
            client.start();
            CopilotSession session =
                    client.createSession(SessionConfig.builder().model("gpt-5").build());
            assertEquals(
                    "ECHO: " + kind + " warm up",
                    session.sendAndWait(kind + " warm up", Duration.ofSeconds(60))
                            .content());
            turn = session.sendAndWaitAsync(kind + " while stopped", Duration.ofSeconds(60));
            fake.awaitChatRequest(r -> r.lastUserText().equals(kind + " while stopped"), Duration.ofSeconds(30));
            cli = Cli.onlyNewCli(leaks);
            tree.add(cli);
            tree.addAll(cli.descendants().toList());
            signal("STOP", cli);
            awaitState(cli, 'T');
        } catch (Throwable t) {
            client.close();
            throw t;
        }
        long t0 = System.nanoTime();
        client.close();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        try {
            assertTrue(
                    millis <= CLOSE_TIMEOUT.toMillis() + SLACK_MILLIS,
                    kind + ": close() of a stopped CLI took " + millis + " ms; its closeTimeout is "
                            + CLOSE_TIMEOUT.toMillis() + " ms");
            for (ProcessHandle p : tree) {
                assertTrue(
                        !running(p), kind + ": process " + p.pid() + " of the CLI's tree is still there after close()");
            }
            assertEquals(ClientState.CLOSED, client.state());
            ExecutionException e = assertThrows(ExecutionException.class, () -> turn.get(1, TimeUnit.SECONDS));
            assertTrue(
                    e.getCause().getMessage().contains("closed"), e.getCause().toString());
            leaks.assertNoLeaks(Duration.ofSeconds(5));
        } finally {
            for (ProcessHandle p : tree) {
                if (running(p)) {
                    signal("CONT", p);
                    p.destroyForcibly();
                }
            }
        }
        System.out.println("close() of a stopped CLI over " + kind + " (a tree of " + tree.size() + " process(es)): "
                + millis + " ms (closeTimeout " + CLOSE_TIMEOUT.toMillis() + " ms)");
    }

    private static void signal(String name, ProcessHandle p) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid()))
                .inheritIO()
                .start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + p.pid());
    }

    /** Waits (bounded) until /proc says the process is in {@code state} (T: stopped). */
    private static void awaitState(ProcessHandle p, char state) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        char now;
        while ((now = procState(p)) != state && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(state, now, "state of process " + p.pid());
    }

    private static char procState(ProcessHandle p) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"), StandardCharsets.US_ASCII);
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    /** Alive and not a zombie (an exited orphan nobody reaped runs nothing). */
    private static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        char s = procState(p);
        return s != 'Z' && s != 'X' && s != '?';
    }
}
