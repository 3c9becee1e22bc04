package io.github.copilot4j.tool;

/**
 * Decides permission requests of a session (a shell command, a file write, a custom tool...).
 * Called on the client's callback executor, like a {@link ToolHandler} (same per-session limit and
 * deadline). A thrown exception, or no decision within the client's {@code handlerTimeout}, answers
 * "user not available".
 */
@FunctionalInterface
public interface PermissionHandler {
    /** Approves everything once. Only for trusted, sandboxed use. */
    PermissionHandler APPROVE_ALL = request -> PermissionDecision.APPROVE_ONCE;
    /** Rejects everything. */
    PermissionHandler REJECT_ALL = request -> PermissionDecision.REJECT;

    /** Decides one request; runs on the client's callback executor. An exception counts as {@link PermissionDecision#USER_NOT_AVAILABLE}. */
    PermissionDecision decide(PermissionRequest request) throws Exception;
}
