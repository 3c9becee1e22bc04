package io.github.copilot4j.spi;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * The position after the last row of a session page ordered by {@code (lastActivityAt DESC,
 * sessionId DESC)}, as an opaque URL-safe string. Stores may use it for their keyset cursors so
 * that cursors look alike everywhere; they may also use their own format.
 */
public record KeysetCursor(Instant lastActivityAt, String sessionId) {
    /** Checks the components. */
    public KeysetCursor {
        Objects.requireNonNull(lastActivityAt, "lastActivityAt");
        Objects.requireNonNull(sessionId, "sessionId");
    }

    /** The cursor for the page after the one that ended with {@code last}. */
    public static KeysetCursor after(SessionRecord last) {
        return new KeysetCursor(last.lastActivityAt(), last.sessionId());
    }

    /** The opaque text form, as handed out in {@code Page.nextCursor()}. */
    public String encode() {
        String raw = lastActivityAt.toEpochMilli() + ":" + sessionId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a cursor made by {@link #encode()}.
     *
     * @throws IllegalArgumentException if {@code cursor} was not made by {@link #encode()}
     */
    public static KeysetCursor decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            return new KeysetCursor(
                    Instant.ofEpochMilli(Long.parseLong(raw.substring(0, colon))), raw.substring(colon + 1));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "Not a session page cursor: '" + cursor + "'; pass the nextCursor of a previous page");
        }
    }

    /** True if a row with these keys comes after this cursor in (lastActivityAt DESC, sessionId DESC) order. */
    public boolean isBefore(Instant rowActivity, String rowId) {
        int c = rowActivity.compareTo(lastActivityAt);
        return c < 0 || (c == 0 && rowId.compareTo(sessionId) < 0);
    }
}
