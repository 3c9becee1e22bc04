package io.github.copilot4j.internal;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one session's handlers (tool and permission handlers: user code) and sends their answers to
 * the runtime, with two limits so that they cannot stall the client:
 *
 * <ul>
 *   <li>at most {@code maxConcurrent} of them run at once, on the callback executor; the others
 *       wait in order ({@link BoundedLane});
 *   <li>each has a deadline from the moment it is submitted: a call that has not finished by then
 *       (running or still waiting) is answered with its timeout answer instead, the thread running
 *       it is interrupted, and what it returns later is dropped. A waiting call whose deadline
 *       passed never starts.
 * </ul>
 *
 * <p>Threading: {@link #submit} is called on the connection's reader thread and returns at once.
 * The handler runs on the callback executor; the timeout answer is built and sent on the
 * library's own threads ({@link InternalExecutor}), so it must not call user code. Each call is
 * answered exactly once.
 */
public final class HandlerRunner {
    private static final Logger log = LoggerFactory.getLogger(HandlerRunner.class);

    private final BoundedLane lane;
    private final InternalExecutor timers;
    private final Duration timeout;

    public HandlerRunner(
            Executor callbacks, InternalExecutor timers, int maxConcurrent, Duration timeout, String name) {
        this.lane = new BoundedLane(callbacks, maxConcurrent, name);
        this.timers = timers;
        this.timeout = timeout;
    }

    /** The deadline of each call. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs {@code handler} (which must not throw: it turns the user's failure into an answer) and
     * sends what it returns with {@code answer}; or, at the deadline, sends {@code onTimeout}'s answer.
     */
    public <T> void submit(Supplier<T> handler, Supplier<T> onTimeout, Consumer<T> answer) {
        Call call = new Call();
        Future<?> deadline = timers.schedule(
                () -> {
                    if (call.claim()) {
                        call.interruptRunner();
                        answer.accept(onTimeout.get());
                    }
                },
                timeout);
        lane.execute(() -> {
            if (call.isClaimed()) {
                return; // answered at its deadline while it waited for a thread
            }
            T result;
            call.enter();
            try {
                result = handler.get();
            } finally {
                call.exit();
            }
            if (call.claim()) {
                deadline.cancel(false);
                answer.accept(result);
            } else {
                log.debug(
                        "A handler returned after its deadline of {} ms; its answer was already sent",
                        timeout.toMillis());
            }
        });
    }

    /** One call: answered once (by the handler or its deadline); the thread running it, for the interrupt. */
    private static final class Call {
        private boolean claimed;
        private Thread runner;
        private boolean interrupted;

        synchronized boolean claim() {
            if (claimed) {
                return false;
            }
            claimed = true;
            return true;
        }

        synchronized boolean isClaimed() {
            return claimed;
        }

        synchronized void enter() {
            runner = Thread.currentThread();
        }

        synchronized void exit() {
            runner = null;
            if (interrupted) {
                // The interrupt was for the handler: do not leave it on a pooled thread.
                Thread.interrupted();
            }
        }

        synchronized void interruptRunner() {
            if (runner != null) {
                interrupted = true;
                runner.interrupt();
            }
        }
    }
}
