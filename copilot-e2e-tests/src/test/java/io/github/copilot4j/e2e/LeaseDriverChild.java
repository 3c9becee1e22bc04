package io.github.copilot4j.e2e;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.store.jdbc.state.JdbcSessionStateStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The other JVM of {@link TwoJvmLeaseTest}: with its own CLI (fresh home) and the shared database,
 * it creates a session in session-filesystem mode, has one turn, prints {@code READY}, and drives
 * the session (renewing its lease) until told {@code detach} on stdin, or until it is killed.
 *
 * <p>Args: JDBC URL, user, password, session id, holder id, first prompt.
 */
public final class LeaseDriverChild {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String sessionId = args[3];
        String holder = args[4];
        String prompt = args[5];
        try (OfflineCopilot offline = OfflineCopilot.start();
                JdbcSessionStore sessions = JdbcSessionStore.builder()
                        .dataSource(TwoJvmLeaseTest.dataSource(url, args[1], args[2]))
                        .build();
                JdbcSessionStateStore state = JdbcSessionStateStore.builder()
                        .dataSource(sessions.dataSource())
                        .build();
                CopilotClient client = CopilotClient.builder()
                        .transport(offline.stdioTransport())
                        .sessionStore(sessions)
                        .sessionFs(state, TwoJvmLeaseTest.options(holder, offline))
                        .build()) {
            client.start();
            CopilotSession s = client.createSession(
                    SessionConfig.builder().sessionId(sessionId).model("gpt-5").build());
            System.out.println(
                    "ANSWER " + s.sendAndWait(prompt, Duration.ofSeconds(60)).content());
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("detach")) {
                    s.close();
                    System.out.println("DETACHED");
                    System.out.flush();
                }
            }
        }
    }

    private LeaseDriverChild() {}
}
