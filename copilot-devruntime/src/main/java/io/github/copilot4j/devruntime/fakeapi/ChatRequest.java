package io.github.copilot4j.devruntime.fakeapi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A model request ({@code POST /chat/completions}, or {@code /responses}) the CLI sent to a
 * {@link FakeCopilotApi}, parsed for assertions and for matching scripted replies.
 *
 * @param request the raw recorded request
 * @param model the requested model id ({@code gpt-5}, ...), or null if absent
 * @param stream whether the CLI asked for a streamed (SSE) reply
 * @param messages every message of the request, in order, simplified (see {@link ChatMessage})
 * @param toolNames the names of the tools offered to the model, in order
 */
public record ChatRequest(
        RecordedRequest request, String model, boolean stream, List<ChatMessage> messages, List<String> toolNames) {

    /** Checks the request and copies the lists. */
    public ChatRequest {
        Objects.requireNonNull(request, "request");
        messages = List.copyOf(messages);
        toolNames = List.copyOf(toolNames);
    }

    /** The Copilot session this request belongs to ({@code x-client-session-id}), or null. */
    public String sessionId() {
        return request.clientSessionId();
    }

    /** The messages without the {@code system} ones: the conversation as the model sees it. */
    public List<ChatMessage> dialog() {
        return messages.stream().filter(m -> !"system".equals(m.role())).toList();
    }

    /** The texts of the messages with this role, in order, skipping empty ones. */
    public List<String> texts(String role) {
        return messages.stream()
                .filter(m -> role.equals(m.role()) && !m.text().isEmpty())
                .map(ChatMessage::text)
                .toList();
    }

    /** The text of the last user message that has text after removing injected blocks; "" if none. */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m.isUser() && !m.text().isEmpty()) {
                return m.text();
            }
        }
        return "";
    }

    /** The last message, if any. */
    public Optional<ChatMessage> lastMessage() {
        return messages.isEmpty() ? Optional.empty() : Optional.of(messages.get(messages.size() - 1));
    }

    /**
     * True when this request starts a new turn: its last non-empty message is a user prompt (and not
     * a tool result going back to the model).
     */
    public boolean isNewPrompt() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m.isTool()) {
                return false;
            }
            if (m.isUser() && !m.text().isEmpty()) {
                return true;
            }
            if (m.isAssistant()) {
                return false;
            }
        }
        return false;
    }

    /** The {@code tool} messages (tool results) in this request. */
    public List<ChatMessage> toolMessages() {
        return messages.stream().filter(ChatMessage::isTool).toList();
    }

    @Override
    public String toString() {
        return "ChatRequest{session=" + sessionId() + ", model=" + model + ", stream=" + stream + ", messages="
                + dialog() + "}";
    }
}
