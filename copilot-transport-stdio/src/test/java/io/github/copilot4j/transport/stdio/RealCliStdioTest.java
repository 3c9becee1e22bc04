package io.github.copilot4j.transport.stdio;

import static io.github.copilot4j.transport.stdio.TestProcesses.awaitGone;
import static io.github.copilot4j.transport.stdio.TestProcesses.copilotThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.spi.TransportChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StdioTransport} against the real, pinned Copilot CLI (no model calls: connect and ping only). */
class RealCliStdioTest {
    private static final Duration STARTUP = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private StdioTransport.Builder realCli() throws Exception {
        return StdioTransport.builder()
                .cliPath(RealCli.nativeBinary())
                .environment(RealCli.isolatedEnv(tmp))
                .workingDirectory(Files.createDirectories(tmp.resolve("work")));
    }

    @Test
    void connectAnswersProtocolVersion3AndCloseEndsTheWholeProcessTree() throws Exception {
        Set<Thread> threadsBefore = copilotThreads();
        TransportChannel ch = realCli()
                .githubToken("fake-token-for-transport-tests")
                .useLoggedInUser(false)
                .logLevel("debug")
                .build()
                .open();
        long pid = ((StdioChannel) ch).process().pid();
        List<ProcessHandle> family;
        try {
            Frames.request(ch.output(), 1, "connect", "{}");
            JsonNode connect = assertTimeoutPreemptively(STARTUP, () -> Frames.readResponse(ch.input(), 1));
            assertNotNull(
                    connect, () -> "EOF instead of a response: " + ch.describeTermination(null, Duration.ofSeconds(2)));
            assertEquals(3, connect.at("/result/protocolVersion").asInt(), connect.toString());
            assertTrue(connect.at("/result/ok").asBoolean(), connect.toString());

            Frames.request(ch.output(), 2, "ping", "{}");
            JsonNode ping = assertTimeoutPreemptively(STARTUP, () -> Frames.readResponse(ch.input(), 2));
            assertNotNull(ping);
            assertFalse(ping.has("error"), ping.toString());
            assertTrue(ch.isAlive());
            family = ProcessHandle.of(pid).orElseThrow().descendants().collect(Collectors.toList());
        } finally {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ch.close());
        }
        assertTrue(awaitGone(pid, Duration.ofSeconds(5)), "CLI still running after close");
        for (ProcessHandle h : family) {
            assertTrue(awaitGone(h.pid(), Duration.ofSeconds(5)), "descendant " + h.pid() + " still running");
        }
        assertFalse(ch.isAlive());
        // stdin EOF is enough for the stdio CLI: it exits by itself, no signal needed
        String why = ch.describeTermination(null, Duration.ofSeconds(1));
        assertTrue(why.contains("was stopped by copilot4j (exit code 0)"), why);
        Set<Thread> left = new HashSet<>(copilotThreads());
        left.removeAll(threadsBefore);
        assertTrue(left.isEmpty(), "threads left behind: " + left);
    }

    @Test
    void aCliThatExitsAtStartReportsItsExitCodeAndStderr() throws Exception {
        try (TransportChannel ch =
                realCli().extraArgs("--definitely-not-a-flag").build().open()) {
            assertNull(assertTimeoutPreemptively(STARTUP, () -> Frames.read(ch.input())), "expected EOF");
            String why = ch.describeTermination(null, Duration.ofSeconds(10));
            assertTrue(why.contains("exited with code 1"), why);
            assertTrue(why.contains("unexpected argument '--definitely-not-a-flag'"), why);
            assertTrue(why.contains("Next step:"), why);
        }
    }
}
