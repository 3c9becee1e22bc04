package io.github.copilot4j.devruntime.fakeapi;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Builds one scripted answer of a {@link FakeCopilotApi}, started by {@link FakeCopilotApi#when}:
 * {@code fake.when(FakeCopilotApi.promptContains("weather")).times(2).reply(Reply.text("sunny"))}.
 * Nothing is registered until {@code reply(...)} is called. Not thread-safe; use it on one thread
 * and drop it.
 */
public final class ChatScript {

    private final FakeCopilotApi owner;
    private final Predicate<ChatRequest> condition;
    private int times = 1;

    ChatScript(FakeCopilotApi owner, Predicate<ChatRequest> condition) {
        this.owner = owner;
        this.condition = Objects.requireNonNull(condition, "condition");
    }

    /** Answer this many matching requests (default 1), then fall through to later scripts or the default. */
    public ChatScript times(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("times must be at least 1, got " + count);
        }
        this.times = count;
        return this;
    }

    /** Answer every matching request. */
    public ChatScript always() {
        this.times = -1;
        return this;
    }

    /** Registers the script with a fixed reply. */
    public void reply(Reply reply) {
        Objects.requireNonNull(reply, "reply");
        owner.addScript(condition, request -> reply, times, reply.toString());
    }

    /** Registers the script with a reply computed from the request (called on a server thread). */
    public void reply(Function<ChatRequest, Reply> replier) {
        owner.addScript(condition, Objects.requireNonNull(replier, "replier"), times, "computed reply");
    }
}
