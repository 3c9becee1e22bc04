package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotException;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.transport.stdio.StdioTransport;
import io.github.copilot4j.transport.tcp.TcpTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Start-up failures give a clear exception quickly and leave no process behind. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class StartupFailuresTest {
    OfflineCopilot offline;

    @BeforeAll
    void setUp() {
        offline = OfflineCopilot.start();
    }

    @AfterAll
    void tearDown() {
        offline.close();
    }

    static Set<Long> cliPids() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("copilot")).orElse(false))
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    @Test
    void cliPathThatDoesNotExist() {
        CopilotClient c = CopilotClient.builder()
                .transport(StdioTransport.builder()
                        .cliPath(Path.of("/nonexistent/copilot"))
                        .build())
                .build();
        CopilotException e = assertThrows(CopilotException.class, c::start);
        assertTrue(e.getMessage().contains("/nonexistent/copilot"), e.getMessage());
        assertEquals(ClientState.DISCONNECTED, c.state());
        c.close();
    }

    @Test
    void cliThatExitsAtStartOverStdio() {
        Set<Long> before = cliPids();
        CopilotClient c = CopilotClient.builder()
                .transport(offline.stdioBuilder()
                        .extraArgs("--no-such-flag-for-copilot4j")
                        .build())
                .startTimeout(Duration.ofSeconds(30))
                .build();
        long t0 = System.nanoTime();
        ConnectionClosedException e = assertThrows(ConnectionClosedException.class, c::start);
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos());
        assertTrue(e.getMessage().contains("exited with code"), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-flag"), "stderr tail names the problem: " + e.getMessage());
        c.close();
        assertEquals(before, cliPids(), "no CLI process left behind");
    }

    @Test
    void cliThatExitsAtStartOverTcp() {
        Set<Long> before = cliPids();
        CopilotClient c = CopilotClient.builder()
                .transport(offline.tcpBuilder()
                        .extraArgs("--no-such-flag-for-copilot4j")
                        .build())
                .startTimeout(Duration.ofSeconds(30))
                .build();
        CopilotException e = assertThrows(CopilotException.class, c::start);
        assertTrue(e.getMessage().contains("no-such-flag"), e.getMessage());
        c.close();
        assertEquals(before, cliPids(), "no CLI process left behind");
    }

    @Test
    void nothingListeningOnTheTcpPort() {
        CopilotClient c = CopilotClient.builder()
                .transport(TcpTransport.connect("127.0.0.1:1")
                        .connectTimeout(Duration.ofSeconds(2))
                        .build())
                .build();
        CopilotException e = assertThrows(CopilotException.class, c::start);
        assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
        c.close();
    }
}
