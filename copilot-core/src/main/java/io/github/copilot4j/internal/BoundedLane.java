package io.github.copilot4j.internal;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on a shared executor, at most {@code maxConcurrent} at a time; the others wait in
 * submission order. Each session has its own, so that its handlers cannot take every thread of a
 * bounded pool. A thread that finishes a task takes the next waiting one. A task that throws is
 * logged and the lane goes on. Once the executor refuses work (it was shut down), tasks are dropped
 * and logged: they must not run on the submitting thread (the connection's reader).
 */
public final class BoundedLane implements Executor {
    private static final Logger log = LoggerFactory.getLogger(BoundedLane.class);

    private final Executor executor;
    private final int maxConcurrent;
    private final String name;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private int running;

    public BoundedLane(Executor executor, int maxConcurrent, String name) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1");
        }
        this.executor = executor;
        this.maxConcurrent = maxConcurrent;
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            if (running >= maxConcurrent) {
                waiting.add(task);
                return;
            }
            running++;
        }
        try {
            executor.execute(() -> runFrom(task));
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                running--;
            }
            log.debug("Lane {}: the executor is shut down; a task was dropped", name);
        }
    }

    /** Tasks running now. */
    public synchronized int running() {
        return running;
    }

    /** Tasks waiting for a turn. */
    public synchronized int waiting() {
        return waiting.size();
    }

    private void runFrom(Runnable first) {
        Runnable task = first;
        while (task != null) {
            try {
                task.run();
            } catch (Throwable t) {
                log.warn("A task on lane {} failed", name, t);
            }
            synchronized (this) {
                task = waiting.poll();
                if (task == null) {
                    running--;
                }
            }
        }
    }
}
