package io.github.copilot4j.spi;

/** Lifecycle status of a stored session. */
public enum SessionStatus {
    /** A client is attached to it. */
    ACTIVE,
    /** Detached ({@code close()}): its state is kept and it can be resumed. */
    DETACHED
}
