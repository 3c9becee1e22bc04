package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.ChatRequest;
import io.github.copilot4j.store.InMemorySessionStateStore;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.transport.tcp.TcpTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

/**
 * The session filesystem end to end with the state in an H2 file database; plus what TCP needs: a
 * spawned server is replaced by a new one on reconnect, and an external shared server is refused.
 */
class SessionFsH2RealCliTest extends SessionFsRealCliContract {
    private Path dir;
    private JdbcConnectionPool pool;

    @Override
    DataSource openDatabase() {
        try {
            dir = Files.createTempDirectory("copilot4j-e2e-h2-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("state") + ";LOCK_TIMEOUT=10000", "sa", "");
        return pool;
    }

    @Override
    void dropDatabase() {
        if (pool != null) {
            try (Connection c = pool.getConnection();
                    Statement st = c.createStatement()) {
                st.execute("SHUTDOWN");
            } catch (SQLException ignored) {
                // closed already
            }
            pool.dispose();
        }
        if (dir != null) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    @Test
    void aSpawnedTcpRuntimeIsReplacedOnReconnectAndTheSessionResumesOnIt() throws Exception {
        InMemorySessionStateStore memory = new InMemorySessionStateStore();
        InMemorySessionStore sessions = new InMemorySessionStore();
        try (OfflineCopilot t = OfflineCopilot.start();
                CopilotClient c = client(
                        t.tcpTransport(),
                        sessions,
                        memory,
                        "tcp-client",
                        t.environment().workDir())) {
            c.start();
            CopilotSession s = c.createSession(SessionConfig.builder()
                    .sessionId("fs-tcp-" + System.nanoTime())
                    .model(MODEL)
                    .build());
            s.sendAndWait("Remember the number 42.", TURN);
            ProcessHandle first = newestCli();
            first.destroyForcibly();
            assertTrue(first.onExit().get(10, TimeUnit.SECONDS) != null);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.state() != ClientState.DISCONNECTED && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertEquals(ClientState.DISCONNECTED, c.state());
            assertThrows(ConnectionClosedException.class, () -> s.send("lost"));
            while (memory.findLease(s.sessionId()).isPresent() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(memory.findLease(s.sessionId()).isEmpty(), "the dead runtime's leases were given back");

            c.start(); // the spawn transport starts a new CLI server, which gets the provider again
            ProcessHandle second = newestCli();
            assertNotEquals(first.pid(), second.pid(), "a new runtime, not the poisoned one");
            CopilotSession again = c.resumeSession(
                    s.sessionId(), SessionConfig.builder().model(MODEL).build());
            assertEquals(
                    "ECHO: Which number?",
                    again.sendAndWait("Which number?", TURN).content());
            ChatRequest saw = t.fakeApi().chatRequests(s.sessionId()).stream()
                    .filter(r -> r.lastUserText().equals("Which number?"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(List.of("Remember the number 42.", "Which number?"), saw.texts("user"));
        }
    }

    @Test
    void anExternalTcpServerIsRefusedForTheSessionFilesystem() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread acceptor = new Thread(
                    () -> {
                        try (Socket accepted = server.accept()) {
                            accepted.getInputStream().read(); // hold the connection until the client closes it
                        } catch (IOException e) {
                            // test over
                        }
                    },
                    "fake-external-server");
            acceptor.setDaemon(true);
            acceptor.start();
            try (CopilotClient c = client(
                    TcpTransport.connect("127.0.0.1:" + server.getLocalPort()).build(),
                    new InMemorySessionStore(),
                    new InMemorySessionStateStore(),
                    "x",
                    Path.of("."))) {
                IllegalStateException e = assertThrows(IllegalStateException.class, c::start);
                assertTrue(
                        e.getMessage().contains("external, shared server")
                                && e.getMessage().contains("TcpTransport.spawn()"),
                        e.getMessage());
                assertFalse(e.getMessage().contains("token"), e.getMessage());
                assertEquals(ClientState.DISCONNECTED, c.state());
            }
            acceptor.interrupt();
        }
    }

    static ProcessHandle newestCli() {
        return ProcessHandle.current()
                .descendants()
                .filter(p ->
                        p.info().command().map(cmd -> cmd.endsWith("/copilot")).orElse(false))
                .filter(ProcessHandle::isAlive)
                .max(Comparator.comparingLong(ProcessHandle::pid))
                .orElseThrow(() -> new AssertionError("no CLI process found"));
    }
}
