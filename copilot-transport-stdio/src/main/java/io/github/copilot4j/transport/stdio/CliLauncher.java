package io.github.copilot4j.transport.stdio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to start the Copilot CLI: executable, extra arguments, environment, working directory,
 * GitHub token, login and log-level flags, and how long to wait when stopping it. Shared by {@link
 * StdioTransport} and the TCP transport's spawn mode, which add their mode flags ({@code --stdio},
 * {@code --port N}); public for that reason, applications configure it through those builders.
 *
 * <p>The command line is {@code <cli> [extra args…] --headless --no-auto-update [--log-level L]
 * <mode flags…> [--auth-token-env COPILOT_SDK_AUTH_TOKEN] [--no-auto-login]}; a {@code .js} CLI
 * runs as {@code node <cli> …}. The GitHub token travels only in the child's environment ({@code
 * COPILOT_SDK_AUTH_TOKEN}, named by {@code --auth-token-env}), never on the command line, and no
 * environment value is ever logged.
 *
 * <p>Immutable and thread-safe; {@link #launch} runs on the caller's thread and returns once the
 * process has been started.
 */
public final class CliLauncher {
    /** The env var that carries the GitHub token to the CLI (named by {@code --auth-token-env}). */
    public static final String AUTH_TOKEN_ENV = "COPILOT_SDK_AUTH_TOKEN";
    /** The env var that carries the TCP connection token to the CLI. */
    public static final String CONNECTION_TOKEN_ENV = "COPILOT_CONNECTION_TOKEN";
    /** Default grace period when stopping the CLI. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);
    /** Default number of stderr lines kept for error messages. */
    public static final int DEFAULT_STDERR_TAIL_LINES = 40;

    private static final Logger LOG = LoggerFactory.getLogger(CliLauncher.class);

    private final Path cliPath;
    private final CliLocator locator;
    private final List<String> extraArgs;
    private final Map<String, String> replacementEnvironment; // null: inherit this JVM's environment
    private final Map<String, String> environmentAdditions;
    private final Path workingDirectory;
    private final String githubToken;
    private final Boolean useLoggedInUser;
    private final String logLevel;
    private final Duration shutdownGrace;
    private final int stderrTailLines;

    private CliLauncher(BaseBuilder<?> b) {
        this.cliPath = b.cliPath;
        this.locator = b.locator;
        this.extraArgs = List.copyOf(b.extraArgs);
        this.replacementEnvironment = b.replacementEnvironment == null ? null : Map.copyOf(b.replacementEnvironment);
        this.environmentAdditions = Map.copyOf(b.environmentAdditions);
        this.workingDirectory = b.workingDirectory;
        this.githubToken = b.githubToken;
        this.useLoggedInUser = b.useLoggedInUser;
        this.logLevel = b.logLevel;
        this.shutdownGrace = b.shutdownGrace;
        this.stderrTailLines = b.stderrTailLines;
    }

    /** A builder for a stand-alone launcher. */
    public static Builder builder() {
        return new Builder();
    }

    /** The grace period used when stopping the CLI without an explicit one. */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** The explicitly configured CLI path, or null when the locator decides at launch. */
    public Path configuredCliPath() {
        return cliPath;
    }

    /** Finds the CLI executable: the configured path (checked) or the locator's answer. */
    public Path resolveCliPath() throws CliNotFoundException {
        CliLocator l = locator != null ? locator : CliLocator.defaults();
        return l.locate(cliPath);
    }

    /**
     * The full command line for {@code cli} with the given mode flags. Contains no secrets (unless
     * the caller put one into the extra arguments).
     */
    public List<String> command(Path cli, List<String> modeArgs) {
        List<String> cmd = new ArrayList<>();
        if (CliLocator.isJavaScript(cli)) {
            cmd.add("node");
        }
        cmd.add(cli.toString());
        cmd.addAll(extraArgs);
        cmd.add("--headless");
        cmd.add("--no-auto-update");
        if (logLevel != null) {
            cmd.add("--log-level");
            cmd.add(logLevel);
        }
        cmd.addAll(modeArgs);
        if (githubToken != null) {
            cmd.add("--auth-token-env");
            cmd.add(AUTH_TOKEN_ENV);
        }
        if (!effectiveUseLoggedInUser()) {
            cmd.add("--no-auto-login");
        }
        return cmd;
    }

    private boolean effectiveUseLoggedInUser() {
        // Like the official SDKs: with an explicit token, do not fall back to a stored login.
        return useLoggedInUser != null ? useLoggedInUser : githubToken == null;
    }

    /**
     * Starts the CLI.
     *
     * @param modeArgs the transport's mode flags, e.g. {@code [--stdio]} or {@code [--port, 0]}
     * @param secretEnvironment extra env vars whose values are secrets (e.g. the connection token):
     *     set on the child and masked in everything logged
     * @param stdoutListener null to hand stdout out raw (stdio mode); else stdout is drained to the
     *     log on a daemon thread and every line is passed to this listener on that thread
     * @throws IOException naming the cause and the next step if the CLI is not found, the working
     *     directory is bad, or the process cannot be started
     */
    public CliProcess launch(
            List<String> modeArgs, Map<String, String> secretEnvironment, Consumer<String> stdoutListener)
            throws IOException {
        Path cli = resolveCliPath();
        if (workingDirectory != null && !Files.isDirectory(workingDirectory)) {
            throw new IOException("The working directory for the Copilot CLI does not exist or is not a directory: "
                    + workingDirectory + ". Next step: create it or fix the transport's workingDirectory.");
        }
        List<String> cmd = command(cli, modeArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        if (replacementEnvironment != null) {
            env.clear();
            env.putAll(replacementEnvironment);
        }
        env.putAll(environmentAdditions);
        List<String> secrets = new ArrayList<>();
        Map<String, String> secretVars = new LinkedHashMap<>();
        if (githubToken != null) {
            secretVars.put(AUTH_TOKEN_ENV, githubToken);
        }
        secretVars.putAll(secretEnvironment);
        env.putAll(secretVars);
        secrets.addAll(secretVars.values());
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        Redactor redactor = new Redactor(secrets);
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "Starting the Copilot CLI: {} (working directory {}, environment: {})",
                    redactor.redact(String.join(" ", cmd)),
                    workingDirectory != null ? workingDirectory : "inherited",
                    describeEnvironment(env, secretVars.keySet()));
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IOException(
                    "Could not start the Copilot CLI " + cli + ": " + redactor.redact(String.valueOf(e.getMessage()))
                            + ". Next step: check that it is the native 'copilot' executable "
                            + "for this platform" + (CliLocator.isJavaScript(cli) ? " (or that 'node' is on PATH)" : "")
                            + " and that it is executable, or set " + CliLocator.CLI_PATH_ENV + ".",
                    e);
        }
        CliProcess cliProcess =
                new CliProcess(process, cli, redactor, stderrTailLines, stderrTailLines, stdoutListener, shutdownGrace);
        LOG.debug("Started {}", cliProcess);
        return cliProcess;
    }

    /** Names only, never values: "inherited (42 vars) + [FOO, BAR] + secrets [X=***]". */
    private String describeEnvironment(Map<String, String> env, Set<String> secretNames) {
        StringBuilder sb = new StringBuilder();
        sb.append(replacementEnvironment == null ? "inherited" : "replaced")
                .append(" (")
                .append(env.size())
                .append(" variables)");
        if (!environmentAdditions.isEmpty()) {
            sb.append(", added ").append(new TreeSet<>(environmentAdditions.keySet()));
        }
        if (!secretNames.isEmpty()) {
            sb.append(", secrets [");
            boolean first = true;
            for (String name : new TreeSet<>(secretNames)) {
                sb.append(first ? "" : ", ").append(name).append('=').append(Redactor.MASK);
                first = false;
            }
            sb.append(']');
        }
        return sb.toString();
    }

    /** Secret-free description, e.g. {@code /path/to/copilot} or {@code copilot (located at start)}. */
    public String describe() {
        return cliPath != null ? cliPath.toString() : "copilot (located at start)";
    }

    @Override
    public String toString() {
        return "CliLauncher[cli=" + describe() + ", extraArgs=" + extraArgs + ", environment="
                + (replacementEnvironment == null ? "inherited" : "replaced(" + replacementEnvironment.size() + ")")
                + ", added=" + new TreeSet<>(environmentAdditions.keySet())
                + ", githubToken=" + (githubToken == null ? "none" : Redactor.MASK)
                + ", workingDirectory=" + workingDirectory + ", logLevel=" + logLevel + "]";
    }

    /** A builder for a stand-alone {@link CliLauncher}. */
    public static final class Builder extends BaseBuilder<Builder> {
        private Builder() {}

        /** Builds the launcher. */
        public CliLauncher build() {
            return buildLauncher();
        }
    }

    /**
     * The CLI options shared by the transport builders that spawn the CLI. Not thread-safe; build
     * once, then share the immutable result.
     *
     * @param <B> the concrete builder, returned by every setter
     */
    public abstract static class BaseBuilder<B extends BaseBuilder<B>> {
        private Path cliPath;
        private CliLocator locator;
        private final List<String> extraArgs = new ArrayList<>();
        private Map<String, String> replacementEnvironment;
        private final Map<String, String> environmentAdditions = new LinkedHashMap<>();
        private Path workingDirectory;
        private String githubToken;
        private Boolean useLoggedInUser;
        private String logLevel;
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
        private int stderrTailLines = DEFAULT_STDERR_TAIL_LINES;

        /** For subclasses. */
        protected BaseBuilder() {}

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * The CLI executable to run (it must exist and be executable; a {@code .js} file runs with
         * node). Default: found by the {@link CliLocator}.
         */
        public B cliPath(Path cliPath) {
            this.cliPath = Objects.requireNonNull(cliPath, "cliPath");
            return self();
        }

        /** Same as {@link #cliPath(Path)}. */
        public B cliPath(String cliPath) {
            return cliPath(Path.of(Objects.requireNonNull(cliPath, "cliPath")));
        }

        /** The locator used when no {@link #cliPath} is given. Default: {@link CliLocator#defaults()}. */
        public B locator(CliLocator locator) {
            this.locator = Objects.requireNonNull(locator, "locator");
            return self();
        }

        /** Arguments placed right after the executable, before copilot4j's own flags. Replaces earlier ones. */
        public B extraArgs(String... args) {
            return extraArgs(Arrays.asList(args));
        }

        /** Arguments placed right after the executable, before copilot4j's own flags. Replaces earlier ones. */
        public B extraArgs(List<String> args) {
            List<String> copy = new ArrayList<>();
            for (String a : args) {
                copy.add(Objects.requireNonNull(a, "extra argument"));
            }
            this.extraArgs.clear();
            this.extraArgs.addAll(copy);
            return self();
        }

        /**
         * Replaces the inherited environment: the CLI gets exactly this map, plus whatever {@link
         * #putEnvironment} adds and the variables the transport sets itself (tokens). Without this
         * call the CLI inherits this JVM's environment. Values are never logged.
         */
        public B environment(Map<String, String> environment) {
            Map<String, String> copy = new LinkedHashMap<>();
            environment.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "name"), Objects.requireNonNull(v, k)));
            this.replacementEnvironment = copy;
            return self();
        }

        /**
         * Adds or overrides one variable on top of the base environment (inherited, or the map given
         * to {@link #environment}). Values are never logged.
         */
        public B putEnvironment(String name, String value) {
            environmentAdditions.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return self();
        }

        /** Adds or overrides several variables on top of the base environment; see {@link #putEnvironment}. */
        public B putEnvironment(Map<String, String> variables) {
            variables.forEach(this::putEnvironment);
            return self();
        }

        /**
         * Switches on the runtime's own OpenTelemetry export (to an OTLP collector or a file): sets
         * the environment variables of {@link CliTelemetry#environment()}.
         */
        public B telemetry(CliTelemetry telemetry) {
            return putEnvironment(Objects.requireNonNull(telemetry, "telemetry").environment());
        }

        /** The CLI's working directory (it must exist). Default: this JVM's. */
        public B workingDirectory(Path workingDirectory) {
            this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory");
            return self();
        }

        /**
         * A GitHub token for the CLI. Passed only through the env var {@value #AUTH_TOKEN_ENV} with
         * {@code --auth-token-env}, never on the command line; never logged. Unless {@link
         * #useLoggedInUser} says otherwise, it also turns off the stored-login fallback.
         */
        public B githubToken(String githubToken) {
            if (githubToken == null || githubToken.isEmpty()) {
                throw new IllegalArgumentException("githubToken must not be empty");
            }
            this.githubToken = githubToken;
            return self();
        }

        /**
         * Whether the CLI may use a stored login ({@code false} adds {@code --no-auto-login}).
         * Default: true without a {@link #githubToken}, false with one.
         */
        public B useLoggedInUser(boolean useLoggedInUser) {
            this.useLoggedInUser = useLoggedInUser;
            return self();
        }

        /** The CLI's {@code --log-level}: none, error, warning, info, debug or all. Default: the CLI's. */
        public B logLevel(String logLevel) {
            if (logLevel == null || logLevel.isBlank() || logLevel.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("logLevel must be one word, e.g. info or debug: " + logLevel);
            }
            this.logLevel = logLevel;
            return self();
        }

        /**
         * How long {@code close()} waits for the CLI to exit by itself before SIGTERM, and again
         * before SIGKILL. Default 5 s.
         */
        public B shutdownGrace(Duration shutdownGrace) {
            if (shutdownGrace == null || shutdownGrace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must be zero or positive");
            }
            this.shutdownGrace = shutdownGrace;
            return self();
        }

        /** How many of the CLI's last stderr lines to keep for error messages. Default 40. */
        public B stderrTailLines(int lines) {
            if (lines < 0) {
                throw new IllegalArgumentException("stderrTailLines must be >= 0: " + lines);
            }
            this.stderrTailLines = lines;
            return self();
        }

        /** Builds the immutable launcher from the options set so far. */
        protected final CliLauncher buildLauncher() {
            return new CliLauncher(this);
        }
    }
}
