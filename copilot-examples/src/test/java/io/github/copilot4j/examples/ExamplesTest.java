package io.github.copilot4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs every example offline (no token: the real CLI against the local echo model) and checks what it prints. */
@Timeout(180)
class ExamplesTest {
    static final Map<String, String> NO_TOKEN = Map.of();

    static String capture(Consumer<PrintStream> body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            body.accept(out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        return text;
    }

    @Test
    void multipleSessionsPrintsEachAnswerUnderItsSession() {
        String out = capture(o -> MultipleSessions.run(o, NO_TOKEN));
        assertTrue(out.startsWith("offline: answers come from a local echo model"), out);
        assertTrue(
                out.contains(
                        "== python (gpt-5) asked: How do I create a virtual environment?\nECHO: How do I create a virtual environment?"),
                out);
        assertTrue(
                out.contains("== typescript (gpt-5) asked: How do I set up tsconfig?\nECHO: How do I set up tsconfig?"),
                out);
        assertTrue(
                out.contains(
                        "== go (claude-sonnet-4.5) asked: How do I initialize a module?\nECHO: How do I initialize a module?"),
                out);
        assertTrue(
                out.contains("  python     | ECHO: You are helping with a Python project"),
                "streamed, labelled lines: " + out);
    }

    @Test
    void customSessionIdIsPrintedBack() {
        String out = capture(o -> CustomSessionId.run(o, NO_TOKEN));
        assertTrue(out.contains("Created session: user-123-chat"), out);
        assertTrue(out.contains("Answer: ECHO: Hello! Which session is this?"), out);
    }

    @Test
    void listAndDeleteShowsTheTableAndReportsTheSecondDeleteClearly() {
        String out = capture(o -> ListAndDeleteSessions.run(o, NO_TOKEN));
        assertTrue(out.contains("SESSION") && out.contains("OWNER") && out.contains("LAST ACTIVITY"), out);
        assertTrue(out.contains("user-123-chat") && out.contains("user-123") && out.contains("Plan my week"), out);
        assertTrue(out.contains("Deleted user-123-chat"), out);
        assertTrue(out.contains("Could not delete user-123-chat: Cannot delete session 'user-123-chat'"), out);
        String afterDelete = out.substring(out.indexOf("Deleted user-123-chat"));
        String secondTable = afterDelete.substring(0, afterDelete.indexOf("Could not delete"));
        assertTrue(!secondTable.contains("user-123-chat "), "gone from the second listing: " + secondTable);
    }

    @Test
    void persistentSessionsSurviveARestartAndResetClearsThem(@TempDir Path dir) {
        List<String> args = List.of("--dir", dir.toString());
        String first = capture(o -> PersistentSessions.run(o, NO_TOKEN, args));
        assertTrue(first.contains("first run: no stored sessions yet"), first);
        assertTrue(first.contains("copilot: ECHO: I want to cook a vegetarian lasagne"), first);

        String second = capture(o -> PersistentSessions.run(o, NO_TOKEN, args));
        assertTrue(second.contains("found 2 stored session(s)"), second);
        assertTrue(
                second.contains("you:     I am planning a trip to Lisbon in May")
                        || second.contains("you:     I want to cook a vegetarian lasagne"),
                "history printed: " + second);
        assertTrue(second.contains("copilot: ECHO: Let's continue where we left off"), second);

        String third = capture(o -> PersistentSessions.run(o, NO_TOKEN, List.of("--dir", dir.toString(), "--reset")));
        assertTrue(third.contains("reset: removed") && third.contains("first run: no stored sessions yet"), third);
    }

    @Test
    void resumeAnywhereMovesTheSessionBetweenMachines() {
        String out = capture(o -> ResumeAnywhere.run(o, NO_TOKEN));
        String b = out.substring(out.indexOf("-- machine B"));
        assertTrue(
                b.contains("you:     I am planning a trip to Lisbon in May.")
                        && b.contains("you:     I like museums and seafood."),
                "machine B reads the history from the database: " + out);
        assertTrue(b.contains("copilot: ECHO: What should I see first?"), out);
        assertTrue(b.contains("machine C may not drive it at the same time") && b.contains("machine-B"), out);
        assertTrue(b.contains("deleted trip-planning-"), out);
    }

    @Test
    void modelComparisonAnswersOnBothModels() {
        String out = capture(o -> ModelComparison.run(o, NO_TOKEN));
        assertTrue(out.contains("Q: Explain what a race condition is in one sentence."), out);
        assertTrue(
                out.matches(
                        "(?s).*gpt-5\\s+\\(\\s*\\d+ ms\\) ECHO: Explain what a race condition is in one sentence\\..*"),
                out);
        assertTrue(
                out.matches(
                        "(?s).*claude-sonnet-4\\.5\\s+\\(\\s*\\d+ ms\\) ECHO: Name a good use for a Java record\\..*"),
                out);
    }

    @Test
    void entryPointListsAndRejects() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        assertEquals(
                0,
                Examples.run(
                        new PrintStream(o, true, StandardCharsets.UTF_8),
                        new PrintStream(e, true, StandardCharsets.UTF_8),
                        new String[] {"--help"}));
        String help = o.toString(StandardCharsets.UTF_8);
        for (String name : List.of(
                "multiple-sessions",
                "custom-session-id",
                "list-and-delete-sessions",
                "persistent-sessions",
                "resume-anywhere",
                "model-comparison")) {
            assertTrue(help.contains(name), help);
        }
        assertEquals(
                2,
                Examples.run(
                        new PrintStream(o, true, StandardCharsets.UTF_8),
                        new PrintStream(e, true, StandardCharsets.UTF_8),
                        new String[] {"nope"}));
        assertTrue(e.toString(StandardCharsets.UTF_8).contains("unknown example 'nope'"));
    }

    @Test
    void entryPointRunsAnExample() {
        // The entry point reads the process environment; only run it offline.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ExampleRuntime.TOKEN_VARIABLES.stream().noneMatch(v -> System.getenv(v) != null),
                "a GitHub token is set: the entry point would go online");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int code = Examples.run(
                new PrintStream(o, true, StandardCharsets.UTF_8), System.err, new String[] {"custom-session-id"});
        assertEquals(0, code);
        assertTrue(o.toString(StandardCharsets.UTF_8).contains("Created session: user-123-chat"));
    }
}
