package io.github.copilot4j.spring.boot.autoconfigure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Shutting the application down with a turn in flight, against the REAL CLI (offline). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CopilotShutdownRealCliTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}

    @Test
    void shutdownWithATurnInFlightEndsWithinTheCloseTimeoutAndLeavesNoCliProcess() throws Exception {
        try (OfflineCopilot offline = OfflineCopilot.start()) {
            java.util.Map<String, Object> props = new java.util.LinkedHashMap<>();
            DynamicPropertyRegistry registry = (name, value) -> props.put(name, value.get());
            OfflineCli.register(offline, registry);
            props.put("copilot.close-timeout", "3s");
            props.put(
                    "spring.autoconfigure.exclude",
                    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
            ConfigurableApplicationContext ctx = new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.NONE)
                    .initializers(
                            c -> c.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", props)))
                    .run();
            CopilotClient client = ctx.getBean(CopilotClient.class);
            assertEquals(ClientState.CONNECTED, client.state());
            List<ProcessHandle> cli = ProcessHandle.current()
                    .descendants()
                    .filter(p -> p.info()
                            .command()
                            .map(cmd -> cmd.equals(offline.cliPath().toString()))
                            .orElse(false))
                    .toList();
            assertFalse(cli.isEmpty(), "the CLI runs as a child of this JVM");

            // the model answers only after a minute: the turn is in flight at shutdown
            offline.fakeApi().enqueue(Reply.echo().delayed(Duration.ofSeconds(60)));
            CopilotSession s =
                    client.createSession(SessionConfig.builder().model("gpt-5").build());
            CompletableFuture<?> turn = s.sendAndWaitAsync("slow one", Duration.ofSeconds(120));
            offline.fakeApi().awaitChatRequest(r -> r.lastUserText().equals("slow one"), Duration.ofSeconds(60));

            long t0 = System.nanoTime();
            ctx.close();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // close-timeout is 3 s; generous slack for a loaded machine, still far below the turn's minute
            assertTrue(tookMs < 20_000, "shutdown took " + tookMs + " ms");
            assertEquals(ClientState.CLOSED, client.state());
            ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class, () -> turn.get(10, TimeUnit.SECONDS));
            // the waiting turn fails at once: its session was detached by the closing client
            assertTrue(
                    failed.getCause() instanceof IllegalStateException
                            || failed.getCause() instanceof ConnectionClosedException,
                    failed.toString());
            assertTrue(failed.getCause().getMessage().contains("closed"), failed.toString());
            for (ProcessHandle p : cli) {
                p.onExit().get(10, TimeUnit.SECONDS);
                assertFalse(p.isAlive(), "CLI process " + p.pid() + " is gone");
            }
        }
    }
}
