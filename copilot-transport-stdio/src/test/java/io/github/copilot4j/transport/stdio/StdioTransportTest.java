package io.github.copilot4j.transport.stdio;

import static io.github.copilot4j.transport.stdio.TestProcesses.awaitFile;
import static io.github.copilot4j.transport.stdio.TestProcesses.awaitGone;
import static io.github.copilot4j.transport.stdio.TestProcesses.copilotThreads;
import static io.github.copilot4j.transport.stdio.TestProcesses.isGone;
import static io.github.copilot4j.transport.stdio.TestProcesses.readPid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.spi.TransportChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StdioTransport} against shell scripts that stand in for the CLI. */
class StdioTransportTest {
    private static final Duration NO_HANG = Duration.ofSeconds(20);
    private static final String TOKEN = "ghu_s3cretTokenValue42";

    @TempDir
    Path dir;

    private StdioTransport.Builder fake(Path script) {
        return StdioTransport.builder().cliPath(script).shutdownGrace(Duration.ofSeconds(2));
    }

    @Test
    void passesFlagsTokenOnlyInEnvAndCarriesFrames() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", FakeCli.recordInvocation(dir) + "exec cat");
        Path work = Files.createDirectory(dir.resolve("work"));
        StdioTransport transport = fake(cli)
                .extraArgs("--foo", "bar")
                .githubToken(TOKEN)
                .useLoggedInUser(false)
                .logLevel("debug")
                .putEnvironment("COPILOT4J_TEST_VAR", "hello")
                .workingDirectory(work)
                .build();
        try (TransportChannel ch = transport.open()) {
            assertTrue(ch.ownsRuntime());
            assertTrue(ch.connectionToken().isEmpty());
            assertTrue(ch.isAlive());
            Frames.request(ch.output(), 7, "ping", "{\"message\":\"héllo\"}");
            String echoed = assertTimeoutPreemptively(NO_HANG, () -> Frames.read(ch.input()));
            assertEquals(7, Frames.JSON.readTree(echoed).get("id").asInt());
            assertEquals(
                    "héllo", Frames.JSON.readTree(echoed).at("/params/message").asText());

            List<String> args =
                    awaitFile(dir.resolve("args.txt"), NO_HANG).lines().toList();
            assertEquals(
                    List.of(
                            "--foo",
                            "bar",
                            "--headless",
                            "--no-auto-update",
                            "--log-level",
                            "debug",
                            "--stdio",
                            "--auth-token-env",
                            "COPILOT_SDK_AUTH_TOKEN",
                            "--no-auto-login"),
                    args);
            String env = awaitFile(dir.resolve("env.txt"), NO_HANG);
            assertTrue(env.lines().anyMatch(l -> l.equals("COPILOT_SDK_AUTH_TOKEN=" + TOKEN)), "token in env");
            assertTrue(env.lines().anyMatch(l -> l.equals("COPILOT4J_TEST_VAR=hello")));
            assertTrue(env.lines().anyMatch(l -> l.startsWith("PATH=")), "inherited environment kept");
            assertEquals(
                    work.toRealPath().toString(),
                    awaitFile(dir.resolve("pwd.txt"), NO_HANG).trim());
            assertFalse(transport.describe().contains(TOKEN));
            assertEquals("stdio:" + cli, transport.describe());
            assertFalse(transport.launcher().toString().contains(TOKEN));
        }
    }

    @Test
    void defaultFlagsWithoutTokenOrLogLevel() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", FakeCli.recordInvocation(dir) + "exec cat");
        try (TransportChannel ch = fake(cli).build().open()) {
            List<String> args =
                    awaitFile(dir.resolve("args.txt"), NO_HANG).lines().toList();
            assertEquals(List.of("--headless", "--no-auto-update", "--stdio"), args);
            assertTrue(ch.isAlive());
        }
    }

    @Test
    void replacedEnvironmentIsNotInherited() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", FakeCli.recordInvocation(dir) + "exec cat");
        String inheritedName = System.getenv().containsKey("HOME") ? "HOME" : "PATH";
        try (TransportChannel ch = fake(cli)
                .environment(Map.of("ONLY_ME", "1", "PATH", "/usr/bin:/bin"))
                .putEnvironment("ADDED", "2")
                .githubToken(TOKEN)
                .build()
                .open()) {
            String env = awaitFile(dir.resolve("env.txt"), NO_HANG);
            assertTrue(env.lines().anyMatch(l -> l.equals("ONLY_ME=1")));
            assertTrue(env.lines().anyMatch(l -> l.equals("ADDED=2")));
            assertTrue(env.lines().anyMatch(l -> l.equals("COPILOT_SDK_AUTH_TOKEN=" + TOKEN)));
            if (inheritedName.equals("HOME")) {
                assertFalse(env.lines().anyMatch(l -> l.startsWith("HOME=")), "HOME must not be inherited:\n" + env);
            }
            assertTrue(ch.isAlive());
        }
    }

    @Test
    void reportsExitCodeAndStderrTail() throws Exception {
        Path cli = FakeCli.script(
                dir, "copilot", "i=1; while [ $i -le 30 ]; do echo \"err line $i\" >&2; i=$((i+1)); done; exit 3");
        try (TransportChannel ch = fake(cli).stderrTailLines(5).build().open()) {
            assertNull(assertTimeoutPreemptively(NO_HANG, () -> Frames.read(ch.input())), "EOF expected");
            String why = ch.describeTermination(null, Duration.ofSeconds(10));
            assertTrue(why.startsWith("Copilot CLI (pid "), why);
            assertTrue(why.contains("exited with code 3; last stderr lines:\n  err line 26\n"), why);
            assertTrue(why.contains("err line 30"), why);
            assertFalse(why.contains("err line 25"), why);
            assertTrue(why.contains("Next step:"), why);
            assertFalse(ch.isAlive());
            ch.close();
            String afterClose = ch.describeTermination(null, Duration.ZERO);
            assertTrue(afterClose.contains("exited with code 3"), "close must not rewrite a crash: " + afterClose);
        }
    }

    @Test
    void namesTheSignalThatKilledIt() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", "echo 'about to die' >&2; kill -9 $$");
        try (TransportChannel ch = fake(cli).build().open()) {
            assertNull(assertTimeoutPreemptively(NO_HANG, () -> Frames.read(ch.input())));
            String why = ch.describeTermination(new IOException("Stream closed"), Duration.ofSeconds(10));
            assertTrue(why.contains("was killed by signal 9 (SIGKILL)"), why);
            assertTrue(why.contains("reading its output failed: java.io.IOException: Stream closed"), why);
            assertTrue(why.contains("about to die"), why);
            assertTrue(why.contains("Next step:"), why);
        }
    }

    @Test
    void saysWhenTheProcessStillRunsAfterItsOutputEnded() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", "exec 1>&-; echo 'closed stdout' >&2; exec sleep 60");
        try (TransportChannel ch = fake(cli).build().open()) {
            assertNull(assertTimeoutPreemptively(NO_HANG, () -> Frames.read(ch.input())));
            String why = ch.describeTermination(null, Duration.ofMillis(200));
            assertTrue(why.contains("is still running but its output ended"), why);
            assertTrue(ch.isAlive());
        }
    }

    @Test
    void closeEscalatesToSigkillWhenSigtermIsIgnored() throws Exception {
        Path cli = FakeCli.script(
                dir, "copilot", "trap '' TERM\necho $$ > '" + dir.resolve("pid") + "'\nwhile :; do sleep 0.1; done");
        TransportChannel ch = fake(cli).build().open();
        long pid = readPid(dir.resolve("pid"), NO_HANG);
        long start = System.nanoTime();
        assertTimeoutPreemptively(NO_HANG, () -> ch.close(Duration.ofSeconds(1)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMillis(800)) >= 0, "stdin EOF and SIGTERM got their share first: " + took);
        assertTrue(took.compareTo(Duration.ofMillis(1700)) < 0, "the whole close stays within its 1 s budget: " + took);
        assertTrue(isGone(pid));
        assertFalse(ch.isAlive());
        String why = ch.describeTermination(null, Duration.ofSeconds(1));
        assertTrue(why.contains("was stopped by copilot4j (signal 9, SIGKILL)"), why);
    }

    @Test
    void closeOfAStoppedProcessTreeEndsItWithinTheBudget() throws Exception {
        Path childPid = dir.resolve("child.pid");
        Path cli = FakeCli.script(
                dir,
                "copilot",
                "trap '' TERM\nsleep 300 &\necho $! > '" + childPid + "'\n" + "echo $$ > '" + dir.resolve("pid")
                        + "'\nwhile :; do sleep 0.1; done");
        TransportChannel ch = fake(cli).build().open();
        long pid = readPid(dir.resolve("pid"), NO_HANG);
        long child = readPid(childPid, NO_HANG);
        for (long p : new long[] {child, pid}) {
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(p)).start();
            assertTrue(stop.waitFor(10, TimeUnit.SECONDS) && stop.exitValue() == 0, "SIGSTOP " + p);
        }
        long start = System.nanoTime();
        assertTimeoutPreemptively(NO_HANG, () -> ch.close(Duration.ofSeconds(1)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(
                took.compareTo(Duration.ofMillis(1700)) < 0,
                "the close of a stopped tree took " + took + " for a 1 s budget");
        assertTrue(isGone(pid), "the stopped CLI is gone");
        assertTrue(isGone(child), "its stopped child is gone");
        assertFalse(ch.isAlive());
    }

    @Test
    void closeEndsOwnDescendantsButNoOtherProcess() throws Exception {
        Path childPid = dir.resolve("child.pid");
        Path cli = FakeCli.script(dir, "copilot", "sleep 300 &\necho $! > '" + childPid + "'\nexec cat");
        Process unrelated = new ProcessBuilder("sleep", "300").start();
        try {
            TransportChannel ch = fake(cli).build().open();
            long child = readPid(childPid, NO_HANG);
            assertFalse(isGone(child));
            assertTimeoutPreemptively(NO_HANG, () -> ch.close());
            assertTrue(awaitGone(child, Duration.ofSeconds(5)), "descendant still running");
            assertFalse(ch.isAlive());
            assertTrue(unrelated.isAlive(), "an unrelated process was killed");
            // cat exits by itself on stdin EOF
            assertTrue(
                    ch.describeTermination(null, Duration.ofSeconds(1)).contains("stopped by copilot4j (exit code 0)"));
        } finally {
            unrelated.destroyForcibly();
        }
    }

    @Test
    void closeIsIdempotentConcurrentAndLeavesNoThreads() throws Exception {
        Set<Thread> before = copilotThreads();
        Path cli = FakeCli.script(
                dir, "copilot", "i=0; while [ $i -lt 5 ]; do echo \"noise $i\" >&2; i=$((i+1)); done\nexec cat");
        TransportChannel ch = fake(cli).build().open();
        Set<Thread> during = new HashSet<>(copilotThreads());
        during.removeAll(before);
        assertFalse(during.isEmpty(), "the stderr drain thread should run while open");

        CountDownLatch go = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ch.close(Duration.ofSeconds(2));
        });
        other.start();
        go.countDown();
        assertTimeoutPreemptively(NO_HANG, () -> ch.close(Duration.ofSeconds(2)));
        other.join(NO_HANG.toMillis());
        assertFalse(other.isAlive());
        assertTimeoutPreemptively(NO_HANG, () -> ch.close());
        assertFalse(ch.isAlive());

        Set<Thread> after = new HashSet<>(copilotThreads());
        after.removeAll(before);
        assertTrue(after.isEmpty(), "threads left behind: " + after);
    }

    @Test
    void closeOfAProcessThatAlreadyExitedIsQuick() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", "exit 0");
        TransportChannel ch = fake(cli).build().open();
        assertNull(assertTimeoutPreemptively(NO_HANG, () -> Frames.read(ch.input())));
        long start = System.nanoTime();
        ch.close(Duration.ofSeconds(10));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    void secretsAreMaskedInStderrTail() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", "echo \"token is $COPILOT_SDK_AUTH_TOKEN, really\" >&2; exit 1");
        try (TransportChannel ch = fake(cli).githubToken(TOKEN).build().open()) {
            InputStream in = ch.input();
            assertNull(assertTimeoutPreemptively(NO_HANG, () -> Frames.read(in)));
            String why = ch.describeTermination(null, Duration.ofSeconds(10));
            assertTrue(why.contains("token is ***, really"), why);
            assertFalse(why.contains(TOKEN), why);
        }
    }

    @Test
    void debugLogsNameVariablesButNeverShowValuesOrTheToken() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", "echo \"error: bad token $COPILOT_SDK_AUTH_TOKEN\" >&2; exit 2");
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TransportChannel ch = fake(cli)
                .githubToken(TOKEN)
                .putEnvironment("COPILOT4J_VISIBLE_NAME", "hiddenValue-123")
                .build()
                .open()) {
            assertNull(assertTimeoutPreemptively(NO_HANG, () -> Frames.read(ch.input())));
            ch.describeTermination(null, Duration.ofSeconds(10));
        } finally {
            System.setErr(original);
        }
        String logged = captured.toString(StandardCharsets.UTF_8);
        // slf4j-simple at debug for io.github.copilot4j (test resources): the launch dump and stderr are logged
        assertTrue(logged.contains("COPILOT_SDK_AUTH_TOKEN=***"), logged);
        assertTrue(logged.contains("COPILOT4J_VISIBLE_NAME"), logged);
        assertTrue(logged.contains("error: bad token ***"), logged);
        assertFalse(logged.contains(TOKEN), logged);
        assertFalse(logged.contains("hiddenValue-123"), logged);
    }

    @Test
    void javascriptCliRunsWithNode() throws Exception {
        Path js = dir.resolve("cli.js");
        Files.writeString(
                js,
                "require('fs').writeFileSync(process.argv[2] === '--headless' ? '"
                        + dir.resolve("args.json") + "' : '" + dir.resolve("bad.json")
                        + "', JSON.stringify(process.argv.slice(2)));\n"
                        + "process.stdin.pipe(process.stdout);\n");
        assertEquals(
                List.of("node", js.toString(), "--headless", "--no-auto-update", "--stdio"),
                fake(js).build().launcher().command(js, List.of("--stdio")));
        boolean nodeAvailable;
        try {
            nodeAvailable = new ProcessBuilder("node", "--version").start().waitFor() == 0;
        } catch (IOException e) {
            nodeAvailable = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(nodeAvailable, "node not installed");
        try (TransportChannel ch = fake(js).build().open()) {
            Frames.request(ch.output(), 1, "ping", "{}");
            String echoed = assertTimeoutPreemptively(NO_HANG, () -> Frames.read(ch.input()));
            assertEquals(1, Frames.JSON.readTree(echoed).get("id").asInt());
            assertEquals(
                    "[\"--headless\",\"--no-auto-update\",\"--stdio\"]", awaitFile(dir.resolve("args.json"), NO_HANG));
        }
    }

    @Test
    void missingExplicitCliFailsNamingThePath() {
        Path missing = dir.resolve("no-such-copilot");
        CliNotFoundException e = assertThrows(
                CliNotFoundException.class,
                () -> StdioTransport.builder().cliPath(missing).build().open());
        assertTrue(e.getMessage().contains("does not exist: " + missing), e.getMessage());
        assertTrue(e.getMessage().contains("Next step"), e.getMessage());
    }

    @Test
    void notExecutableExplicitCliFailsNamingThePath() throws Exception {
        Path file = Files.writeString(dir.resolve("copilot"), "#!/bin/sh\n");
        CliNotFoundException e = assertThrows(
                CliNotFoundException.class,
                () -> StdioTransport.builder().cliPath(file).build().open());
        assertTrue(e.getMessage().contains("is not executable: " + file), e.getMessage());
    }

    @Test
    void missingWorkingDirectoryFailsClearly() throws Exception {
        Path cli = FakeCli.script(dir, "copilot", "exec cat");
        Path missing = dir.resolve("nope");
        IOException e = assertThrows(
                IOException.class,
                () -> fake(cli).workingDirectory(missing).build().open());
        assertTrue(
                e.getMessage().contains("working directory") && e.getMessage().contains(missing.toString()),
                e.getMessage());
    }

    @Test
    void builderRejectsBadValues() {
        assertThrows(
                IllegalArgumentException.class, () -> StdioTransport.builder().githubToken(""));
        assertThrows(
                IllegalArgumentException.class, () -> StdioTransport.builder().logLevel("de bug"));
        assertThrows(
                IllegalArgumentException.class, () -> StdioTransport.builder().stderrTailLines(-1));
        assertThrows(
                IllegalArgumentException.class, () -> StdioTransport.builder().shutdownGrace(Duration.ofSeconds(-1)));
    }
}
