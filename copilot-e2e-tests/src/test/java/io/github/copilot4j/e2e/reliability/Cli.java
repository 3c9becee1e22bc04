package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.testing.LeakCheck;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the reliability tests against the real CLI. */
final class Cli {
    private Cli() {}

    /** The native CLI processes started since {@code leaks} was taken. */
    static List<ProcessHandle> newCliProcesses(LeakCheck leaks) {
        return leaks.newProcesses().stream()
                .filter(p -> p.info().command().map(c -> c.endsWith("/copilot")).orElse(false))
                .toList();
    }

    /** The one CLI process started since {@code leaks} (fails if there is not exactly one). */
    static ProcessHandle onlyNewCli(LeakCheck leaks) {
        List<ProcessHandle> clis = newCliProcesses(leaks);
        if (clis.size() != 1) {
            throw new AssertionError("expected exactly one new CLI process, found "
                    + clis.stream()
                            .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                            .toList());
        }
        return clis.get(0);
    }

    static void awaitState(CopilotClient c, ClientState want, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (c.state() != want && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(want, c.state());
    }

    /** Waits (bounded) until nobody holds a claim on the session in the store. */
    static void awaitClaimReleased(io.github.copilot4j.spi.SessionStore store, String sessionId)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (store.findClaim(sessionId).isPresent() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(
                java.util.Optional.empty(),
                store.findClaim(sessionId),
                "the claim of session " + sessionId + " was released");
    }

    static Throwable rootOf(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
