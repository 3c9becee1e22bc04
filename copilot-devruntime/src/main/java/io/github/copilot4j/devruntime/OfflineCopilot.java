package io.github.copilot4j.devruntime;

import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.transport.stdio.StdioTransport;
import io.github.copilot4j.transport.tcp.TcpTransport;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The real Copilot CLI, offline: a {@link FakeCopilotApi} on loopback, the pinned CLI (installed with
 * npm into the shared cache if missing) and an {@link IsolatedCliEnvironment} pointing the CLI at the
 * fake. Hands out ready transports; each {@code open()} of a transport starts a CLI process in the
 * same isolated home, so a new client on the same {@code OfflineCopilot} sees the sessions of the
 * previous one.
 *
 * <pre>{@code
 * try (OfflineCopilot offline = OfflineCopilot.start();
 *      CopilotClient client = CopilotClient.builder().transport(offline.stdioTransport()).build()) {
 *     client.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the fake and deletes the temporary home (not the shared CLI cache, nor a
 * home given to the builder). Close the clients first.
 */
public final class OfflineCopilot implements AutoCloseable {
    private final FakeCopilotApi fakeApi;
    private final boolean ownsFakeApi;
    private final IsolatedCliEnvironment environment;
    private final Path cliPath;

    private OfflineCopilot(Builder b) {
        this.cliPath = b.cliPath != null ? b.cliPath : CopilotCliInstaller.ensureInstalled();
        this.ownsFakeApi = b.fakeApi == null;
        this.fakeApi = b.fakeApi != null ? b.fakeApi : FakeCopilotApi.start();
        try {
            IsolatedCliEnvironment.Builder env = IsolatedCliEnvironment.builder(fakeApi);
            if (b.copilotHome != null) {
                env.reuseCopilotHome(b.copilotHome);
            }
            if (b.workDir != null) {
                env.workDir(b.workDir);
            }
            this.environment = env.build();
        } catch (RuntimeException e) {
            if (ownsFakeApi) {
                fakeApi.close();
            }
            throw e;
        }
    }

    /** Fake API, installed CLI and a fresh isolated home, all defaults. */
    public static OfflineCopilot start() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The fake Copilot API the CLI talks to: script replies and read the model requests here. */
    public FakeCopilotApi fakeApi() {
        return fakeApi;
    }

    /** The isolated environment (home directories, env map). */
    public IsolatedCliEnvironment environment() {
        return environment;
    }

    /** The native CLI binary used. */
    public Path cliPath() {
        return cliPath;
    }

    /** A transport that spawns the CLI over stdio in the isolated environment. */
    public StdioTransport stdioTransport() {
        return stdioBuilder().build();
    }

    /** A stdio builder pre-set for the isolated environment, to add options. */
    public StdioTransport.Builder stdioBuilder() {
        return StdioTransport.builder()
                .cliPath(cliPath)
                .environment(environment.env())
                .workingDirectory(environment.workDir())
                .extraArgs(environment.cliArgs());
    }

    /** A transport that spawns the CLI as a TCP server (random port and connection token) in the isolated environment. */
    public TcpTransport tcpTransport() {
        return tcpBuilder().build();
    }

    /** A TCP spawn builder pre-set for the isolated environment, to add options. */
    public TcpTransport.SpawnBuilder tcpBuilder() {
        return TcpTransport.spawn()
                .cliPath(cliPath)
                .environment(environment.env())
                .workingDirectory(environment.workDir())
                .extraArgs(environment.cliArgs());
    }

    @Override
    public void close() {
        try {
            environment.close();
        } finally {
            if (ownsFakeApi) {
                fakeApi.close();
            }
        }
    }

    /** Configures an {@link OfflineCopilot}. */
    public static final class Builder {
        private FakeCopilotApi fakeApi;
        private Path copilotHome;
        private Path workDir;
        private Path cliPath;

        private Builder() {}

        /** Use this fake (the caller closes it) instead of starting one. */
        public Builder fakeApi(FakeCopilotApi fake) {
            this.fakeApi = Objects.requireNonNull(fake, "fake");
            return this;
        }

        /** Keep the CLI's state in this directory (kept after close), e.g. to resume sessions in a later run. */
        public Builder copilotHome(Path dir) {
            this.copilotHome = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The CLI's working directory (kept after close). */
        public Builder workDir(Path dir) {
            this.workDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Use this CLI binary instead of the installed pinned one. */
        public Builder cliPath(Path cli) {
            this.cliPath = Objects.requireNonNull(cli, "cli");
            return this;
        }

        /** Starts the fake API (unless one was given), installs the CLI if needed and creates the isolated home. */
        public OfflineCopilot build() {
            return new OfflineCopilot(this);
        }
    }
}
