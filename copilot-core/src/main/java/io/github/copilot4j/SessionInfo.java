package io.github.copilot4j;

import java.time.Instant;
import java.util.Set;

/**
 * A session as {@link CopilotClient#listSessions()} reports it.
 *
 * @param sessionId the id
 * @param owner owner from the store, or null
 * @param model model from the store, or null
 * @param summary title/summary (the store's, else the runtime's)
 * @param createdAt when it was created, if known
 * @param lastActivityAt when it last had activity, if known
 * @param knownTo where this session is known: the store, the runtime, or both
 */
public record SessionInfo(
        String sessionId,
        String owner,
        String model,
        String summary,
        Instant createdAt,
        Instant lastActivityAt,
        Set<Source> knownTo) {
    /** Copies the set of places the session is known to. */
    public SessionInfo {
        knownTo = Set.copyOf(knownTo);
    }

    /** Where a session is known. */
    public enum Source {
        /** The client's {@code SessionStore}. */
        STORE,
        /** The runtime's own session list ({@code session.list}). */
        RUNTIME
    }
}
