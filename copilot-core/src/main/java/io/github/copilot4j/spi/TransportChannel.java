package io.github.copilot4j.spi;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * One open duplex byte channel to a runtime, plus the process or socket behind it.
 *
 * <p>Threading: the client reads {@link #input()} from exactly one reader thread and writes
 * {@link #output()} from one writer at a time (writes are serialized by the client). {@link
 * #close(Duration)} may be called from any thread, at most once at a time; it must be idempotent.
 */
public interface TransportChannel extends AutoCloseable {

    /** Bytes from the runtime (its stdout, or the socket's input). */
    InputStream input();

    /** Bytes to the runtime (its stdin, or the socket's output). */
    OutputStream output();

    /**
     * The connection token to send in the {@code connect} handshake, if this channel needs one
     * (TCP with a shared secret). Never logged by the client.
     */
    default Optional<String> connectionToken() {
        return Optional.empty();
    }

    /**
     * Whether the client owns the runtime behind this channel (spawned it) and so should ask it to
     * shut down ({@code runtime.shutdown}) before closing. False for an external shared server.
     */
    boolean ownsRuntime();

    /**
     * Called by the client after {@link #input()} reached end-of-stream or failed. Describes why the
     * channel ended, naming the cause and the next step: for a process its exit code or signal and
     * the last lines it wrote to stderr; for a socket the error. May wait up to {@code wait} for a
     * process to finish exiting. Must never contain secrets.
     *
     * @param readError the exception the reader saw, or null on a clean end-of-stream
     */
    String describeTermination(Throwable readError, Duration wait);

    /** True while the process/socket behind this channel is still alive. */
    boolean isAlive();

    /**
     * Closes the channel: closes the output (stdin EOF / socket shutdown), waits for the peer to go,
     * then ends the process and only its own descendants, and releases every thread this channel
     * started. {@code grace} bounds the whole close, process tree included: every step gets only
     * what is left of it, and what still runs when it is spent is killed (SIGKILL), so the client's
     * {@code closeTimeout} holds even for a process that ignores everything (a stopped one).
     * Idempotent; never throws.
     */
    void close(Duration grace);

    /** Closes with a default grace period of a few seconds. */
    @Override
    default void close() {
        close(Duration.ofSeconds(5));
    }
}
