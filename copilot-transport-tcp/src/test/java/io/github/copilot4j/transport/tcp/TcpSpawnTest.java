package io.github.copilot4j.transport.tcp;

import static io.github.copilot4j.transport.stdio.TestProcesses.awaitFile;
import static io.github.copilot4j.transport.stdio.TestProcesses.awaitGone;
import static io.github.copilot4j.transport.stdio.TestProcesses.copilotThreads;
import static io.github.copilot4j.transport.stdio.TestProcesses.isGone;
import static io.github.copilot4j.transport.stdio.TestProcesses.readPid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.spi.TransportChannel;
import io.github.copilot4j.transport.stdio.CliProcess;
import io.github.copilot4j.transport.stdio.FakeCli;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TcpTransport#spawn()} against shell scripts that stand in for the CLI: they announce the
 * port of a {@link ServerSocket} this test opened.
 */
class TcpSpawnTest {
    private static final Duration NO_HANG = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private ServerSocket server;
    private ExecutorService acceptor;
    private final List<Socket> accepted = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Executors.newSingleThreadExecutor();
        acceptor.submit(() -> {
            while (!server.isClosed()) {
                Socket s = server.accept();
                synchronized (accepted) {
                    accepted.add(s);
                }
            }
            return null;
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        synchronized (accepted) {
            for (Socket s : accepted) {
                s.close();
            }
        }
        acceptor.shutdownNow();
        assertTrue(acceptor.awaitTermination(10, TimeUnit.SECONDS));
    }

    private String announce() {
        return "echo 'some banner'\necho \"CLI server listening on port " + server.getLocalPort() + "\"\n";
    }

    private TcpTransport.SpawnBuilder fake(Path script) {
        return TcpTransport.spawn()
                .cliPath(script)
                .shutdownGrace(Duration.ofSeconds(2))
                .announceTimeout(Duration.ofSeconds(15));
    }

    @Test
    void spawnsInPortModeWithARandomTokenInTheEnvironmentOnly() throws Exception {
        Set<Thread> before = copilotThreads();
        Path cli = FakeCli.script(dir, "copilot", FakeCli.recordInvocation(dir) + announce() + "exec sleep 300");
        TcpTransport transport = fake(cli).build();
        assertTrue(transport.spawnsRuntime());
        TransportChannel ch = assertTimeoutPreemptively(NO_HANG, transport::open);
        long pid;
        try {
            assertTrue(ch.ownsRuntime());
            assertTrue(ch.isAlive());
            String token = ch.connectionToken().orElseThrow();
            assertTrue(token.matches("[0-9a-f]{64}"), "256-bit hex token");
            List<String> args =
                    awaitFile(dir.resolve("args.txt"), NO_HANG).lines().toList();
            assertEquals(List.of("--headless", "--no-auto-update"), args);
            String env = awaitFile(dir.resolve("env.txt"), NO_HANG);
            assertTrue(env.lines().anyMatch(l -> l.equals("COPILOT_CONNECTION_TOKEN=" + token)));
            assertFalse(transport.describe().contains(token));
            assertEquals("tcp-spawn:" + cli, transport.describe());
            assertFalse(ch.toString().contains(token));
            assertEquals(server.getLocalPort(), ((TcpChannel) ch).address().port());
            pid = ((TcpChannel) ch).process().map(CliProcess::pid).orElseThrow();
        } finally {
            assertTimeoutPreemptively(NO_HANG, () -> ch.close());
        }
        assertTrue(awaitGone(pid, Duration.ofSeconds(5)));
        assertFalse(ch.isAlive());
        String why = ch.describeTermination(null, Duration.ofSeconds(1));
        assertTrue(why.contains("was closed by copilot4j"), why);
        assertTrue(why.contains("was stopped by copilot4j (signal 15, SIGTERM)"), why);
        ch.close();
        Set<Thread> left = new HashSet<>(copilotThreads());
        left.removeAll(before);
        assertTrue(left.isEmpty(), "threads left behind: " + left);
    }

    @Test
    void passesPortFixedTokenAndTheSharedCliOptions() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", FakeCli.recordInvocation(dir) + announce() + "exec sleep 300");
        try (TransportChannel ch = fake(cli)
                .port(4321)
                .connectionToken("fixed-token-1234")
                .githubToken("gh-token-5678")
                .logLevel("info")
                .extraArgs("--x")
                .build()
                .open()) {
            assertEquals("fixed-token-1234", ch.connectionToken().orElseThrow());
            assertEquals(
                    List.of(
                            "--x",
                            "--headless",
                            "--no-auto-update",
                            "--log-level",
                            "info",
                            "--port",
                            "4321",
                            "--auth-token-env",
                            "COPILOT_SDK_AUTH_TOKEN",
                            "--no-auto-login"),
                    awaitFile(dir.resolve("args.txt"), NO_HANG).lines().toList());
            String env = awaitFile(dir.resolve("env.txt"), NO_HANG);
            assertTrue(env.contains("COPILOT_SDK_AUTH_TOKEN=gh-token-5678"));
            assertTrue(env.contains("COPILOT_CONNECTION_TOKEN=fixed-token-1234"));
        }
    }

    @Test
    void everySpawnGetsItsOwnToken() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", announce() + "exec sleep 300");
        TcpTransport transport = fake(cli).build();
        try (TransportChannel a = transport.open();
                TransportChannel b = transport.open()) {
            assertNotEquals(
                    a.connectionToken().orElseThrow(), b.connectionToken().orElseThrow());
        }
    }

    @Test
    void aCliThatNeverAnnouncesIsStoppedAndDescribed() throws Exception {
        Path cli = FakeCli.script(
                dir,
                "copilot",
                "echo $$ > '" + dir.resolve("pid")
                        + "'\necho 'starting up'\necho 'warming the cache' >&2\nexec sleep 300");
        IOException e = assertThrows(
                IOException.class,
                () -> assertTimeoutPreemptively(
                        NO_HANG,
                        () -> fake(cli)
                                .announceTimeout(Duration.ofMillis(700))
                                .build()
                                .open()));
        String m = e.getMessage();
        assertTrue(m.contains("did not announce its port within 700 ms"), m);
        assertTrue(m.contains("listening on port N"), m);
        assertTrue(m.contains("last stdout lines:\n  starting up"), m);
        assertTrue(m.contains("warming the cache"), m);
        assertTrue(m.contains("has been stopped"), m);
        assertTrue(isGone(readPid(dir.resolve("pid"), NO_HANG)), "the silent CLI must be killed");
    }

    @Test
    void aCliThatExitsBeforeAnnouncingReportsExitCodeAndStderr() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", "echo \"error: unexpected argument '--bad'\" >&2\nexit 2");
        IOException e = assertThrows(
                IOException.class,
                () -> assertTimeoutPreemptively(NO_HANG, () -> fake(cli).build().open()));
        String m = e.getMessage();
        assertTrue(m.contains("exited before announcing its port"), m);
        assertTrue(m.contains("exited with code 2"), m);
        assertTrue(m.contains("error: unexpected argument '--bad'"), m);
    }

    @Test
    void anAnnouncedPortThatRefusesFailsAndStopsTheCli() throws Exception {
        ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int deadPort = closed.getLocalPort();
        closed.close();
        Path cli = FakeCli.script(
                dir,
                "copilot",
                "echo $$ > '" + dir.resolve("pid") + "'\necho 'listening on port " + deadPort + "'\nexec sleep 300");
        IOException e = assertThrows(
                IOException.class,
                () -> assertTimeoutPreemptively(NO_HANG, () -> fake(cli).build().open()));
        assertTrue(
                e.getMessage().contains("announced port " + deadPort + " but the connection failed"), e.getMessage());
        assertTrue(awaitGone(readPid(dir.resolve("pid"), NO_HANG), Duration.ofSeconds(5)));
    }

    @Test
    void aCliKilledFromOutsideIsDescribedWithItsSignal() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", "echo 'loading models' >&2\n" + announce() + "exec sleep 300");
        try (TransportChannel ch = fake(cli).build().open()) {
            CliProcess process = ((TcpChannel) ch).process().orElseThrow();
            long pid = process.pid();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            // Wait for the JDK to reap it (not just for /proc to show a zombie): isAlive() below asks the JDK.
            process.onExit().get(5, TimeUnit.SECONDS);
            assertTrue(awaitGone(pid, Duration.ofSeconds(5)));
            synchronized (accepted) { // the fake's "server" side is this test's socket: drop it too
                for (Socket s : accepted) {
                    s.close();
                }
            }
            assertEquals(-1, assertTimeoutPreemptively(NO_HANG, () -> ch.input().read()));
            assertFalse(ch.isAlive());
            String why = ch.describeTermination(null, Duration.ofSeconds(5));
            assertTrue(
                    why.startsWith("The Copilot CLI server at 127.0.0.1:" + server.getLocalPort()
                            + " closed the connection. Copilot CLI (pid " + pid + ") was killed by signal 9 (SIGKILL)"),
                    why);
            assertTrue(why.contains("loading models"), why);
            assertTrue(why.contains("Next step:"), why);
        }
    }

    @Test
    void closeKillsAStubbornCliAndItsDescendants() throws Exception {
        Path childPid = dir.resolve("child.pid");
        Path cli = FakeCli.script(
                dir,
                "copilot",
                "trap '' TERM\nsleep 300 &\necho $! > '" + childPid + "'\n" + announce()
                        + "while :; do sleep 0.1; done");
        TransportChannel ch = fake(cli).build().open();
        long pid = ((TcpChannel) ch).process().orElseThrow().pid();
        long child = readPid(childPid, NO_HANG);
        assertTimeoutPreemptively(NO_HANG, () -> ch.close(Duration.ofMillis(300)));
        assertTrue(awaitGone(pid, Duration.ofSeconds(5)), "CLI still running");
        assertTrue(awaitGone(child, Duration.ofSeconds(5)), "descendant still running");
        assertFalse(ch.isAlive());
    }
}
