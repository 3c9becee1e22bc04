package io.github.copilot4j.testing.runtime;

import java.util.List;

/** Decides the {@link FakeRuntime}'s reply to a prompt. Called on the runtime's turn thread. */
@FunctionalInterface
public interface Responder {
    /** Echoes the prompt: {@code ECHO: <prompt>}, like the fake Copilot API does with the real CLI. */
    Responder ECHO = turn -> Reply.text("ECHO: " + turn.prompt());

    /** The reply to one turn; runs on the runtime's turn thread. */
    Reply reply(Turn turn);

    /**
     * The prompt being answered and the session's conversation so far.
     *
     * @param history earlier prompts and replies of this session only, alternating user/assistant texts
     */
    record Turn(String sessionId, String model, String prompt, List<String> history) {}
}
