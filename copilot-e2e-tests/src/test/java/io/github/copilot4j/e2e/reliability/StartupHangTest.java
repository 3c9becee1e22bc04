package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotTimeoutException;
import io.github.copilot4j.testing.LeakCheck;
import io.github.copilot4j.transport.stdio.StdioTransport;
import io.github.copilot4j.transport.tcp.TcpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A "CLI" that never answers the handshake, or exits in the middle of it: {@code start()} fails
 * with a clear error after the configured start timeout (or at once on the exit), the process and
 * its children are gone when it returns (even one that ignores SIGTERM), and no thread is left.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StartupHangTest {
    static final Duration START_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void aCliThatReadsButNeverAnswersTimesOutAndIsCleanedUp() throws Exception {
        // Ignores SIGTERM (so does its child), reads stdin forever, and keeps running after stdin closes.
        Path cli = script(
                "silent-copilot",
                "trap '' TERM\nsleep 300 &\necho 'silent fake CLI: reading, never answering' >&2\n"
                        + "cat > /dev/null\nwhile :; do sleep 1; done\n");
        LeakCheck leaks = LeakCheck.start();
        CopilotClient client = CopilotClient.builder()
                .transport(StdioTransport.builder()
                        .cliPath(cli)
                        .shutdownGrace(Duration.ofSeconds(1))
                        .build())
                .startTimeout(START_TIMEOUT)
                .build();
        long t0 = System.nanoTime();
        CopilotTimeoutException e = assertThrows(CopilotTimeoutException.class, client::start);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(
                millis >= START_TIMEOUT.toMillis() && millis < START_TIMEOUT.toMillis() + 10_000,
                "start() failed after " + millis + " ms");
        assertTrue(
                e.getMessage().contains("did not answer the handshake within " + START_TIMEOUT.toMillis() + " ms")
                        && e.getMessage().contains(cli.toString()),
                e.getMessage());
        assertEquals(ClientState.DISCONNECTED, client.state());
        assertTrue(
                leaks.newProcesses().isEmpty(),
                "the CLI and its child are gone when start() returns: " + leaks.newProcesses());
        client.close();
        leaks.assertNoLeaks(Duration.ofSeconds(5));
    }

    @Test
    void aCliThatExitsDuringTheHandshakeFailsAtOnceWithItsExitCodeAndStderr() throws Exception {
        Path cli = script(
                "dying-copilot",
                "head -c 20 > /dev/null\necho 'fatal: this fake CLI gives up during the handshake' >&2\nexit 3\n");
        LeakCheck leaks = LeakCheck.start();
        CopilotClient client = CopilotClient.builder()
                .transport(StdioTransport.builder().cliPath(cli).build())
                .startTimeout(Duration.ofSeconds(30))
                .build();
        long t0 = System.nanoTime();
        ConnectionClosedException e = assertThrows(ConnectionClosedException.class, client::start);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "fails at once, not after the start timeout");
        assertTrue(
                e.getMessage().contains("exited with code 3")
                        && e.getMessage().contains("gives up during the handshake"),
                e.getMessage());
        assertEquals(ClientState.DISCONNECTED, client.state());
        client.close();
        leaks.assertNoLeaks(Duration.ofSeconds(5));
    }

    @Test
    void aTcpServerThatAcceptsButNeverAnswersTimesOutAndTheSocketIsClosed() throws Exception {
        LeakCheck leaks = LeakCheck.start().ignoringThreads("silent-server");
        try (ServerSocket server = new ServerSocket(0)) {
            CompletableFuture<Long> peerSawEnd = new CompletableFuture<>();
            Thread t = new Thread(
                    () -> {
                        try (Socket s = server.accept();
                                InputStream in = s.getInputStream()) {
                            long n = 0;
                            while (in.read() >= 0) {
                                n++;
                            }
                            peerSawEnd.complete(n);
                        } catch (IOException ex) {
                            peerSawEnd.completeExceptionally(ex);
                        }
                    },
                    "silent-server");
            t.setDaemon(true);
            t.start();
            CopilotClient client = CopilotClient.builder()
                    .transport(TcpTransport.connect("127.0.0.1:" + server.getLocalPort())
                            .build())
                    .startTimeout(START_TIMEOUT)
                    .build();
            long t0 = System.nanoTime();
            CopilotTimeoutException e = assertThrows(CopilotTimeoutException.class, client::start);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(
                    millis >= START_TIMEOUT.toMillis() && millis < START_TIMEOUT.toMillis() + 5_000,
                    "after " + millis + " ms");
            assertTrue(e.getMessage().contains("127.0.0.1:" + server.getLocalPort()), e.getMessage());
            assertTrue(
                    peerSawEnd.get(5, TimeUnit.SECONDS) > 0,
                    "the server got the handshake, then the client closed the socket");
            client.close();
        }
        leaks.assertNoLeaks(Duration.ofSeconds(5));
    }
}
