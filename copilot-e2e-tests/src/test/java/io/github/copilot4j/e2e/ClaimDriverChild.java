package io.github.copilot4j.e2e;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionLeaseOptions;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The other JVM of {@link SessionClaimsRealCliTest}: with its own real CLI on the shared CLI home
 * and the shared database, no sessionFs, it creates a session, has one turn, prints {@code READY},
 * and drives the session (renewing its claim) until told {@code detach} on stdin.
 *
 * <p>Args: JDBC URL, user, password, session id, holder id, first prompt, CLI home, work directory.
 */
public final class ClaimDriverChild {
    public static void main(String[] args) throws Exception {
        String sessionId = args[3];
        try (OfflineCopilot offline = OfflineCopilot.builder()
                        .copilotHome(Path.of(args[6]))
                        .workDir(Path.of(args[7]))
                        .build();
                JdbcSessionStore sessions = JdbcSessionStore.builder()
                        .dataSource(TwoJvmLeaseTest.dataSource(args[0], args[1], args[2]))
                        .build();
                CopilotClient client = CopilotClient.builder()
                        .transport(offline.stdioTransport())
                        .sessionStore(sessions)
                        .sessionLeases(
                                SessionLeaseOptions.builder().holderId(args[4]).build())
                        .build()) {
            client.start();
            CopilotSession s = client.createSession(
                    SessionConfig.builder().sessionId(sessionId).model("gpt-5").build());
            System.out.println(
                    "ANSWER " + s.sendAndWait(args[5], Duration.ofSeconds(60)).content());
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

    private ClaimDriverChild() {}
}
