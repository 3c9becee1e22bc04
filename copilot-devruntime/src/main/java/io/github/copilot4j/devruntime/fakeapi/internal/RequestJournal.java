package io.github.copilot4j.devruntime.fakeapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.copilot4j.devruntime.fakeapi.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The thread-safe list of requests a fake received, in arrival order, with credential headers
 * redacted before anything is stored. Any thread may record, read or wait. Internal.
 */
public final class RequestJournal {

    /** What replaces a credential; the auth scheme (e.g. {@code Bearer}) is kept. */
    public static final String REDACTED = "[REDACTED]";

    private static final int MAX_BODY_TEXT = 8192;

    private final Object lock = new Object();
    private final List<RecordedRequest> requests = new ArrayList<>();
    private long sequence;

    /** Records a request; {@code rawHeaders} may hold secrets, only redacted values are kept. */
    public RecordedRequest record(
            String method,
            String target,
            String path,
            Map<String, List<String>> rawHeaders,
            byte[] body,
            boolean blocked) {
        Map<String, String> headers = new LinkedHashMap<>();
        rawHeaders.forEach((name, values) -> {
            if (name == null) {
                return;
            }
            String key = name.toLowerCase(Locale.ROOT);
            String value = String.join(", ", values);
            headers.merge(key, redact(key, value), (a, b) -> a + ", " + b);
        });
        JsonNode json = Json.parseOrNull(body);
        String text = null;
        if (json.isNull() && body != null && body.length > 0) {
            String s = new String(body, StandardCharsets.UTF_8);
            text = s.length() > MAX_BODY_TEXT ? s.substring(0, MAX_BODY_TEXT) + "...<truncated>" : s;
        }
        synchronized (lock) {
            RecordedRequest r =
                    new RecordedRequest(++sequence, Instant.now(), method, target, path, headers, json, text, blocked);
            requests.add(r);
            lock.notifyAll();
            return r;
        }
    }

    /** True for headers that carry credentials: their values are never stored or logged. */
    public static boolean isSecretHeader(String lowerCaseName) {
        return lowerCaseName.equals("authorization")
                || lowerCaseName.equals("proxy-authorization")
                || lowerCaseName.contains("cookie")
                || lowerCaseName.contains("token")
                || lowerCaseName.contains("secret")
                || lowerCaseName.contains("api-key")
                || lowerCaseName.contains("apikey")
                || lowerCaseName.contains("password");
    }

    static String redact(String lowerCaseName, String value) {
        if (!isSecretHeader(lowerCaseName)) {
            return value;
        }
        int space = value.indexOf(' ');
        if ((lowerCaseName.equals("authorization") || lowerCaseName.equals("proxy-authorization"))
                && space > 0
                && space < 20) {
            return value.substring(0, space) + " " + REDACTED;
        }
        return REDACTED;
    }

    public List<RecordedRequest> snapshot() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    public void clear() {
        synchronized (lock) {
            requests.clear();
        }
    }

    /** Waits until a recorded request (also one recorded before the call) matches, or the timeout passes. */
    public Optional<RecordedRequest> await(Predicate<RecordedRequest> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            int checked = 0;
            while (true) {
                if (checked > requests.size()) {
                    checked = 0; // cleared meanwhile
                }
                for (; checked < requests.size(); checked++) {
                    if (condition.test(requests.get(checked))) {
                        return Optional.of(requests.get(checked));
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                lock.wait(Math.max(1, left / 1_000_000), 0);
            }
        }
    }
}
