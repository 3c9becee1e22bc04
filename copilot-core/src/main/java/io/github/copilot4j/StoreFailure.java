package io.github.copilot4j;

import java.util.Objects;

/**
 * A session store failure that the client handled on its own (the turn went on; nothing was
 * thrown to the caller), reported to {@link CopilotClient.Builder#onStoreFailure}. Events that
 * could not be saved stay queued in memory and are retried every second; {@link
 * CopilotSession#unsavedEventCount()} says how many are waiting.
 *
 * @param sessionId the session concerned
 * @param kind what failed
 * @param unsavedEvents events of the session not (yet) in the store when this was reported
 * @param cause what the store (or, for {@link Kind#RECONCILE}, the runtime) threw
 */
public record StoreFailure(String sessionId, Kind kind, int unsavedEvents, Throwable cause) {
    /** Checks the required components. */
    public StoreFailure {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(kind, "kind");
    }

    /** What failed. */
    public enum Kind {
        /** Saving events failed; they are kept and retried (reported once per outage and session). */
        SAVE_EVENTS,
        /** Updating the session's record (status, summary, activity) failed; not retried. */
        UPDATE_RECORD,
        /**
         * Events were given up: the store refused their content, more than the in-memory limit
         * waited, or the client was closed before the store came back. The client fills such
         * gaps from the runtime's own history ({@code session.getMessages}) when it can: right
         * away while the session stays open, or when the session is resumed.
         */
        EVENTS_LOST,
        /** Reading the runtime's history to fill gaps in the store failed. */
        RECONCILE
    }
}
