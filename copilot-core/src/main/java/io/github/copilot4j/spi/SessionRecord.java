package io.github.copilot4j.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * What a store keeps about one session. Immutable; timestamps are truncated to milliseconds.
 *
 * @param sessionId the runtime's session id (non-blank, at most {@value #MAX_ID_LENGTH} chars)
 * @param owner tenant/user the session belongs to, or null
 * @param model model id, or null
 * @param summary title or summary, or null
 * @param createdAt when it was created
 * @param updatedAt when this record last changed
 * @param lastActivityAt when the session last had activity (an event, a send)
 * @param expiresAt when it may be deleted by {@link SessionStore#deleteExpired}, or null for never
 * @param status lifecycle status
 * @param version optimistic-locking version, 1 after create
 * @param config client-side settings that are safe to keep (never tokens or keys)
 */
public record SessionRecord(
        String sessionId,
        String owner,
        String model,
        String summary,
        Instant createdAt,
        Instant updatedAt,
        Instant lastActivityAt,
        Instant expiresAt,
        SessionStatus status,
        long version,
        Map<String, String> config) {

    /** Longest session id a store must accept. */
    public static final int MAX_ID_LENGTH = 256;

    /** Validates the components and truncates the timestamps to milliseconds. */
    public SessionRecord {
        Objects.requireNonNull(sessionId, "sessionId");
        if (sessionId.isBlank() || sessionId.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("sessionId must be 1.." + MAX_ID_LENGTH + " non-blank characters");
        }
        Objects.requireNonNull(createdAt, "createdAt");
        createdAt = createdAt.truncatedTo(ChronoUnit.MILLIS);
        updatedAt = updatedAt == null ? createdAt : updatedAt.truncatedTo(ChronoUnit.MILLIS);
        lastActivityAt = lastActivityAt == null ? createdAt : lastActivityAt.truncatedTo(ChronoUnit.MILLIS);
        expiresAt = expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MILLIS);
        status = status == null ? SessionStatus.ACTIVE : status;
        config = config == null ? Map.of() : Map.copyOf(config);
    }

    /** A fresh record for a new session, created now. */
    public static SessionRecord newSession(String sessionId, String owner, String model, Instant now) {
        return new SessionRecord(sessionId, owner, model, null, now, now, now, null, SessionStatus.ACTIVE, 0, Map.of());
    }

    /** A copy with another summary. */
    public SessionRecord withSummary(String newSummary) {
        return new SessionRecord(
                sessionId,
                owner,
                model,
                newSummary,
                createdAt,
                updatedAt,
                lastActivityAt,
                expiresAt,
                status,
                version,
                config);
    }

    /** A copy with another status. */
    public SessionRecord withStatus(SessionStatus newStatus) {
        return new SessionRecord(
                sessionId,
                owner,
                model,
                summary,
                createdAt,
                updatedAt,
                lastActivityAt,
                expiresAt,
                newStatus,
                version,
                config);
    }

    /** A copy with another model. */
    public SessionRecord withModel(String newModel) {
        return new SessionRecord(
                sessionId,
                owner,
                newModel,
                summary,
                createdAt,
                updatedAt,
                lastActivityAt,
                expiresAt,
                status,
                version,
                config);
    }

    /** A copy with another expiry time. */
    public SessionRecord withExpiresAt(Instant newExpiresAt) {
        return new SessionRecord(
                sessionId,
                owner,
                model,
                summary,
                createdAt,
                updatedAt,
                lastActivityAt,
                newExpiresAt,
                status,
                version,
                config);
    }

    /** A copy with another last activity time. */
    public SessionRecord withLastActivityAt(Instant at) {
        return new SessionRecord(
                sessionId, owner, model, summary, createdAt, updatedAt, at, expiresAt, status, version, config);
    }

    /** A copy with another update time. */
    public SessionRecord withUpdatedAt(Instant at) {
        return new SessionRecord(
                sessionId, owner, model, summary, createdAt, at, lastActivityAt, expiresAt, status, version, config);
    }

    /** A copy with another config. */
    public SessionRecord withConfig(Map<String, String> newConfig) {
        return new SessionRecord(
                sessionId,
                owner,
                model,
                summary,
                createdAt,
                updatedAt,
                lastActivityAt,
                expiresAt,
                status,
                version,
                newConfig);
    }

    /** A copy with another version. */
    public SessionRecord withVersion(long newVersion) {
        return new SessionRecord(
                sessionId,
                owner,
                model,
                summary,
                createdAt,
                updatedAt,
                lastActivityAt,
                expiresAt,
                status,
                newVersion,
                config);
    }
}
