package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.ChatRequest;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import io.github.copilot4j.event.ToolExecutionComplete;
import io.github.copilot4j.tool.PermissionDecision;
import io.github.copilot4j.tool.PermissionRequest;
import io.github.copilot4j.tool.ToolDefinition;
import io.github.copilot4j.tool.ToolHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Client-side tools and permission decisions against the real CLI (see
 * copilot-testing/TOOL-FLOW-NOTES.md for the frames): a permission handler approves a tool that
 * needs permission; without a handler the CLI denies such a tool by itself; a failing handler's
 * message reaches the model; a handler past the client's handlerTimeout is answered for, and the
 * turn goes on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ToolsAndPermissionsRealCliTest {
    static final Duration TURN = Duration.ofSeconds(60);
    static final String SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
    OfflineCopilot offline;
    CopilotClient client;

    @BeforeAll
    void start() {
        offline = OfflineCopilot.start();
        client = CopilotClient.builder().transport(offline.stdioTransport()).build();
        client.start();
    }

    @AfterAll
    void stop() {
        client.close();
        offline.close();
    }

    private void scriptToolCall(String prompt) {
        offline.fakeApi()
                .when(FakeCopilotApi.promptContains(prompt))
                .times(1)
                .reply(Reply.toolCall("get_weather", "{\"city\":\"Paris\"}")
                        .thenReply(r -> Reply.text("Tool said: " + r.content())));
    }

    private static ToolDefinition weatherTool(boolean skipPermission, ToolHandler handler) {
        try {
            return new ToolDefinition(
                    "get_weather",
                    "Current weather for a city",
                    new ObjectMapper().readTree(SCHEMA),
                    skipPermission,
                    handler);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void permissionHandlerApprovesATool() {
        scriptToolCall("weather with permission");
        List<PermissionRequest> asked = Collections.synchronizedList(new ArrayList<>());
        CopilotSession s = client.createSession(SessionConfig.builder()
                .model("gpt-5")
                .tool(weatherTool(false, inv -> "rainy, 12C"))
                .permissionHandler(req -> {
                    asked.add(req);
                    return PermissionDecision.APPROVE_ONCE;
                })
                .build());
        assertEquals(
                "Tool said: rainy, 12C",
                s.sendAndWait("weather with permission", TURN).content());
        assertEquals(1, asked.size(), asked.toString());
        assertEquals("custom-tool", asked.get(0).kind());
        assertEquals("get_weather", asked.get(0).details().path("toolName").asText());
        s.close();
    }

    @Test
    void rejectedPermissionKeepsTheToolFromRunning() {
        scriptToolCall("weather rejected");
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        CopilotSession s = client.createSession(SessionConfig.builder()
                .model("gpt-5")
                .tool(weatherTool(false, inv -> {
                    ran.add("ran");
                    return "should not run";
                }))
                .permissionHandler(req -> PermissionDecision.REJECT)
                .build());
        List<ToolExecutionComplete> completions = Collections.synchronizedList(new ArrayList<>());
        s.on(ToolExecutionComplete.class, completions::add);
        // A rejection ends the turn (the CLI does not go back to the model); the tool never runs.
        s.sendAndWait("weather rejected", TURN);
        assertTrue(ran.isEmpty(), "the tool must not run");
        assertEquals(1, completions.size(), completions.toString());
        assertTrue(!completions.get(0).success(), completions.toString());
        s.close();
    }

    @Test
    void withoutAHandlerTheCliDeniesAToolThatNeedsPermission() {
        scriptToolCall("weather without handler");
        List<ToolExecutionComplete> completions = Collections.synchronizedList(new ArrayList<>());
        CopilotSession s = client.createSession(SessionConfig.builder()
                .model("gpt-5")
                .tool(weatherTool(false, inv -> "should not run"))
                .build());
        s.on(ToolExecutionComplete.class, completions::add);
        String answer = s.sendAndWait("weather without handler", TURN).content();
        assertTrue(answer.contains("Permission denied"), answer);
        assertEquals(1, completions.size());
        assertTrue(!completions.get(0).success());
        s.close();
    }

    @Test
    void aFailingToolTellsTheModelWhy() {
        scriptToolCall("weather failing");
        CopilotSession s = client.createSession(SessionConfig.builder()
                .model("gpt-5")
                .tool(weatherTool(true, inv -> {
                    throw new IllegalStateException("no such city: Atlantis");
                }))
                .build());
        String answer = s.sendAndWait("weather failing", TURN).content();
        assertEquals("Tool said: Tool 'get_weather' failed: no such city: Atlantis", answer);
        ChatRequest followUp = offline.fakeApi().chatRequests(s.sessionId()).stream()
                .filter(r -> !r.toolMessages().isEmpty())
                .findFirst()
                .orElseThrow();
        assertTrue(followUp.toolMessages().get(0).text().contains("no such city: Atlantis"));
        s.close();
    }

    @Test
    void handlersPastTheirDeadlineAreAnsweredForThemAndTheTurnGoesOn() throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch toolInterrupted = new CountDownLatch(1);
        CountDownLatch permissionInterrupted = new CountDownLatch(1);
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        try (CopilotClient impatient = CopilotClient.builder()
                .transport(offline.stdioTransport())
                .handlerTimeout(Duration.ofSeconds(2))
                .build()) {
            impatient.start();
            // A tool that hangs: the model is told it did not finish in time.
            scriptToolCall("weather too slow");
            CopilotSession slowTool = impatient.createSession(SessionConfig.builder()
                    .model("gpt-5")
                    .tool(weatherTool(true, inv -> {
                        try {
                            never.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            toolInterrupted.countDown();
                            throw e;
                        }
                        return "too late";
                    }))
                    .build());
            String answer = slowTool.sendAndWait("weather too slow", TURN).content();
            assertEquals(
                    "Tool said: Tool 'get_weather' did not finish within 2000 ms (the client's handlerTimeout)",
                    answer);
            assertTrue(toolInterrupted.await(10, TimeUnit.SECONDS), "the hanging tool handler was interrupted");

            // A permission handler that hangs: the CLI is told the user is not available, and the tool never runs.
            scriptToolCall("weather undecided");
            CopilotSession undecided = impatient.createSession(SessionConfig.builder()
                    .model("gpt-5")
                    .tool(weatherTool(false, inv -> {
                        ran.add("ran");
                        return "should not run";
                    }))
                    .permissionHandler(req -> {
                        try {
                            never.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            permissionInterrupted.countDown();
                            throw e;
                        }
                        return PermissionDecision.APPROVE_ONCE;
                    })
                    .build());
            List<ToolExecutionComplete> completions = Collections.synchronizedList(new ArrayList<>());
            undecided.on(ToolExecutionComplete.class, completions::add);
            undecided.sendAndWait("weather undecided", TURN);
            assertTrue(ran.isEmpty(), "the tool must not run without a decision");
            assertEquals(1, completions.size(), completions.toString());
            assertTrue(!completions.get(0).success(), completions.toString());
            assertTrue(
                    permissionInterrupted.await(10, TimeUnit.SECONDS),
                    "the hanging permission handler was interrupted");
        } finally {
            never.countDown();
        }
    }
}
