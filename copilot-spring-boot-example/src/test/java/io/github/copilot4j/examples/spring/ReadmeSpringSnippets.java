package io.github.copilot4j.examples.spring;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.micrometer.CopilotMetrics;
import io.github.copilot4j.spi.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.security.Principal;
import java.time.Duration;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The README's Spring Boot and metrics code, compiled. copilot-examples' {@code ReadmeSnippetsTest}
 * checks that the README's java blocks are, in order, its own snippets and then these.
 */
final class ReadmeSpringSnippets {
    private ReadmeSpringSnippets() {}

    // snippet:spring-controller
    @RestController
    class ChatController {
        private final CopilotClient copilot;

        ChatController(CopilotClient copilot) { this.copilot = copilot; }

        @PostMapping("/chat")
        String chat(@RequestBody String prompt, Principal user) {
            String owner = user.getName(), id = "chat-" + owner;
            CopilotSession session = copilot.session(id).orElseGet(() -> copilot.sessionStore().find(id, owner).isPresent()
                    ? copilot.resumeSession(id, SessionConfig.builder().owner(owner).build())     // after a restart
                    : copilot.createSession(SessionConfig.builder().sessionId(id).owner(owner).model("gpt-5").build()));
            return session.sendAndWait(prompt, Duration.ofMinutes(2)).content();
        }
    }
    // end-snippet

    static CopilotClient metrics(MeterRegistry meterRegistry, ObservationRegistry observationRegistry, Transport transport) {
        // snippet:metrics
        CopilotMetrics metrics = CopilotMetrics.builder(meterRegistry).observationRegistry(observationRegistry).build();
        CopilotClient client = CopilotClient.builder().transport(transport).observer(metrics).build();
        // end-snippet
        return client;
    }
}
