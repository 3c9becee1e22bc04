package io.github.copilot4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HandlerRunnerTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final ExecutorService single = Executors.newSingleThreadExecutor();
    private final InternalExecutor internal = new InternalExecutor(2);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        single.shutdownNow();
        internal.close();
    }

    @Test
    void aLaneRunsAtMostItsLimitAtOnceAndTheRestInTurn() throws Exception {
        BoundedLane lane = new BoundedLane(pool, 2, "test");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(6);
        for (int i = 0; i < 6; i++) {
            lane.execute(() -> {
                max.accumulateAndGet(running.incrementAndGet(), Math::max);
                started.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.decrementAndGet();
                done.countDown();
            });
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertEquals(2, lane.running());
        assertEquals(4, lane.waiting());
        release.countDown();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(2, max.get());
    }

    @Test
    void aHandlerPastItsDeadlineIsAnsweredOnceInterruptedAndItsLateResultDropped() throws Exception {
        HandlerRunner runner = new HandlerRunner(single, internal, 1, Duration.ofMillis(300), "test");
        List<String> answers = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> firstAnswer = new CompletableFuture<>();
        CountDownLatch interrupted = new CountDownLatch(1);
        runner.submit(
                () -> {
                    try {
                        new CountDownLatch(1).await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                    }
                    return "late";
                },
                () -> "timed out",
                a -> {
                    answers.add(a);
                    firstAnswer.complete(a);
                });
        assertEquals("timed out", firstAnswer.get(10, TimeUnit.SECONDS));
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the handler's thread was interrupted");
        // The next call on the same (single) thread runs after the first one was dropped, not interrupted.
        CompletableFuture<Boolean> nextSawInterrupt = new CompletableFuture<>();
        runner.submit(() -> Thread.currentThread().isInterrupted(), () -> null, nextSawInterrupt::complete);
        assertFalse(nextSawInterrupt.get(10, TimeUnit.SECONDS), "the interrupt was for the handler only");
        assertEquals(List.of("timed out"), answers);
    }

    @Test
    void aCallWhoseDeadlinePassesWhileItWaitsNeverStarts() throws Exception {
        HandlerRunner runner = new HandlerRunner(pool, internal, 1, Duration.ofMillis(300), "test");
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> blockerAnswer = new CompletableFuture<>();
        runner.submit(
                () -> {
                    boolean interrupted = false;
                    while (release.getCount() > 0) {
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            interrupted = true; // ignores interrupts, like a badly behaved handler
                        }
                    }
                    return interrupted ? "interrupted" : "released";
                },
                () -> "blocker timed out",
                blockerAnswer::complete);
        AtomicInteger queuedRan = new AtomicInteger();
        CompletableFuture<String> queuedAnswer = new CompletableFuture<>();
        runner.submit(
                () -> {
                    queuedRan.incrementAndGet();
                    return "ran";
                },
                () -> "queued timed out",
                queuedAnswer::complete);
        assertEquals("blocker timed out", blockerAnswer.get(10, TimeUnit.SECONDS));
        assertEquals("queued timed out", queuedAnswer.get(10, TimeUnit.SECONDS));
        release.countDown();
        CompletableFuture<String> after = new CompletableFuture<>();
        runner.submit(() -> "after", () -> "after timed out", after::complete);
        assertEquals("after", after.get(10, TimeUnit.SECONDS));
        assertEquals(0, queuedRan.get(), "a call answered at its deadline while waiting never runs");
    }

    @Test
    void futuresForUsersCompleteOnTheGivenExecutor() throws Exception {
        ExecutorService user = Executors.newSingleThreadExecutor(r -> new Thread(r, "user-callback"));
        try {
            CompletableFuture<String> source = new CompletableFuture<>();
            CompletableFuture<String> forUser = InternalExecutor.completeOn(user, source);
            CompletableFuture<String> thread =
                    forUser.thenApply(v -> Thread.currentThread().getName());
            internal.execute(() -> source.complete("x"));
            assertEquals("user-callback", thread.get(10, TimeUnit.SECONDS));
            CompletableFuture<String> cancelled = new CompletableFuture<>();
            InternalExecutor.completeOn(user, cancelled).cancel(false);
            assertTrue(cancelled.isCancelled(), "cancelling the user's future cancels the source");
        } finally {
            user.shutdownNow();
        }
    }
}
