package io.github.copilot4j.transport.stdio;

import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs the Copilot CLI as a child process and talks JSON-RPC over its stdin/stdout: {@code <cli>
 * [extra args…] --headless --no-auto-update [--log-level L] --stdio [--auth-token-env
 * COPILOT_SDK_AUTH_TOKEN] [--no-auto-login]}.
 *
 * <pre>{@code
 * Transport t = StdioTransport.builder()
 *         .githubToken(token)            // env COPILOT_SDK_AUTH_TOKEN, never on the command line
 *         .workingDirectory(Path.of("work"))
 *         .build();
 * }</pre>
 *
 * <p>Each {@link #open()} starts a new process (the CLI is found by {@link CliLocator} unless a
 * path is given). The channel forwards the CLI's stderr to SLF4J (logger {@value
 * CliProcess#CLI_LOGGER}) and keeps its last lines; {@code describeTermination} reports the exit
 * code or signal with those lines; {@code close(grace)} closes stdin, waits, then ends the process
 * and only its own descendants (SIGTERM, then SIGKILL), all within {@code grace}.
 *
 * <p>Immutable and thread-safe; {@link #open()} runs on the caller's thread and returns right
 * after the process started (the CLI reads stdin from the start).
 */
public final class StdioTransport implements Transport {
    private final CliLauncher launcher;
    private volatile Path lastCli;

    private StdioTransport(CliLauncher launcher) {
        this.launcher = launcher;
    }

    /** A builder with the defaults (the CLI is found by {@link CliLocator}). */
    public static Builder builder() {
        return new Builder();
    }

    /** A stdio transport with every default: the CLI found by the locator, inherited environment. */
    public static StdioTransport create() {
        return builder().build();
    }

    /** The launch options (shared with other transports that spawn the CLI). */
    public CliLauncher launcher() {
        return launcher;
    }

    @Override
    public TransportChannel open() throws IOException {
        CliProcess process = launcher.launch(List.of("--stdio"), Map.of(), null);
        lastCli = process.cliPath();
        return new StdioChannel(process, launcher.shutdownGrace());
    }

    @Override
    public String describe() {
        Path cli = lastCli;
        return "stdio:" + (cli != null ? cli.toString() : launcher.describe());
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Options of a {@link StdioTransport}; see {@link CliLauncher.BaseBuilder} for each one. */
    public static final class Builder extends CliLauncher.BaseBuilder<Builder> {
        private Builder() {}

        /** Builds the transport. */
        public StdioTransport build() {
            return new StdioTransport(buildLauncher());
        }
    }
}
