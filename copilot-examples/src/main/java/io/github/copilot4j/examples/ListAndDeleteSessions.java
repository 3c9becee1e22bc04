package io.github.copilot4j.examples;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotException;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionInfo;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/**
 * Lists sessions (from the store, merged with the runtime's own list) and deletes one by id; a
 * second delete of the same id shows how a failure reads.
 */
public final class ListAndDeleteSessions {
    public static void main(String[] args) {
        run(System.out, System.getenv());
    }

    static void run(PrintStream out, Map<String, String> env) {
        try (ExampleRuntime runtime = ExampleRuntime.start(out, env);
                CopilotClient client =
                        CopilotClient.builder().transport(runtime.transport()).build()) {
            client.start();
            // Something to list: a user's chat and a task session.
            CopilotSession chat = client.createSession(SessionConfig.builder()
                    .sessionId("user-123-chat")
                    .owner("user-123")
                    .model("claude-sonnet-4.5")
                    .build());
            CopilotSession task = client.createSession(
                    SessionConfig.builder().owner("user-456").model("gpt-5").build());
            chat.sendAndWait("Plan my week", Duration.ofMinutes(2));
            task.sendAndWait("Summarize the release notes", Duration.ofMinutes(2));

            printSessions(client, out);
            delete(client, "user-123-chat", out);
            printSessions(client, out);
            delete(client, "user-123-chat", out); // already gone: the failure is reported, not thrown at the user
            task.close();
        }
    }

    static void printSessions(CopilotClient client, PrintStream out) {
        out.println(String.format(
                "%-38s %-10s %-18s %-28s %-24s %s",
                "SESSION", "OWNER", "MODEL", "SUMMARY", "LAST ACTIVITY", "KNOWN TO"));
        for (SessionInfo s : client.listSessions()) {
            out.println(String.format(
                    "%-38s %-10s %-18s %-28s %-24s %s",
                    s.sessionId(),
                    dash(s.owner()),
                    dash(s.model()),
                    dash(s.summary()),
                    s.lastActivityAt() == null ? "-" : s.lastActivityAt(),
                    s.knownTo()));
        }
    }

    static void delete(CopilotClient client, String id, PrintStream out) {
        try {
            client.deleteSession(id);
            out.println("Deleted " + id);
        } catch (CopilotException e) {
            out.println("Could not delete " + id + ": " + e.getMessage());
        }
    }

    private static String dash(String s) {
        if (s == null) {
            return "-";
        }
        return s.length() > 28 ? s.substring(0, 27) + "…" : s;
    }

    private ListAndDeleteSessions() {}
}
