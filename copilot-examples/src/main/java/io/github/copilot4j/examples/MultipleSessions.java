package io.github.copilot4j.examples;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.event.AssistantMessage;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The multiple-sessions recipe: one client (one CLI), three independent sessions on different
 * models, each given its own context and then a follow-up that stays in that context. The sessions
 * run in parallel; replies stream as they arrive, each line labelled with its session.
 */
public final class MultipleSessions {
    static final Duration TURN = Duration.ofMinutes(2);

    record Task(String label, String model, String context, String followUp) {}

    static final List<Task> TASKS = List.of(
            new Task(
                    "python",
                    "gpt-5",
                    "You are helping with a Python project",
                    "How do I create a virtual environment?"),
            new Task("typescript", "gpt-5", "You are helping with a TypeScript project", "How do I set up tsconfig?"),
            new Task("go", "claude-sonnet-4.5", "You are helping with a Go project", "How do I initialize a module?"));

    public static void main(String[] args) {
        run(System.out, System.getenv());
    }

    static void run(PrintStream out, Map<String, String> env) {
        try (ExampleRuntime runtime = ExampleRuntime.start(out, env);
                CopilotClient client =
                        CopilotClient.builder().transport(runtime.transport()).build()) {
            client.start();

            // Create the three sessions at once; each has its own model and history.
            List<CompletableFuture<CopilotSession>> creating = new ArrayList<>();
            for (Task t : TASKS) {
                creating.add(client.createSessionAsync(
                        SessionConfig.builder().model(t.model()).streaming(true).build()));
            }
            List<CopilotSession> sessions =
                    creating.stream().map(CompletableFuture::join).toList();
            for (int i = 0; i < TASKS.size(); i++) {
                out.println("session " + TASKS.get(i).label() + ": "
                        + sessions.get(i).sessionId() + " (" + TASKS.get(i).model() + ")");
                StreamPrinter.attach(sessions.get(i), TASKS.get(i).label(), out);
            }

            out.println("-- context prompts, in parallel");
            await(sessions, TASKS.stream().map(Task::context).toList());
            out.println("-- follow-ups, in parallel (each stays in its own session's context)");
            List<AssistantMessage> answers =
                    await(sessions, TASKS.stream().map(Task::followUp).toList());

            for (int i = 0; i < TASKS.size(); i++) {
                out.println();
                out.println("== " + TASKS.get(i).label() + " (" + TASKS.get(i).model() + ") asked: "
                        + TASKS.get(i).followUp());
                out.println(
                        answers.get(i) == null ? "(no answer)" : answers.get(i).content());
            }
            sessions.forEach(CopilotSession::close);
        }
    }

    /** Sends one prompt to each session at once and waits for all the turns. */
    static List<AssistantMessage> await(List<CopilotSession> sessions, List<String> prompts) {
        List<CompletableFuture<AssistantMessage>> turns = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            turns.add(sessions.get(i).sendAndWaitAsync(prompts.get(i), TURN));
        }
        return turns.stream().map(CompletableFuture::join).toList();
    }

    private MultipleSessions() {}
}
