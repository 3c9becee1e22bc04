package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.AuthenticationException;
import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.testing.LeakCheck;
import io.github.copilot4j.transport.tcp.TcpTransport;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No secret appears in what copilot4j logs (captured at debug level), in exception messages or
 * in the session store (a full SQL dump of a JDBC store): a GitHub token, a TCP connection token
 * (also a wrong one) and a BYOK provider API key given in {@code SessionConfig.extraParam}. The
 * secrets are demonstrably in use: the provider serves the turns, the token guards the server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecretsTest {
    static final Duration TURN = Duration.ofSeconds(60);

    static String secret(String prefix) {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }

    @Test
    void noSecretInLogsExceptionMessagesOrTheStore() throws Exception {
        String githubToken = secret("ghu_c4jFakeGithubToken");
        String connectionToken = secret("c4jConnectionToken");
        String apiKey = secret("sk-c4jProviderKey");
        List<String> messages = new ArrayList<>();
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:secrets-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        String logs;
        String dump;
        try (OfflineCopilot offline = OfflineCopilot.start();
                JdbcSessionStore store =
                        JdbcSessionStore.builder().dataSource(ds).build()) {
            FakeCopilotApi fake = offline.fakeApi();
            LeakCheck leaks = LeakCheck.start().ignoringThreads("fake-copilot-api");
            Map<String, Object> provider = Map.of("type", "openai", "baseUrl", fake.url() + "/v1", "apiKey", apiKey);
            try (OutputCapture capture = new OutputCapture()) {
                // 1. stdio, with a GitHub token and a session on a BYOK provider.
                Transport stdio =
                        offline.stdioBuilder().githubToken(githubToken).build();
                messages.add(stdio.describe());
                try (CopilotClient client = CopilotClient.builder()
                        .transport(stdio)
                        .sessionStore(store)
                        .build()) {
                    client.start();
                    SessionConfig byok = SessionConfig.builder()
                            .model("gpt-5")
                            .systemMessage("Be brief.")
                            .extraParam("provider", provider)
                            .build();
                    messages.add(byok.toString());
                    CopilotSession s = client.createSession(byok);
                    assertEquals(
                            "ECHO: hello through the provider",
                            s.sendAndWait("hello through the provider", TURN).content());
                    assertTrue(
                            fake.requests().stream().anyMatch(r -> r.target().startsWith("/v1/")),
                            "the provider served the turn");
                    fake.when(FakeCopilotApi.promptContains("reject me"))
                            .times(1)
                            .reply(Reply.error(400, "{\"error\":{\"message\":\"bad request from the provider\"}}"));
                    messages.add(assertThrows(Exception.class, () -> s.sendAndWait("reject me", TURN))
                            .toString());
                    s.close();
                    CopilotSession again = client.resumeSession(s.sessionId(), byok);
                    again.sendAndWait("resumed through the provider", TURN);
                    try {
                        client.createSession(SessionConfig.builder()
                                .model("gpt-4.1")
                                .extraParam(
                                        "provider",
                                        Map.of("type", "no-such-type", "baseUrl", "not a url", "apiKey", apiKey))
                                .build());
                    } catch (RuntimeException e) {
                        messages.add(e.toString());
                    }
                    Cli.onlyNewCli(leaks).destroyForcibly();
                    Cli.awaitState(client, ClientState.DISCONNECTED, 5000);
                    messages.add(assertThrows(Exception.class, () -> again.sendAndWait("after the kill", TURN))
                            .toString());
                }

                // 2. TCP: a spawned server with a fixed connection token, a client with the right and one with a wrong
                // token.
                int port;
                try (ServerSocket ss = new ServerSocket(0)) {
                    port = ss.getLocalPort();
                }
                Transport spawn = offline.tcpBuilder()
                        .port(port)
                        .connectionToken(connectionToken)
                        .githubToken(githubToken)
                        .build();
                messages.add(spawn.describe());
                try (CopilotClient server = CopilotClient.builder()
                        .transport(spawn)
                        .sessionStore(store)
                        .build()) {
                    server.start();
                    server.createSession(SessionConfig.builder().model("gpt-5").build())
                            .sendAndWait("hello over tcp", TURN);
                    Transport good = TcpTransport.connect("127.0.0.1:" + port)
                            .connectionToken(connectionToken)
                            .build();
                    messages.add(good.describe());
                    try (CopilotClient c = CopilotClient.builder()
                            .transport(good)
                            .sessionStore(store)
                            .build()) {
                        c.start();
                        c.listSessions();
                    }
                    Transport wrong = TcpTransport.connect("127.0.0.1:" + port)
                            .connectionToken("wrong-" + connectionToken)
                            .build();
                    try (CopilotClient c =
                            CopilotClient.builder().transport(wrong).build()) {
                        messages.add(assertThrows(AuthenticationException.class, c::start)
                                .toString());
                    }
                    Cli.onlyNewCli(leaks).destroyForcibly();
                    Cli.awaitState(server, ClientState.DISCONNECTED, 5000);
                    messages.add(
                            assertThrows(Exception.class, () -> server.ping()).toString());
                }
                logs = capture.text();
            }
            try (Connection c = ds.getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SCRIPT")) {
                StringBuilder sb = new StringBuilder();
                while (rs.next()) {
                    sb.append(rs.getString(1)).append('\n');
                }
                dump = sb.toString();
            }
            leaks.assertNoLeaks(Duration.ofSeconds(10));
        }
        // The captures are real: debug logging of the CLI launch, the failures, and the conversation in the store.
        assertTrue(
                logs.contains("DEBUG io.github.copilot4j.transport.stdio.CliLauncher - Starting the Copilot CLI"),
                "debug logs captured");
        assertTrue(
                logs.contains("COPILOT_SDK_AUTH_TOKEN=***") && logs.contains("COPILOT_CONNECTION_TOKEN=***"),
                "secret variables are named, masked");
        assertTrue(logs.contains("killed by signal 9"), "the crash was logged");
        assertTrue(
                dump.contains("hello through the provider") && dump.contains("hello over tcp"),
                "the store dump holds the conversations");
        assertTrue(messages.size() >= 8, messages.toString());
        messages.forEach(m -> System.out.println("checked message: " + m));
        for (String secret : List.of(githubToken, connectionToken, apiKey)) {
            assertFalse(logs.contains(secret), "a secret is in the logs: " + around(logs, secret));
            assertFalse(dump.contains(secret), "a secret is in the store: " + around(dump, secret));
            for (String m : messages) {
                assertFalse(m.contains(secret), "a secret is in a message: " + m);
            }
        }
    }

    private static String around(String text, String secret) {
        int i = text.indexOf(secret);
        return text.substring(Math.max(0, i - 300), Math.min(text.length(), i + secret.length() + 100));
    }
}
