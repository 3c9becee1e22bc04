package io.github.copilot4j.examples;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.event.AssistantMessage;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A/B comparison: the same prompts to one session per model, side by side, with each answer's time. */
public final class ModelComparison {
    static final List<String> MODELS = List.of("gpt-5", "claude-sonnet-4.5");
    static final List<String> PROMPTS =
            List.of("Explain what a race condition is in one sentence.", "Name a good use for a Java record.");

    public static void main(String[] args) {
        run(System.out, System.getenv());
    }

    record Timed(AssistantMessage message, long millis) {}

    static void run(PrintStream out, Map<String, String> env) {
        try (ExampleRuntime runtime = ExampleRuntime.start(out, env);
                CopilotClient client =
                        CopilotClient.builder().transport(runtime.transport()).build()) {
            client.start();
            List<CopilotSession> sessions = MODELS.stream()
                    .map(m -> client.createSession(
                            SessionConfig.builder().model(m).build()))
                    .toList();
            for (String prompt : PROMPTS) {
                out.println();
                out.println("Q: " + prompt);
                List<CompletableFuture<Timed>> answers = sessions.stream()
                        .map(s -> {
                            long t0 = System.nanoTime();
                            return s.sendAndWaitAsync(prompt, Duration.ofMinutes(2))
                                    .thenApply(m -> new Timed(m, (System.nanoTime() - t0) / 1_000_000));
                        })
                        .toList();
                for (int i = 0; i < MODELS.size(); i++) {
                    Timed t = answers.get(i).join();
                    out.println(String.format(
                            "  %-18s (%5d ms) %s",
                            MODELS.get(i),
                            t.millis(),
                            t.message() == null ? "(no answer)" : t.message().content()));
                }
            }
            sessions.forEach(CopilotSession::close);
        }
    }

    private ModelComparison() {}
}
