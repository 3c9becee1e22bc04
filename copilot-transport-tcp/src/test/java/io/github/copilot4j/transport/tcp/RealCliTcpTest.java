package io.github.copilot4j.transport.tcp;

import static io.github.copilot4j.transport.stdio.TestProcesses.awaitGone;
import static io.github.copilot4j.transport.stdio.TestProcesses.copilotThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.copilot4j.spi.TransportChannel;
import io.github.copilot4j.transport.stdio.Frames;
import io.github.copilot4j.transport.stdio.RealCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TcpTransport} against the real, pinned Copilot CLI: one CLI spawned for the class serves
 * the handshake tests (no model calls), and one more is spawned to prove the cleanup.
 */
class RealCliTcpTest {
    private static final Duration STARTUP = Duration.ofSeconds(90);

    @TempDir
    static Path shared;

    private static TransportChannel spawned;

    @TempDir
    Path tmp;

    private static TcpTransport.SpawnBuilder realCli(Path dir) throws Exception {
        return TcpTransport.spawn()
                .cliPath(RealCli.nativeBinary())
                .environment(RealCli.isolatedEnv(dir))
                .workingDirectory(Files.createDirectories(dir.resolve("work")))
                .githubToken("fake-token-for-transport-tests")
                .announceTimeout(STARTUP);
    }

    @BeforeAll
    static void spawnOne() throws Exception {
        spawned = realCli(shared).build().open();
    }

    @AfterAll
    static void stopIt() {
        if (spawned != null) {
            spawned.close();
        }
    }

    private static int port() {
        return ((TcpChannel) spawned).address().port();
    }

    private static String connectParams(String token) {
        ObjectNode p = Frames.JSON.createObjectNode();
        if (token != null) {
            p.put("token", token);
        }
        return p.toString();
    }

    private static JsonNode call(TransportChannel ch, int id, String method, String params) throws IOException {
        Frames.request(ch.output(), id, method, params);
        JsonNode r = assertTimeoutPreemptively(STARTUP, () -> Frames.readResponse(ch.input(), id));
        assertNotNull(r, () -> "EOF instead of a response: " + ch.describeTermination(null, Duration.ofSeconds(2)));
        return r;
    }

    @Test
    void theSpawnedChannelConnectsWithItsOwnToken() throws Exception {
        assertTrue(spawned.ownsRuntime());
        String token = spawned.connectionToken().orElseThrow();
        JsonNode r = call(spawned, 1, "connect", connectParams(token));
        assertEquals(3, r.at("/result/protocolVersion").asInt(), r.toString());
        assertTrue(r.at("/result/ok").asBoolean(), r.toString());
    }

    @Test
    void aWrongTokenIsRejectedWithAuthenticationFailed() throws Exception {
        String realToken = spawned.connectionToken().orElseThrow();
        try (TransportChannel other = TcpTransport.connect("127.0.0.1:" + port())
                .connectionToken("not-the-right-token")
                .build()
                .open()) {
            assertEquals("not-the-right-token", other.connectionToken().orElseThrow());
            JsonNode r = call(
                    other, 1, "connect", connectParams(other.connectionToken().orElseThrow()));
            assertEquals(-32002, r.at("/error/code").asInt(), r.toString());
            assertFalse(r.toString().contains(realToken));
        }
    }

    @Test
    void aSecondClientConnectsToTheSpawnedServerByPort() throws Exception {
        String token = spawned.connectionToken().orElseThrow();
        try (TransportChannel other = TcpTransport.connect(Integer.toString(port()))
                .connectionToken(token)
                .build()
                .open()) {
            assertFalse(other.ownsRuntime());
            JsonNode r = call(other, 1, "connect", connectParams(token));
            assertEquals(3, r.at("/result/protocolVersion").asInt(), r.toString());
        }
        // closing an external connection leaves the server running
        assertTrue(spawned.isAlive());
        JsonNode again = call(
                spawned, 2, "connect", connectParams(spawned.connectionToken().orElseThrow()));
        assertEquals(3, again.at("/result/protocolVersion").asInt(), again.toString());
    }

    @Test
    void closeStopsTheSpawnedCliAndItsDescendants() throws Exception {
        Set<Thread> before = copilotThreads();
        TransportChannel ch = realCli(tmp).port(0).build().open();
        long pid = ((TcpChannel) ch).process().orElseThrow().pid();
        List<ProcessHandle> family;
        try {
            JsonNode r =
                    call(ch, 1, "connect", connectParams(ch.connectionToken().orElseThrow()));
            assertEquals(3, r.at("/result/protocolVersion").asInt(), r.toString());
            family = ProcessHandle.of(pid).orElseThrow().descendants().collect(Collectors.toList());
        } finally {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ch.close());
        }
        assertTrue(awaitGone(pid, Duration.ofSeconds(5)), "CLI still running after close");
        for (ProcessHandle h : family) {
            assertTrue(awaitGone(h.pid(), Duration.ofSeconds(5)), "descendant " + h.pid() + " still running");
        }
        String why = ch.describeTermination(null, Duration.ofSeconds(1));
        assertTrue(why.contains("was stopped by copilot4j"), why);
        Set<Thread> left = new HashSet<>(copilotThreads());
        left.removeAll(before);
        assertTrue(left.isEmpty(), "threads left behind: " + left);
    }

    @Test
    void aCliThatExitsAtStartFailsOpenWithExitCodeAndStderr() throws Exception {
        TcpTransport bad = realCli(tmp).extraArgs("--definitely-not-a-flag").build();
        IOException e = assertThrows(IOException.class, () -> assertTimeoutPreemptively(STARTUP, bad::open));
        String m = e.getMessage();
        assertTrue(m.contains("exited before announcing its port"), m);
        assertTrue(m.contains("exited with code 1"), m);
        assertTrue(m.contains("unexpected argument '--definitely-not-a-flag'"), m);
    }
}
