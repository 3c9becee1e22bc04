package io.github.copilot4j.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The library's own threads of one client (besides each connection's reader), so that its timers
 * and the completion of its requests never wait for the threads that run user code: one timer
 * thread ({@code copilot4j-timer}) that only fires deadlines and hands them on, and a small pool
 * ({@code copilot4j-internal}: virtual threads on JDK 21+, else up to {@code maxThreads} daemon
 * threads) that completes request futures and runs the library's own short continuations.
 *
 * <p>User code never runs here: a future handed to the user is completed on the callback executor
 * ({@link #completeOn}). All threads are daemons; {@link #close} stops them.
 */
public final class InternalExecutor implements Executor, AutoCloseable {
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService pool;

    public InternalExecutor(int maxThreads) {
        this.timer = new ScheduledThreadPoolExecutor(1, Executors2.daemonFactory("copilot4j-timer"));
        // A deadline cancelled because what it guards completed is dropped at once, with what it captures.
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.pool = Executors2.defaultExecutor("copilot4j-internal", maxThreads);
    }

    /** Runs {@code task} on the pool; on the calling thread once the pool is shut down, so nothing is lost while closing. */
    @Override
    public void execute(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * Runs {@code task} on the pool after {@code delay}. Cancel the returned future to forget it.
     * After {@link #close} nothing is scheduled any more.
     */
    public Future<?> schedule(Runnable task, Duration delay) {
        try {
            return timer.schedule(() -> execute(task), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * A future that completes like {@code source}, but on {@code executor} (the callback executor),
     * so that what the user chains to it never runs on a library thread; on the completing thread
     * only once {@code executor} refuses work (it was shut down). Cancelling it cancels {@code source}.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // both callbacks only forward the outcome; neither can fail
    public static <T> CompletableFuture<T> completeOn(Executor executor, CompletableFuture<T> source) {
        CompletableFuture<T> out = new CompletableFuture<>();
        source.whenComplete((value, error) -> {
            Runnable complete = () -> {
                if (error != null) {
                    out.completeExceptionally(error);
                } else {
                    out.complete(value);
                }
            };
            try {
                executor.execute(complete);
            } catch (RejectedExecutionException e) {
                complete.run();
            }
        });
        out.whenComplete((value, error) -> {
            if (out.isCancelled()) {
                source.cancel(false);
            }
        });
        return out;
    }

    /** Stops the timer at once and the pool within {@code wait} (then interrupting what still runs). */
    public void close(Duration wait) {
        timer.shutdownNow();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
