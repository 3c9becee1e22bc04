package io.github.copilot4j.transport.stdio;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * The channel of {@link StdioTransport}: the CLI's stdout is the input, its stdin the output.
 *
 * <p>Threading: as {@link io.github.copilot4j.spi.TransportChannel} says: one reader, serialized
 * writers; {@link #close(Duration)} from any thread, idempotent (a concurrent second call waits
 * for the first). The stderr drain thread belongs to the {@link CliProcess}.
 */
final class StdioChannel implements io.github.copilot4j.spi.TransportChannel {
    private final CliProcess process;
    private final Duration defaultGrace;

    StdioChannel(CliProcess process, Duration defaultGrace) {
        this.process = process;
        this.defaultGrace = defaultGrace;
    }

    /** The process behind this channel (tests, diagnostics). */
    CliProcess process() {
        return process;
    }

    @Override
    public InputStream input() {
        return process.stdout();
    }

    @Override
    public OutputStream output() {
        return process.stdin();
    }

    @Override
    public boolean ownsRuntime() {
        return true;
    }

    @Override
    public String describeTermination(Throwable readError, Duration wait) {
        return process.describeTermination(readError, wait == null ? Duration.ZERO : wait);
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Closes stdin (the CLI exits on EOF) and waits, then SIGTERM, then SIGKILL of the process tree:
     * all within {@code grace} (see {@link CliProcess#stopWithin(Duration, boolean)}).
     */
    @Override
    public void close(Duration grace) {
        process.stopWithin(grace == null ? defaultGrace : grace, true);
    }

    /** Closes with the transport's configured shutdown grace. */
    @Override
    public void close() {
        close(defaultGrace);
    }

    @Override
    public String toString() {
        return "stdio channel to " + process;
    }
}
