package io.github.copilot4j.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Timeouts that are forgotten as soon as what they guard completes. A plain delayed task would
 * keep its captures (a connection with its buffers, a call's result) reachable until the timeout
 * elapses, even when the call finished long before; with long timeouts and many calls that adds
 * up. The action runs on {@code executor}. When that is the client's {@link InternalExecutor}, its
 * own timer fires the deadline (so no thread that user code can occupy delays it); otherwise the
 * JDK's shared delay thread does.
 */
public final class Deadlines {
    private Deadlines() {}

    /** Runs {@code action} on {@code executor} after {@code timeout}, unless {@code watched} completes first. */
    @SuppressWarnings(
            "FutureReturnValueIgnored") // the callbacks only cancel or complete a deadline; the action's own failure is
    // the caller's to handle
    public static void onTimeout(CompletableFuture<?> watched, Duration timeout, Executor executor, Runnable action) {
        if (executor instanceof InternalExecutor internal) {
            Future<?> task = internal.schedule(action, timeout);
            // Cancelling removes the scheduled task, and what it captures, at once.
            watched.whenComplete((r, e) -> task.cancel(false));
            return;
        }
        CompletableFuture<Boolean> deadline = new CompletableFuture<>();
        deadline.completeOnTimeout(Boolean.TRUE, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        deadline.thenAcceptAsync(
                fired -> {
                    if (fired) {
                        action.run();
                    }
                },
                executor);
        // Completing the deadline early cancels (and removes) its scheduled task.
        watched.whenComplete((r, e) -> deadline.complete(Boolean.FALSE));
    }
}
