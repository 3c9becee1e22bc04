package io.github.copilot4j.devruntime;

import io.github.copilot4j.CopilotException;
import io.github.copilot4j.devruntime.internal.Platform;
import io.github.copilot4j.devruntime.internal.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the pinned {@code @github/copilot} CLI with npm into the shared copilot4j cache, once, and
 * finds its native binary.
 *
 * <p>Layout (shared by every copilot4j test and tool): base dir = env {@value #CACHE_DIR_ENV}, else
 * system property {@value #CACHE_DIR_PROPERTY}, else {@code ~/.cache/copilot4j}; the CLI of version
 * V lives in {@code <base>/cli/V/} (an npm prefix) and its native binary is
 * {@code <base>/cli/V/node_modules/@github/copilot-<platform>/copilot}. The CLI's own unpack cache
 * ({@code XDG_CACHE_HOME}) is {@code <base>/xdg-cache}. The npm loader script
 * ({@code node_modules/.bin/copilot}) is never returned: killing it orphans the native binary.
 *
 * <p>Concurrency: safe when several threads or JVMs install at once. The install runs under a file
 * lock ({@code <base>/cli/V.lock}) into a temporary prefix that is renamed into place when complete,
 * so a reader never sees a half-written binary.
 *
 * <p>Threading: {@link #install()} blocks the calling thread (npm takes seconds to minutes).
 */
public final class CopilotCliInstaller {

    /** The CLI version pinned by this copilot4j release. */
    public static final String DEFAULT_VERSION = "1.0.102";
    /** System property overriding the pinned version (surefire sets it from the root pom). */
    public static final String VERSION_PROPERTY = "copilot4j.cli.version";
    /** Environment variable naming the cache base dir. */
    public static final String CACHE_DIR_ENV = "COPILOT4J_CACHE_DIR";
    /** System property naming the cache base dir (used when the environment variable is unset). */
    public static final String CACHE_DIR_PROPERTY = "copilot4j.cache.dir";

    private static final Logger LOG = LoggerFactory.getLogger(CopilotCliInstaller.class);
    private static final Pattern VERSION_SYNTAX = Pattern.compile("[0-9A-Za-z.+-]+");
    private static final Map<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();
    private static final int TAIL_LINES = 25;

    private final Path baseDir;
    private final String version;
    private final List<String> npmCommand;
    private final Duration timeout;
    private final Consumer<String> progress;
    private final Platform platform;

    private CopilotCliInstaller(Builder b) {
        this.baseDir = b.baseDir.toAbsolutePath().normalize();
        this.version = b.version;
        this.npmCommand = List.copyOf(b.npmCommand);
        this.timeout = b.timeout;
        this.progress = b.progress;
        this.platform = Platform.current();
    }

    // ------------------------------------------------------------------ static conveniences

    /** Installs the pinned version into the default cache if needed; returns the native binary. */
    public static Path ensureInstalled() {
        return builder().build().install();
    }

    /** The native binary of {@code version} in the default cache, if installed. Never installs. */
    public static Optional<Path> locateInstalled(String version) {
        return builder().version(version).build().locate();
    }

    /** The pinned version: system property {@value #VERSION_PROPERTY}, else {@value #DEFAULT_VERSION}. */
    public static String pinnedVersion() {
        String v = System.getProperty(VERSION_PROPERTY);
        return v == null || v.isBlank() ? DEFAULT_VERSION : v.trim();
    }

    /** The cache base dir: env {@value #CACHE_DIR_ENV}, property {@value #CACHE_DIR_PROPERTY}, ~/.cache/copilot4j. */
    public static Path defaultCacheDir() {
        String env = System.getenv(CACHE_DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env.trim());
        }
        String prop = System.getProperty(CACHE_DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop.trim());
        }
        return Path.of(System.getProperty("user.home"), ".cache", "copilot4j");
    }

    /** The shared {@code XDG_CACHE_HOME} for CLI runs: {@code <default cache dir>/xdg-cache}. */
    public static Path defaultXdgCacheDir() {
        return defaultCacheDir().resolve("xdg-cache");
    }

    /** A builder with the defaults (pinned version, shared cache). */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link CopilotCliInstaller}; every setting has a default. */
    public static final class Builder {
        private Path baseDir = defaultCacheDir();
        private String version = pinnedVersion();
        private List<String> npmCommand = List.of(isWindows() ? "npm.cmd" : "npm");
        private Duration timeout = Duration.ofMinutes(10);
        private Consumer<String> progress = line -> System.err.println("[copilot4j] " + line);

        private Builder() {}

        /** The cache base dir (default {@link #defaultCacheDir()}). */
        public Builder baseDir(Path dir) {
            this.baseDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The CLI version (default {@link #pinnedVersion()}). */
        public Builder version(String cliVersion) {
            Objects.requireNonNull(cliVersion, "cliVersion");
            if (!VERSION_SYNTAX.matcher(cliVersion).matches()) {
                throw new IllegalArgumentException("not an npm version: '" + cliVersion + "'");
            }
            this.version = cliVersion;
            return this;
        }

        /** The npm executable and leading arguments (default {@code npm}, found on PATH). */
        public Builder npmCommand(String... command) {
            if (command.length == 0) {
                throw new IllegalArgumentException("npm command is empty");
            }
            this.npmCommand = List.of(command);
            return this;
        }

        /** How long npm may run (default 10 minutes); also bounds waiting for another installer's lock. */
        public Builder timeout(Duration limit) {
            if (limit == null || limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + limit);
            }
            this.timeout = limit;
            return this;
        }

        /** Where progress lines go (default: standard error, prefixed {@code [copilot4j]}); also logged at debug. */
        public Builder progress(Consumer<String> sink) {
            this.progress = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Builds the installer; nothing is installed until {@link CopilotCliInstaller#install()}. */
        public CopilotCliInstaller build() {
            return new CopilotCliInstaller(this);
        }
    }

    // ------------------------------------------------------------------ instance API

    /** The CLI version this installer installs. */
    public String version() {
        return version;
    }

    /** The npm prefix of this version: {@code <base>/cli/<version>}. */
    public Path installDir() {
        return baseDir.resolve("cli").resolve(version);
    }

    /** The {@code XDG_CACHE_HOME} to share between CLI runs: {@code <base>/xdg-cache}. */
    public Path xdgCacheDir() {
        return baseDir.resolve("xdg-cache");
    }

    /** The native binary of this version if it is installed (and executable). Never installs. */
    public Optional<Path> locate() {
        return nativeBinaryIn(installDir());
    }

    /**
     * Returns the native binary, installing with npm first when it is missing.
     *
     * @throws CopilotException when the platform is unsupported, npm is missing, npm fails or times
     *     out, or the install lacks the platform binary; the message says how to install manually
     */
    public Path install() {
        Optional<Path> found = locate();
        if (found.isPresent()) {
            return found.get();
        }
        if (!platform.supported()) {
            throw new CopilotException("The Copilot CLI has no native build for " + platform.describe()
                    + "; supported: linux, linuxmusl, darwin (x64, arm64) and win32. " + manualHint());
        }
        Path cliDir = installDir().getParent();
        Path lockFile = cliDir.resolve(version + ".lock");
        try {
            Files.createDirectories(cliDir);
        } catch (IOException e) {
            throw new CopilotException(
                    "Cannot create the Copilot CLI cache dir " + cliDir + ": " + e.getMessage() + ". Set "
                            + CACHE_DIR_ENV + " to a writable directory.",
                    e);
        }
        synchronized (JVM_LOCKS.computeIfAbsent(lockFile, k -> new Object())) {
            try (FileChannel channel =
                    FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = acquire(channel, lockFile);
                try {
                    found = locate(); // another JVM may have finished while we waited
                    if (found.isPresent()) {
                        return found.get();
                    }
                    return installLocked();
                } finally {
                    lock.release();
                }
            } catch (IOException e) {
                throw new CopilotException(
                        "Installing the Copilot CLI failed: " + e.getMessage() + ". " + manualHint(), e);
            }
        }
    }

    private FileLock acquire(FileChannel channel, Path lockFile) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean announced = false;
        while (true) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock != null) {
                return lock;
            }
            if (!announced) {
                say("Another process is installing @github/copilot@" + version + " (lock " + lockFile
                        + "); waiting...");
                announced = true;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out after " + timeout + " waiting for the install lock " + lockFile
                        + " (if no install is running, delete that file)");
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the install lock " + lockFile);
            }
        }
    }

    private Path installLocked() throws IOException {
        Path target = installDir();
        Path staging = Files.createTempDirectory(target.getParent(), version + ".installing-");
        long start = System.nanoTime();
        say("Installing @github/copilot@" + version + " with npm into " + target
                + " (about 190 MB, done once per machine)...");
        try {
            runNpm(staging);
            if (nativeBinaryIn(staging).isEmpty()) {
                throw new CopilotException("npm installed @github/copilot@" + version + " but no native binary for "
                        + platform.describe() + " (looked for " + platform.packageCandidates()
                        + "); was the optional platform package skipped (npm --omit=optional)? " + manualHint());
            }
            if (Files.exists(target)) {
                LOG.info("Replacing incomplete Copilot CLI install at {}", target);
                deleteRecursively(target);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, target);
            }
        } finally {
            if (Files.exists(staging)) {
                deleteRecursively(staging);
            }
        }
        Path binary = locate().orElseThrow(() -> new CopilotException("The Copilot CLI install at " + target
                + " has no native binary after moving it into place. " + manualHint()));
        say("Installed @github/copilot@" + version + " in " + (System.nanoTime() - start) / 1_000_000_000 + " s: "
                + binary);
        return binary;
    }

    private void runNpm(Path prefix) throws IOException {
        List<String> cmd = new ArrayList<>(npmCommand);
        cmd.addAll(List.of(
                "install", "--prefix", prefix.toString(), "--no-audit", "--no-fund", "@github/copilot@" + version));
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CopilotException(
                    "npm was not found or could not start (" + npmCommand.get(0) + ": " + e.getMessage()
                            + "). Install Node.js 20+ with npm, or " + manualHint(),
                    e);
        }
        p.getOutputStream().close();
        Deque<String> tail = new ArrayDeque<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            LOG.debug("npm: {}", line);
                            synchronized (tail) {
                                tail.addLast(line);
                                if (tail.size() > TAIL_LINES) {
                                    tail.removeFirst();
                                }
                            }
                        }
                    } catch (IOException ignored) {
                        // process ended
                    }
                },
                "copilot4j-npm-output");
        reader.setDaemon(true);
        reader.start();
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Processes.destroyTree(p, Duration.ofSeconds(5));
            Thread.currentThread().interrupt();
            throw new CopilotException("Interrupted while npm was installing @github/copilot@" + version + ".");
        }
        if (!finished) {
            Processes.destroyTree(p, Duration.ofSeconds(5));
        }
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String output;
        synchronized (tail) {
            output = String.join("\n", tail);
        }
        if (!finished) {
            throw new CopilotException("npm did not finish installing @github/copilot@" + version + " within " + timeout
                    + ". Last npm output:\n" + output + "\n" + manualHint());
        }
        if (p.exitValue() != 0) {
            throw new CopilotException("npm install of @github/copilot@" + version + " failed with exit code "
                    + p.exitValue() + ". Last npm output:\n" + output + "\n" + manualHint());
        }
    }

    private Optional<Path> nativeBinaryIn(Path prefix) {
        Path scope = prefix.resolve("node_modules").resolve("@github");
        for (String pkg : platform.packageCandidates()) {
            Path bin = scope.resolve(pkg).resolve(platform.binaryName());
            if (Files.isRegularFile(bin) && Files.isExecutable(bin)) {
                return Optional.of(bin);
            }
        }
        return Optional.empty();
    }

    private String manualHint() {
        return "To install it by hand: npm install --prefix " + installDir() + " --no-audit --no-fund @github/copilot@"
                + version + " (the native binary is then in " + installDir().resolve("node_modules/@github")
                + "/copilot-<platform>/copilot).";
    }

    private void say(String line) {
        LOG.debug(line);
        try {
            progress.accept(line);
        } catch (RuntimeException e) {
            LOG.debug("progress sink failed", e);
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> paths =
                    walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return "CopilotCliInstaller[@github/copilot@" + version + " in " + installDir() + "]";
    }
}
