package io.github.copilot4j.tool;

/** The answer to a {@link PermissionRequest}. */
public enum PermissionDecision {
    /** Allow this request only. */
    APPROVE_ONCE("approve-once"),
    /** Allow this request and like ones for the rest of the session. */
    APPROVE_FOR_SESSION("approve-for-session"),
    /** Refuse the request. */
    REJECT("reject"),
    /** No one can answer; the runtime treats it as refused. */
    USER_NOT_AVAILABLE("user-not-available");

    private final String wireName;

    PermissionDecision(String wireName) {
        this.wireName = wireName;
    }

    /** The {@code kind} sent to the runtime. */
    public String wireName() {
        return wireName;
    }
}
