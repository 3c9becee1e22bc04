package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.testing.LeakCheck;
import io.github.copilot4j.tool.ToolDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code close()} while turns are in flight (two waiting for a slow model, one inside a tool
 * handler that blocks): it returns within its timeout, every wait fails, and no CLI process, no
 * non-daemon thread and no copilot4j thread is left (the blocked tool handler is interrupted).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CloseInFlightTest {

    @Test
    void closeWithTurnsInFlight() throws Exception {
        try (OfflineCopilot offline = OfflineCopilot.start()) {
            FakeCopilotApi fake = offline.fakeApi();
            fake.when(FakeCopilotApi.promptContains("slow model"))
                    .always()
                    .reply(Reply.text("never").delayed(Duration.ofSeconds(60)));
            fake.when(FakeCopilotApi.promptContains("slow tool"))
                    .always()
                    .reply(Reply.toolCall("slow_tool", "{}").thenReply(r -> Reply.text("never")));
            LeakCheck leaks = LeakCheck.start().ignoringThreads("fake-copilot-api");
            CountDownLatch toolEntered = new CountDownLatch(1);
            AtomicBoolean toolInterrupted = new AtomicBoolean();
            Duration closeTimeout = Duration.ofSeconds(5);
            CopilotClient client = CopilotClient.builder()
                    .transport(offline.stdioTransport())
                    .closeTimeout(closeTimeout)
                    .requestTimeout(Duration.ofSeconds(30))
                    .build();
            List<CompletableFuture<AssistantMessage>> turns = new ArrayList<>();
            try {
                client.start();
                for (int i = 0; i < 2; i++) {
                    CopilotSession s = client.createSession(SessionConfig.builder()
                            .model("gpt-5")
                            .streaming(i == 0)
                            .build());
                    turns.add(s.sendAndWaitAsync("slow model " + i, Duration.ofSeconds(60)));
                }
                CopilotSession withTool = client.createSession(SessionConfig.builder()
                        .model("gpt-5")
                        .tool(ToolDefinition.of(
                                "slow_tool",
                                "Never returns on its own",
                                "{\"type\":\"object\",\"properties\":{}}",
                                inv -> {
                                    toolEntered.countDown();
                                    try {
                                        Thread.sleep(60_000);
                                    } catch (InterruptedException e) {
                                        toolInterrupted.set(true);
                                        Thread.currentThread().interrupt();
                                    }
                                    return "too late";
                                }))
                        .build());
                turns.add(withTool.sendAndWaitAsync("use the slow tool", Duration.ofSeconds(60)));
                fake.awaitChatRequest(r -> r.lastUserText().equals("slow model 0"), Duration.ofSeconds(30));
                fake.awaitChatRequest(r -> r.lastUserText().equals("slow model 1"), Duration.ofSeconds(30));
                assertTrue(toolEntered.await(30, TimeUnit.SECONDS), "the tool handler is running");
                assertEquals(1, Cli.newCliProcesses(leaks).size());
            } finally {
                long t0 = System.nanoTime();
                client.close();
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(
                        millis < closeTimeout.toMillis() + 1000,
                        "close() took " + millis + " ms; its timeout is " + closeTimeout.toMillis());
            }
            for (CompletableFuture<AssistantMessage> t : turns) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> t.get(1, TimeUnit.SECONDS));
                assertTrue(
                        e.getCause().getMessage().contains("closed"),
                        e.getCause().toString());
            }
            assertEquals(ClientState.CLOSED, client.state());
            assertTrue(
                    Cli.newCliProcesses(leaks).isEmpty(), "no CLI process after close: " + Cli.newCliProcesses(leaks));
            assertEquals(List.of(), leaks.newNonDaemonThreads(), "no non-daemon thread after close");
            IllegalStateException later = assertThrows(
                    IllegalStateException.class,
                    () -> client.createSession(SessionConfig.builder().build()));
            assertTrue(later.getMessage().contains("closed"), later.getMessage());
            leaks.assertNoLeaks(Duration.ofSeconds(5));
            assertTrue(toolInterrupted.get(), "the blocked tool handler was interrupted");
        }
    }
}
