package io.github.copilot4j;

import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.internal.Validation;
import io.github.copilot4j.tool.PermissionHandler;
import io.github.copilot4j.tool.ToolDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How to create or resume a session. Immutable; build with {@link #builder()}.
 *
 * @param sessionId the id to use; null lets the client generate a UUID
 * @param owner the user/tenant the session belongs to (kept in the store, used to filter lists)
 * @param model model id, e.g. {@code gpt-5}; null for the runtime's default
 * @param systemMessage text added to (or replacing) the system prompt, or null
 * @param replaceSystemMessage true to replace the runtime's system prompt instead of appending
 * @param streaming deliver {@code assistant.message_delta} events as the reply is generated
 * @param workingDirectory the session's working directory on the runtime's host, or null
 * @param tools client-side tools offered to the model
 * @param availableTools if non-empty, only these tools (patterns like {@code custom:*}) are offered
 * @param excludedTools tools never offered
 * @param permissionHandler answers permission requests; null means this client does not ask for them
 * @param reasoningEffort {@code low|medium|high|...}, or null
 * @param timeToLive how long after creation the store may expire the session, or null for never
 * @param extraParams extra fields passed verbatim in {@code session.create}/{@code resume} (for
 *     wire options this API does not model yet); never stored
 * @param eventListeners listeners registered on the session before its create/resume request goes
 *     out, so they see every event of it from the first ({@code session.start} or {@code
 *     session.resume} included); never stored
 */
public record SessionConfig(
        String sessionId,
        String owner,
        String model,
        String systemMessage,
        boolean replaceSystemMessage,
        boolean streaming,
        String workingDirectory,
        List<ToolDefinition> tools,
        List<String> availableTools,
        List<String> excludedTools,
        PermissionHandler permissionHandler,
        String reasoningEffort,
        Duration timeToLive,
        Map<String, Object> extraParams,
        List<Consumer<SessionEvent>> eventListeners) {

    /** Longest session id accepted. */
    public static final int MAX_SESSION_ID_LENGTH = 256;

    /** Validates the values (lengths, characters) and copies the collections. */
    public SessionConfig {
        Validation.optionalText("sessionId", sessionId, MAX_SESSION_ID_LENGTH);
        Validation.optionalText("owner", owner, 256);
        Validation.optionalText("model", model, 128);
        Validation.optionalText("reasoningEffort", reasoningEffort, 32);
        if (systemMessage != null && systemMessage.length() > 1_000_000) {
            throw new IllegalArgumentException("systemMessage must be at most 1,000,000 characters");
        }
        // Kept in the store: must be text every store can hold (no NUL, no unpaired surrogate).
        Validation.requireUnicode("systemMessage", systemMessage);
        if (systemMessage != null && systemMessage.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("systemMessage must not contain the NUL character (U+0000)");
        }
        Validation.optionalText("workingDirectory", workingDirectory, 4096);
        tools = tools == null ? List.of() : List.copyOf(tools);
        Set<String> names = new HashSet<>();
        for (ToolDefinition t : tools) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("two tools are named '" + t.name() + "'");
            }
        }
        availableTools = availableTools == null ? List.of() : List.copyOf(availableTools);
        excludedTools = excludedTools == null ? List.of() : List.copyOf(excludedTools);
        if (timeToLive != null && (timeToLive.isNegative() || timeToLive.isZero())) {
            throw new IllegalArgumentException("timeToLive must be positive");
        }
        extraParams = extraParams == null ? Map.of() : Map.copyOf(extraParams);
        eventListeners = eventListeners == null ? List.of() : List.copyOf(eventListeners);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.sessionId = sessionId;
        b.owner = owner;
        b.model = model;
        b.systemMessage = systemMessage;
        b.replaceSystemMessage = replaceSystemMessage;
        b.streaming = streaming;
        b.workingDirectory = workingDirectory;
        b.tools.addAll(tools);
        b.availableTools.addAll(availableTools);
        b.excludedTools.addAll(excludedTools);
        b.permissionHandler = permissionHandler;
        b.reasoningEffort = reasoningEffort;
        b.timeToLive = timeToLive;
        b.extraParams.putAll(extraParams);
        b.eventListeners.addAll(eventListeners);
        return b;
    }

    /**
     * Names the extra parameters but never shows their values: they may hold secrets (a BYOK
     * provider's API key), and configs end up in logs and exception messages.
     */
    @Override
    public String toString() {
        return "SessionConfig[sessionId=" + sessionId + ", owner=" + owner + ", model=" + model
                + ", systemMessage=" + (systemMessage == null ? null : systemMessage.length() + " chars")
                + ", replaceSystemMessage=" + replaceSystemMessage + ", streaming=" + streaming + ", workingDirectory="
                + workingDirectory
                + ", tools=" + tools.stream().map(ToolDefinition::name).toList() + ", availableTools=" + availableTools
                + ", excludedTools=" + excludedTools + ", permissionHandler="
                + (permissionHandler == null ? "none" : "set")
                + ", reasoningEffort=" + reasoningEffort + ", timeToLive=" + timeToLive
                + ", extraParams="
                + extraParams.keySet().stream().sorted().map(k -> k + "=***").toList()
                + ", eventListeners=" + eventListeners.size() + "]";
    }

    /** Builds {@link SessionConfig}s. Not thread-safe. */
    public static final class Builder {
        private String sessionId;
        private String owner;
        private String model;
        private String systemMessage;
        private boolean replaceSystemMessage;
        private boolean streaming;
        private String workingDirectory;
        private final List<ToolDefinition> tools = new ArrayList<>();
        private final List<String> availableTools = new ArrayList<>();
        private final List<String> excludedTools = new ArrayList<>();
        private PermissionHandler permissionHandler;
        private String reasoningEffort;
        private Duration timeToLive;
        private final Map<String, Object> extraParams = new LinkedHashMap<>();
        private final List<Consumer<SessionEvent>> eventListeners = new ArrayList<>();

        private Builder() {}

        /** The session id; default: a generated UUID. */
        public Builder sessionId(String sessionId) {
            this.sessionId = sessionId;
            return this;
        }

        /** The user or tenant the session belongs to. */
        public Builder owner(String owner) {
            this.owner = owner;
            return this;
        }

        /** The model id; default: the runtime's default. */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /** Appends {@code text} to the runtime's system prompt. */
        public Builder systemMessage(String text) {
            this.systemMessage = text;
            this.replaceSystemMessage = false;
            return this;
        }

        /** Replaces the runtime's system prompt with {@code text}. */
        public Builder replaceSystemMessage(String text) {
            this.systemMessage = text;
            this.replaceSystemMessage = true;
            return this;
        }

        /** Whether to stream {@code assistant.message_delta} events. */
        public Builder streaming(boolean streaming) {
            this.streaming = streaming;
            return this;
        }

        /** The session's working directory on the runtime's host. */
        public Builder workingDirectory(String dir) {
            this.workingDirectory = dir;
            return this;
        }

        /** Adds a client-side tool. */
        public Builder tool(ToolDefinition tool) {
            this.tools.add(Validation.requireNonNull("tool", tool));
            return this;
        }

        /** Adds client-side tools. */
        public Builder tools(List<ToolDefinition> tools) {
            tools.forEach(this::tool);
            return this;
        }

        /** Offers only these tools (patterns such as {@code custom:*}). */
        public Builder availableTools(List<String> patterns) {
            this.availableTools.addAll(patterns);
            return this;
        }

        /** Never offers these tools. */
        public Builder excludedTools(List<String> patterns) {
            this.excludedTools.addAll(patterns);
            return this;
        }

        /** Answers permission requests; without one, this client does not ask for them. */
        public Builder permissionHandler(PermissionHandler handler) {
            this.permissionHandler = handler;
            return this;
        }

        /** The reasoning effort, e.g. {@code low} or {@code high}. */
        public Builder reasoningEffort(String effort) {
            this.reasoningEffort = effort;
            return this;
        }

        /** How long after creation the store may expire the session. */
        public Builder timeToLive(Duration ttl) {
            this.timeToLive = ttl;
            return this;
        }

        /** A raw {@code session.create} field this API does not model; sent as given. */
        public Builder extraParam(String name, Object value) {
            this.extraParams.put(Validation.requireText("extraParam name", name, 128), value);
            return this;
        }

        /**
         * Calls {@code listener} for every event of the session, from its very first: it is
         * registered before the create or resume request is sent. A listener added later with
         * {@link CopilotSession#on} sees only the events delivered after it was added, so it may or
         * may not see {@code session.start}; use this when the first events matter.
         */
        public Builder onEvent(Consumer<SessionEvent> listener) {
            this.eventListeners.add(Validation.requireNonNull("listener", listener));
            return this;
        }

        /** Builds the validated configuration. */
        public SessionConfig build() {
            return new SessionConfig(
                    sessionId,
                    owner,
                    model,
                    systemMessage,
                    replaceSystemMessage,
                    streaming,
                    workingDirectory,
                    tools,
                    availableTools,
                    excludedTools,
                    permissionHandler,
                    reasoningEffort,
                    timeToLive,
                    extraParams,
                    eventListeners);
        }
    }
}
