package io.github.copilot4j;

/** Returned by {@code on(...)}: closing it removes the listener. Idempotent. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
