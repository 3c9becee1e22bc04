package io.github.copilot4j.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.devruntime.OfflineCopilot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The example application against the REAL Copilot CLI (offline, fake model API): SSE per user. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ChatApplicationRealCliTest {
    static final OfflineCopilot OFFLINE = OfflineCopilot.start();

    @TestConfiguration
    static class Resources {
        /** Closed with the context, after the client (registered before it). */
        @Bean(destroyMethod = "close")
        AutoCloseable offlineCopilot() {
            return OFFLINE::close;
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        r.add("copilot.cli.path", () -> OFFLINE.cliPath().toString());
        r.add(
                "copilot.cli.working-directory",
                () -> OFFLINE.environment().workDir().toString());
        r.add("copilot.cli.inherit-environment", () -> "false");
        for (Map.Entry<String, String> e : OFFLINE.environment().env().entrySet()) {
            r.add("copilot.cli.environment[" + e.getKey() + "]", e::getValue);
        }
        var args = OFFLINE.environment().cliArgs();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            r.add("copilot.cli.args[" + i + "]", () -> a);
        }
        r.add("copilot.start-timeout", () -> "90s");
    }

    @LocalServerPort
    int port;

    @Autowired
    CopilotClient client;

    String post(String user, String prompt) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/users/" + user + "/messages"))
                                .header("Content-Type", "text/plain")
                                .timeout(Duration.ofSeconds(120))
                                .POST(HttpRequest.BodyPublishers.ofString(prompt))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(
                r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                r.headers().toString());
        return r.body();
    }

    @Test
    void eachUserHasTheirOwnSessionAndTheAnswerIsStreamed() throws Exception {
        String alice = post("alice", "Hello from Alice");
        assertTrue(alice.contains("event:delta"), alice);
        assertTrue(alice.contains("event:done\ndata:ECHO: Hello from Alice"), alice);
        String bob = post("bob", "Hello from Bob");
        assertTrue(bob.contains("event:done\ndata:ECHO: Hello from Bob"), bob);
        post("alice", "Second from Alice");

        assertEquals(
                "alice", client.sessionStore().find("chat-alice").orElseThrow().owner());
        assertEquals("bob", client.sessionStore().find("chat-bob").orElseThrow().owner());
        HttpResponse<String> history = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/users/alice/messages"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, history.statusCode());
        String h = history.body();
        assertTrue(
                h.contains("Hello from Alice")
                        && h.contains("Second from Alice")
                        && h.contains("ECHO: Second from Alice"),
                h);
        assertTrue(!h.contains("Bob"), "only Alice's conversation: " + h);
    }
}
