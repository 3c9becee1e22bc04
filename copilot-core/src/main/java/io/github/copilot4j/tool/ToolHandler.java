package io.github.copilot4j.tool;

/**
 * Runs a client-side tool. Called on the client's callback executor (never the reader thread), so
 * it may block; one slow tool does not delay other sessions' events. At most {@code
 * maxConcurrentHandlersPerSession} handlers of one session run at once. A call that has not
 * returned within the client's {@code handlerTimeout} is reported to the model as a failed call,
 * and the thread is interrupted: stop when interrupted, since what is returned later is dropped.
 *
 * <p>Return a {@link String} (given to the model as is) or any other object (serialized to JSON).
 * A thrown exception is reported to the model as a failed tool call with the exception's message.
 */
@FunctionalInterface
public interface ToolHandler {
    /** Runs the tool on the client's callback executor; a String result is passed as is, anything else as JSON. An exception becomes a failed tool result that names it. */
    Object handle(ToolInvocation invocation) throws Exception;
}
