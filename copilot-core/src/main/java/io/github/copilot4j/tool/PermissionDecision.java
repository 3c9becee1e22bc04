package io.github.copilot4j.tool;

/** The answer to a {@link PermissionRequest}. */
public enum PermissionDecision {
    APPROVE_ONCE("approve-once"),
    APPROVE_FOR_SESSION("approve-for-session"),
    REJECT("reject"),
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
