package io.github.copilot4j.examples;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/**
 * A session with an id of your choosing, e.g. one per user of a multi-user app. The id is what you
 * later resume or delete the session by.
 */
public final class CustomSessionId {
    public static void main(String[] args) {
        run(System.out, System.getenv());
    }

    static void run(PrintStream out, Map<String, String> env) {
        try (ExampleRuntime runtime = ExampleRuntime.start(out, env);
                CopilotClient client =
                        CopilotClient.builder().transport(runtime.transport()).build()) {
            client.start();
            CopilotSession chat = client.createSession(SessionConfig.builder()
                    .sessionId("user-123-chat")
                    .owner("user-123")
                    .model("claude-sonnet-4.5")
                    .build());
            out.println("Created session: " + chat.sessionId());
            out.println("Answer: "
                    + chat.sendAndWait("Hello! Which session is this?", Duration.ofMinutes(2))
                            .content());
            chat.close();
        }
    }

    private CustomSessionId() {}
}
