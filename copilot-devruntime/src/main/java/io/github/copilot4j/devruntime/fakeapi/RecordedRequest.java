package io.github.copilot4j.devruntime.fakeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request that reached a {@link FakeCopilotApi}, as recorded when it arrived (before the
 * reply was sent, so a test can see a request whose reply is still delayed).
 *
 * @param sequence 1-based arrival order across the whole fake
 * @param receivedAt when the request arrived
 * @param method HTTP method, upper case ({@code CONNECT} for proxy tunnels)
 * @param target the request target as sent: a path with query, an absolute URI (proxy request) or
 *     {@code host:port} (CONNECT)
 * @param path the path without query ({@code /chat/completions}); for a proxy request the target host
 *     and path; never null
 * @param headers request headers with lower-case names (repeated headers joined with {@code ", "});
 *     credentials ({@code authorization}, {@code proxy-authorization}, cookies, tokens, keys) are
 *     redacted and never stored
 * @param body the body parsed as JSON (gzip/deflate decoded), or {@link NullNode} when empty or not JSON
 * @param bodyText the decoded body as text when it is not JSON (truncated), else null
 * @param blockedByProxySink true when this was an attempt to leave loopback through the proxy sink
 *     (CONNECT or absolute-URI request); it was answered 403 and went nowhere
 */
public record RecordedRequest(
        long sequence,
        Instant receivedAt,
        String method,
        String target,
        String path,
        Map<String, String> headers,
        JsonNode body,
        String bodyText,
        boolean blockedByProxySink) {

    /** Checks the required components. */
    public RecordedRequest {
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(path, "path");
        headers = Map.copyOf(headers);
        body = body == null ? NullNode.getInstance() : body;
    }

    /** The header's (redacted) value, looked up case-insensitively. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /**
     * The Copilot session id the CLI sent in {@code x-client-session-id} (model requests carry it),
     * or null.
     */
    public String clientSessionId() {
        return headers.get("x-client-session-id");
    }

    /** True when this request has a JSON body. */
    public boolean hasJsonBody() {
        return !body.isNull() && !body.isMissingNode();
    }

    @Override
    public String toString() {
        return "#" + sequence + " " + method + " " + target + (blockedByProxySink ? " (blocked by proxy sink)" : "");
    }
}
