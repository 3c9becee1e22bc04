package io.github.copilot4j.store.jdbc.internal;

import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionRecord;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks of values before they reach SQL, so that bad input is refused with an {@link
 * IllegalArgumentException} that says what is wrong instead of a database error. Everything is
 * bound as a parameter anyway; these checks are about what the databases can store faithfully:
 * PostgreSQL text cannot hold U+0000, and an unpaired UTF-16 surrogate cannot be encoded as UTF-8
 * (it would be stored as '?' and two different ids could collide).
 */
public final class Inputs {

    /** Longest owner, event id and session id the schema stores. */
    public static final int MAX_KEY_LENGTH = 256;

    private Inputs() {}

    public static String sessionId(String id) {
        Objects.requireNonNull(id, "sessionId");
        if (id.length() > SessionRecord.MAX_ID_LENGTH) {
            throw new IllegalArgumentException("sessionId is " + id.length() + " characters long; at most "
                    + SessionRecord.MAX_ID_LENGTH + " are allowed");
        }
        return text("sessionId", id);
    }

    public static String owner(String owner) {
        if (owner != null && owner.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "owner is " + owner.length() + " characters long; at most " + MAX_KEY_LENGTH + " are allowed");
        }
        return text("owner", owner);
    }

    public static void record(SessionRecord r) {
        Objects.requireNonNull(r, "record");
        sessionId(r.sessionId());
        owner(r.owner());
        text("model", r.model());
        text("summary", r.summary());
        for (Map.Entry<String, String> e : r.config().entrySet()) {
            text("config key", e.getKey());
            text("config value of '" + e.getKey() + "'", e.getValue());
        }
    }

    public static void events(List<NewEvent> events) {
        Objects.requireNonNull(events, "events");
        for (NewEvent e : events) {
            Objects.requireNonNull(e, "events must not contain null");
            if (e.eventId().length() > MAX_KEY_LENGTH) {
                throw new IllegalArgumentException("eventId is " + e.eventId().length() + " characters long; at most "
                        + MAX_KEY_LENGTH + " are allowed");
            }
            text("eventId", e.eventId());
            text("event type", e.type());
            text("parentId", e.parentId());
            text("agentId", e.agentId());
            text("event data", e.dataJson());
        }
    }

    public static int nonNegative(String what, int n) {
        if (n < 0) {
            throw new IllegalArgumentException(what + " must not be negative, was " + n);
        }
        return n;
    }

    /** Refuses U+0000 and unpaired surrogates; returns {@code s}. */
    public static String text(String what, String s) {
        if (s == null) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u0000') {
                throw new IllegalArgumentException(what + " contains the NUL character (U+0000) at index " + i
                        + ", which SQL databases cannot store as text");
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " contains an unpaired UTF-16 surrogate at index " + i
                        + "; it is not valid Unicode text");
            }
        }
        return s;
    }
}
