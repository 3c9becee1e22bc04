package io.github.copilot4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionFsOptions;
import io.github.copilot4j.SessionInfo;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.event.AssistantMessageDelta;
import io.github.copilot4j.event.data.AssistantUsageData;
import io.github.copilot4j.rpc.SessionRpc;
import io.github.copilot4j.rpc.model.Model;
import io.github.copilot4j.rpc.model.SessionModelSwitchToParams;
import io.github.copilot4j.rpc.model.SessionPlanUpdateParams;
import io.github.copilot4j.rpc.model.UsageGetMetricsResult;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.store.jdbc.state.JdbcSessionStateStore;
import io.github.copilot4j.testing.junit.CopilotExtension;
import io.github.copilot4j.transport.stdio.StdioTransport;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's code, compiled. {@link ReadmeSnippetsTest} checks that the README's java blocks are,
 * in order, exactly the texts between the {@code snippet} markers, so the two cannot drift apart.
 */
final class ReadmeSnippets {
    static void apiTour() {
        // snippet:api-tour
        try (CopilotClient client = CopilotClient.builder()
                .transport(StdioTransport.builder().build())            // finds the CLI; or TcpTransport
                .sessionStore(JdbcSessionStore.h2(Path.of("data/sessions"))) // default: in memory
                .build()) {
            client.start();

            CopilotSession python = client.createSession(SessionConfig.builder().model("gpt-5").build());
            CopilotSession chat = client.createSession(SessionConfig.builder()
                    .sessionId("user-123-chat").owner("user-123").model("claude-sonnet-4.5").streaming(true).build());

            python.send("You are helping with a Python project");        // queued; returns the message id
            AssistantMessage a = python.sendAndWait("How do I create a virtual environment?", Duration.ofMinutes(2));
            System.out.println(a.content());

            chat.on(AssistantMessageDelta.class, d -> System.out.print(d.deltaContent())); // streamed
            chat.sendAndWait("Hello!");

            for (SessionInfo info : client.listSessions()) System.out.println(info.sessionId() + " " + info.knownTo());
            client.deleteSession("user-123-chat");
        }
        // end-snippet
    }

    static void runtimeSurface(CopilotClient client, CopilotSession session) {
        // snippet:runtime-surface
        SessionRpc rpc = session.rpc();                                  // typed, the session id filled in
        rpc.model().switchTo(SessionModelSwitchToParams.builder().modelId("claude-sonnet-4.5").build());
        System.out.println(rpc.model().getCurrent().modelId());         // the next turn uses it
        UsageGetMetricsResult usage = rpc.usage().getMetrics();
        rpc.plan().update(SessionPlanUpdateParams.builder().content("1. write the tests").build());
        session.on(AssistantUsageData.class, u -> System.out.println(u.model() + ": " + u.outputTokens() + " tokens"));

        for (Model m : client.rpc().models().list().models()) System.out.println(m.id());
        JsonNode raw = rpc.call("session.someNewerMethod", null);       // any method by name, untyped
        // end-snippet
        System.out.println(usage.totalUserRequests() + " " + raw);
    }

    static CopilotClient sessionFs(DataSource postgres) {
        // snippet:session-fs
        JdbcSessionStore sessions = JdbcSessionStore.builder().dataSource(postgres).build();
        JdbcSessionStateStore state = JdbcSessionStateStore.builder().dataSource(sessions.dataSource()).build();
        CopilotClient client = CopilotClient.builder().transport(StdioTransport.builder().build())
                .sessionStore(sessions).sessionFs(state, SessionFsOptions.builder().holderId("node-1").build()).build();
        // end-snippet
        return client;
    }

    static void offline() {
        // snippet:offline
        try (OfflineCopilot offline = OfflineCopilot.start();   // fake API + pinned CLI (npm-installed on first use) + isolated home
             CopilotClient client = CopilotClient.builder().transport(offline.stdioTransport()).build()) {
            client.start();
            try (CopilotSession s = client.createSession(SessionConfig.builder().model("gpt-5").build())) {
                System.out.println(s.sendAndWait("hello").content());                 // ECHO: hello
            }
        }
        // end-snippet
    }

    // snippet:extension
    class MyServiceTest {
        @RegisterExtension
        final CopilotExtension copilot = CopilotExtension.inMemory();   // or .offline(): the real CLI, no token

        @Test
        void answers(CopilotClient client) {
            try (CopilotSession s = client.createSession(SessionConfig.builder().build())) {
                assertEquals("ECHO: hi", s.sendAndWait("hi").content());
            }
        }
    }
    // end-snippet

    private ReadmeSnippets() {}
}
