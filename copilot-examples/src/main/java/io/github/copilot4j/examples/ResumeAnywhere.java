package io.github.copilot4j.examples;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionFsOptions;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.store.jdbc.state.JdbcSessionStateStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Resume any session on any machine: the client is the CLI's session filesystem, so the session's
 * state (its event log, workspace files) lives in one database next to the session index and
 * history, and nothing of the conversation lands on the CLI host's disk. "Machine A" (a CLI with
 * its own home) starts a conversation; "machine B" (another CLI, another, empty home) resumes it
 * from the database. While one client drives the session, another is refused (a lease).
 */
public final class ResumeAnywhere {
    static final Duration TURN = Duration.ofMinutes(2);

    public static void main(String[] args) throws IOException {
        run(System.out, System.getenv());
    }

    static void run(PrintStream out, Map<String, String> env) {
        Path dir;
        try {
            dir = Files.createTempDirectory("copilot4j-resume-anywhere-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println("one database for both machines: " + dir);
        String id = "trip-planning-" + Long.toHexString(System.nanoTime());
        try (JdbcSessionStore sessions = JdbcSessionStore.h2(dir);
                JdbcSessionStateStore state = JdbcSessionStateStore.builder()
                        .dataSource(sessions.dataSource())
                        .build()) {

            out.println("-- machine A");
            try (ExampleRuntime machineA = ExampleRuntime.start(out, env);
                    CopilotClient a = client(machineA, sessions, state, "machine-A")) {
                a.start();
                CopilotSession s = a.createSession(
                        SessionConfig.builder().sessionId(id).model("gpt-5").build());
                say(s, "I am planning a trip to Lisbon in May.", out);
                say(s, "I like museums and seafood.", out);
                s.close();
            }
            out.println("machine A is gone (its CLI home too); the session lives in the database only");

            out.println("-- machine B");
            try (ExampleRuntime machineB = ExampleRuntime.start(out, env);
                    CopilotClient b = client(machineB, sessions, state, "machine-B");
                    ExampleRuntime machineC = ExampleRuntime.start(out, env);
                    CopilotClient c = client(machineC, sessions, state, "machine-C")) {
                b.start();
                CopilotSession s = b.resumeSession(
                        id, SessionConfig.builder().model("gpt-5").build());
                out.println("resumed " + id + " on machine B; its history:");
                for (SessionEvent e : s.messages()) {
                    e.as(UserMessage.class).ifPresent(m -> out.println("  you:     " + m.content()));
                    e.as(AssistantMessage.class)
                            .filter(m -> !m.content().isEmpty())
                            .ifPresent(m -> out.println("  copilot: " + m.content()));
                }
                say(s, "What should I see first?", out);

                c.start();
                try {
                    c.resumeSession(id, SessionConfig.builder().model("gpt-5").build());
                } catch (SessionLeaseException.Held held) {
                    out.println("machine C may not drive it at the same time: " + held.getMessage());
                }
                b.deleteSession(id);
                out.println("deleted " + id + " (index, history and state) from the database");
            }
        } finally {
            PersistentSessions.deleteTree(dir);
        }
    }

    static CopilotClient client(
            ExampleRuntime runtime, JdbcSessionStore sessions, JdbcSessionStateStore state, String machine) {
        return CopilotClient.builder()
                .transport(runtime.transport())
                .sessionStore(sessions)
                .sessionFs(state, SessionFsOptions.builder().holderId(machine).build())
                .build();
    }

    static void say(CopilotSession s, String prompt, PrintStream out) {
        out.println("  you:     " + prompt);
        AssistantMessage m = s.sendAndWait(prompt, TURN);
        out.println("  copilot: " + (m == null ? "(no answer)" : m.content()));
    }

    private ResumeAnywhere() {}
}
