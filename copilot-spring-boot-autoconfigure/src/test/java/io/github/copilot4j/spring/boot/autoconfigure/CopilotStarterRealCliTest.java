package io.github.copilot4j.spring.boot.autoconfigure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.micrometer.CopilotMetrics;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.testing.db.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter in a Spring Boot application configured only with properties, against the REAL
 * Copilot CLI (offline, fake model API) and the real PostgreSQL as the application's DataSource.
 * The tests run in order: the last one kills the CLI.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "management.endpoints.web.exposure.include=health",
            "management.endpoint.health.show-details=always",
            "management.endpoint.health.show-components=always"
        })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DirtiesContext
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CopilotStarterRealCliTest {
    static final Duration TURN = Duration.ofSeconds(90);
    static final OfflineCopilot OFFLINE = OfflineCopilot.start();
    static final TestPostgres.TestSchema SCHEMA = TestPostgres.newSchema();
    static final CountDownLatch DISCONNECTED = new CountDownLatch(1);
    static final CountDownLatch RECONNECTED = new CountDownLatch(1);

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        /** Registered first, so destroyed last (when @DirtiesContext closes the context): after the client and the DataSource. */
        @Bean(destroyMethod = "close")
        AutoCloseable testResources() {
            return () -> {
                try {
                    SCHEMA.close();
                } finally {
                    OFFLINE.close();
                }
            };
        }

        /** The application's own observer, picked up by the auto-configured client beside CopilotMetrics. */
        @Bean
        ClientObserver disconnectWatcher() {
            return new ClientObserver() {
                @Override
                public void disconnected(CopilotClient client, ConnectionClosedException reason) {
                    DISCONNECTED.countDown();
                }

                @Override
                public void connected(CopilotClient client, boolean reconnect) {
                    if (reconnect) {
                        RECONNECTED.countDown();
                    }
                }
            };
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        OfflineCli.register(OFFLINE, r);
        // no reconnect on its own within the test: only the health check asks for one, so DOWN is seen first
        r.add("copilot.reconnect.delay", () -> "10m");
        r.add("spring.datasource.url", SCHEMA::url);
        r.add("spring.datasource.username", () -> SCHEMA.server.user());
        r.add("spring.datasource.password", () -> SCHEMA.server.password() == null ? "" : SCHEMA.server.password());
    }

    @Autowired
    CopilotClient client;

    @Autowired
    DataSource dataSource;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    @Test
    @Order(1)
    void withOnlyPropertiesTheContextStartsTheClientAndAnswersATurn() {
        assertEquals(ClientState.CONNECTED, client.state(), "started by the lifecycle once the context was ready");
        CopilotSession s = client.createSession(SessionConfig.builder()
                .sessionId("boot-turn-1")
                .owner("user-1")
                .model("gpt-5")
                .build());
        assertEquals(
                "ECHO: hello from spring",
                s.sendAndWait("hello from spring", TURN).content());
        s.close();
    }

    @Test
    @Order(2)
    void theApplicationsDataSourceHoldsTheSessions() throws Exception {
        assertInstanceOf(JdbcSessionStore.class, client.sessionStore());
        Set<String> tables = new HashSet<>();
        try (Connection c = dataSource.getConnection();
                ResultSet rs = c.getMetaData().getTables(null, SCHEMA.schema, "copilot4j_%", null)) {
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME"));
            }
        }
        assertTrue(tables.containsAll(Set.of("copilot4j_sessions", "copilot4j_events")), tables.toString());
        try (Connection c = dataSource.getConnection();
                var st = c.prepareStatement("select owner from copilot4j_sessions where id = ?")) {
            st.setString(1, "boot-turn-1");
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next(), "the session of the first test is a row in the app's schema " + SCHEMA.schema);
                assertEquals("user-1", rs.getString(1));
            }
        }
    }

    @Test
    @Order(3)
    void aTurnLeavesMetersWithTheExpectedTags() {
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        s.sendAndWait("measure me", TURN);
        s.close();
        var turns = meters.find(CopilotMetrics.TURN)
                .tags("model", "gpt-5", "outcome", "success", "transport", "stdio")
                .timer();
        assertNotNull(
                turns,
                "copilot.turn timer; meters: "
                        + meters.getMeters().stream()
                                .map(m -> m.getId().toString())
                                .toList());
        assertTrue(turns.count() >= 2, "both turns so far: " + turns.count());
        var out = meters.find(CopilotMetrics.TOKENS)
                .tags("type", "output", "model", "gpt-5")
                .counter();
        assertNotNull(out);
        // the fake model API counts a word as a token: "ECHO: hello from spring" + "ECHO: measure me"
        assertEquals(7, out.count(), 0.0);
        assertTrue(meters.get(CopilotMetrics.TOKENS)
                        .tags("type", "input")
                        .counter()
                        .count()
                > 0);
        assertTrue(meters.get(CopilotMetrics.RPC)
                        .tags("method", "session.create", "outcome", "success")
                        .timer()
                        .count()
                >= 2);
        assertEquals(0.0, meters.get(CopilotMetrics.SESSIONS_OPEN).gauge().value());
    }

    @Test
    @Order(4)
    void healthIsUpThenDownWhenTheCliIsKilledThenUpAfterTheReconnect() throws Exception {
        JsonNode up = health();
        assertEquals("UP", up.path("status").asText(), up.toString());
        assertEquals(3, up.path("details").path("protocolVersion").asInt(), up.toString());
        assertEquals("reachable", up.path("details").path("store").asText(), up.toString());
        assertEquals("stdio", up.path("details").path("transport").asText(), up.toString());

        long killed = ProcessHandle.current()
                .descendants()
                .filter(p -> p.info()
                        .command()
                        .map(cmd -> cmd.equals(OFFLINE.cliPath().toString()) || cmd.endsWith("/copilot"))
                        .orElse(false))
                .peek(ProcessHandle::destroyForcibly)
                .count();
        assertTrue(killed >= 1, "the client's CLI process was found among this JVM's children");
        assertTrue(DISCONNECTED.await(30, TimeUnit.SECONDS), "the client saw its CLI die");

        JsonNode down = health();
        assertEquals("DOWN", down.path("status").asText(), down.toString());
        assertEquals("DISCONNECTED", down.path("details").path("state").asText(), down.toString());
        assertEquals("requested", down.path("details").path("reconnect").asText(), down.toString());

        assertTrue(RECONNECTED.await(90, TimeUnit.SECONDS), "the reconnect the health check asked for");
        JsonNode again = health();
        assertEquals("UP", again.path("status").asText(), again.toString());
        CopilotSession s =
                client.createSession(SessionConfig.builder().model("gpt-5").build());
        assertEquals("ECHO: back again", s.sendAndWait("back again", TURN).content());
        assertEquals(1.0, meters.get(CopilotMetrics.RECONNECTS).counter().count());
        assertEquals(1.0, meters.get(CopilotMetrics.DISCONNECTS).counter().count());
    }

    JsonNode health() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/copilot"))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }
}
