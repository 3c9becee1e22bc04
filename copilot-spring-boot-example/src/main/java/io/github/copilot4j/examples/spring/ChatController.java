package io.github.copilot4j.examples.spring;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.Subscription;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.event.AssistantMessageDelta;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.event.UserMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One session per user: {@code POST /users/{user}/messages} sends the body as a prompt and streams
 * the answer as SSE events ({@code delta} for each chunk, then {@code done} with the whole
 * answer, or {@code error}); {@code GET /users/{user}/messages} returns the conversation. The
 * session id is derived from the user, so the session survives restarts of this application when
 * the store is a database (add spring-boot-starter-jdbc and a DataSource).
 *
 * <p>Threading: handlers run on the servlet threads; the SSE events are sent from the client's
 * callback executor (listeners and the turn's future complete there). A real application takes
 * the user from its security context instead of the path.
 */
@RestController
class ChatController {
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Duration TURN = Duration.ofMinutes(2);
    private final CopilotClient copilot;

    ChatController(CopilotClient copilot) {
        this.copilot = copilot;
    }

    @PostMapping(path = "/users/{user}/messages", produces = "text/event-stream")
    @SuppressWarnings("FutureReturnValueIgnored") // the whenComplete callback handles success and failure alike
    SseEmitter send(@PathVariable("user") String user, @RequestBody String prompt) {
        CopilotSession session = sessionOf(user);
        SseEmitter sse = new SseEmitter(TURN.toMillis() + 5_000);
        Subscription deltas = session.on(AssistantMessageDelta.class, d -> {
            try {
                sse.send(SseEmitter.event().name("delta").data(d.deltaContent()));
            } catch (IOException | IllegalStateException gone) {
                // the HTTP client went away; the turn goes on and its result is in the history
            }
        });
        session.sendAndWaitAsync(prompt, TURN).whenComplete((answer, error) -> {
            deltas.close();
            try {
                if (error != null) {
                    sse.send(SseEmitter.event().name("error").data(String.valueOf(error.getMessage())));
                } else {
                    sse.send(SseEmitter.event().name("done").data(answer == null ? "" : answer.content()));
                }
                sse.complete();
            } catch (IOException | IllegalStateException gone) {
                sse.completeWithError(gone);
            }
        });
        return sse;
    }

    @GetMapping("/users/{user}/messages")
    List<Map<String, String>> history(@PathVariable("user") String user) {
        List<Map<String, String>> out = new ArrayList<>();
        for (SessionEvent e : sessionOf(user).messages()) {
            e.as(UserMessage.class).ifPresent(m -> out.add(Map.of("role", "user", "content", m.content())));
            e.as(AssistantMessage.class).ifPresent(m -> out.add(Map.of("role", "assistant", "content", m.content())));
        }
        return out;
    }

    /** The user's open session, else resumes the one the store knows, else creates it (owner = user). */
    private synchronized CopilotSession sessionOf(String user) {
        if (!USER.matcher(user).matches()) {
            throw new ResponseStatusException(
                    HttpStatus.BAD_REQUEST, "user must be 1-64 letters, digits, '_', '.' or '-'");
        }
        String id = "chat-" + user;
        return copilot.session(id)
                .orElseGet(() -> copilot.sessionStore().find(id, user).isPresent()
                        ? copilot.resumeSession(
                                id,
                                SessionConfig.builder()
                                        .owner(user)
                                        .streaming(true)
                                        .build())
                        : copilot.createSession(SessionConfig.builder()
                                .sessionId(id)
                                .owner(user)
                                .streaming(true)
                                .build()));
    }
}
