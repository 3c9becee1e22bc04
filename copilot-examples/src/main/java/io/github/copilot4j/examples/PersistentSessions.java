package io.github.copilot4j.examples;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotException;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.Page;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionInfo;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.UserMessage;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Sessions that survive restarts. The first run creates two sessions in an embedded H2 store on
 * disk and talks to them; the next run of the same command lists them, prints their history from
 * the store, resumes one and continues it. {@code --reset} deletes them all and starts over.
 * {@code --dir <path>} chooses where the data lives (default {@code ~/.copilot4j-examples/persistent-sessions}).
 */
public final class PersistentSessions {
    static final String OWNER = "demo-user";
    static final Duration TURN = Duration.ofMinutes(2);

    public static void main(String[] args) {
        run(System.out, System.getenv(), List.of(args));
    }

    static void run(PrintStream out, Map<String, String> env, List<String> args) {
        Path dir = Path.of(System.getProperty("user.home"), ".copilot4j-examples", "persistent-sessions");
        int at = args.indexOf("--dir");
        if (at >= 0) {
            if (at + 1 >= args.size()) {
                throw new IllegalArgumentException("--dir needs a path");
            }
            dir = Path.of(args.get(at + 1));
        }
        if (args.contains("--reset")) {
            deleteTree(dir);
            out.println("reset: removed " + dir);
        }
        out.println("data directory: " + dir);
        try (ExampleRuntime runtime = ExampleRuntime.start(out, env, dir);
                JdbcSessionStore store = JdbcSessionStore.h2(dir.resolve("store"));
                CopilotClient client = CopilotClient.builder()
                        .transport(runtime.transport())
                        .sessionStore(store)
                        .build()) {
            client.start();
            Page<SessionInfo> mine = client.listSessions(SessionQuery.byOwner(OWNER));
            if (mine.items().isEmpty()) {
                firstRun(client, out);
            } else {
                laterRun(client, mine.items(), out);
            }
        }
    }

    static void firstRun(CopilotClient client, PrintStream out) {
        out.println("first run: no stored sessions yet; creating two");
        CopilotSession recipes = client.createSession(
                SessionConfig.builder().owner(OWNER).model("gpt-5").build());
        CopilotSession travel = client.createSession(
                SessionConfig.builder().owner(OWNER).model("claude-sonnet-4.5").build());
        talk(recipes, "I want to cook a vegetarian lasagne", out);
        talk(travel, "I am planning a trip to Lisbon in May", out);
        recipes.close();
        travel.close();
        out.println("Run the same command again to list these sessions, read their history and continue one.");
    }

    static void laterRun(CopilotClient client, List<SessionInfo> sessions, PrintStream out) {
        out.println("found " + sessions.size() + " stored session(s):");
        for (SessionInfo s : sessions) {
            out.println("- " + s.sessionId() + " (" + s.model() + ") \"" + s.summary() + "\", last active "
                    + s.lastActivityAt());
        }
        SessionInfo latest = sessions.get(0);
        CopilotSession session = client.resumeSession(latest.sessionId());
        out.println("history of " + latest.sessionId() + ":");
        for (SessionEvent e : session.messages()) {
            e.as(UserMessage.class).ifPresent(m -> out.println("  you:     " + m.content()));
            e.as(AssistantMessage.class)
                    .filter(m -> !m.content().isEmpty())
                    .ifPresent(m -> out.println("  copilot: " + m.content()));
        }
        talk(session, "Let's continue where we left off", out);
        session.close();
    }

    static void talk(CopilotSession session, String prompt, PrintStream out) {
        out.println("[" + session.sessionId() + "] you:     " + prompt);
        try {
            AssistantMessage m = session.sendAndWait(prompt, TURN);
            out.println("[" + session.sessionId() + "] copilot: " + (m == null ? "(no answer)" : m.content()));
        } catch (CopilotException e) {
            out.println("[" + session.sessionId() + "] failed: " + e.getMessage());
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + dir + ": " + e.getMessage(), e);
        }
    }

    private PersistentSessions() {}
}
