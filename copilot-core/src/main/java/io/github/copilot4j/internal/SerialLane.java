package io.github.copilot4j.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor. Each session has its own
 * lanes, so a session's events stay in order while different sessions run in parallel; a lane
 * holds a thread only while it has work, so threads do not grow with the number of sessions.
 * A task that throws is logged and the lane goes on.
 */
public final class SerialLane implements Executor {
    private static final Logger log = LoggerFactory.getLogger(SerialLane.class);
    private static final int BATCH = 256;

    private final Executor executor;
    private final String name;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    public SerialLane(Executor executor, String name) {
        this.executor = executor;
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        queue.add(task);
        if (size.getAndIncrement() == 0) {
            schedule();
        }
    }

    /** Tasks queued or running. */
    public int backlog() {
        return size.get();
    }

    private void schedule() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The executor is shut down: run here so nothing queued is silently lost.
            drain();
        }
    }

    private void drain() {
        int done = 0;
        while (true) {
            Runnable task = queue.poll();
            if (task == null) {
                // size was incremented before the task was visible; spin until it appears
                Thread.onSpinWait();
                continue;
            }
            try {
                task.run();
            } catch (Throwable t) {
                log.warn("A task on lane {} failed", name, t);
            }
            if (size.decrementAndGet() == 0) {
                return;
            }
            if (++done >= BATCH) {
                // Yield the thread so other lanes get a turn; resume later.
                schedule();
                return;
            }
        }
    }
}
