package io.github.copilot4j.transport.stdio;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Copilot CLI executable. Order:
 *
 * <ol>
 *   <li>an explicit path (builder option); it must exist and be executable, or this fails;
 *   <li>env {@code COPILOT_CLI_PATH}; same rule;
 *   <li>the native binary in the shared copilot4j cache: {@code
 *       <base>/cli/<version>/node_modules/@github/copilot-<platform>/copilot}, where {@code <base>} is
 *       env {@code COPILOT4J_CACHE_DIR}, else system property {@code copilot4j.cache.dir}, else
 *       {@code ~/.cache/copilot4j}, and {@code <version>} is system property {@code
 *       copilot4j.cli.version}, else {@value #DEFAULT_CLI_VERSION};
 *   <li>the native binary of a global npm install of {@code @github/copilot}: the directory printed
 *       by {@code npm root -g}, then common global prefixes;
 *   <li>{@code copilot} on {@code PATH}.
 * </ol>
 *
 * <p>The npm package's {@code copilot} command ({@code node_modules/.bin/copilot}, a symlink to
 * {@code @github/copilot/npm-loader.js}) is a node script that spawns the native binary; killing the
 * script orphans the binary. Wherever the locator meets that loader (also behind an explicit path),
 * it resolves to the sibling native platform binary instead, and it never returns the loader from
 * {@code PATH}.
 *
 * <p>Every input (environment, home, cache dir, version, platforms, npm roots) is injectable through
 * {@link #builder()} so tests need not touch the real machine. Instances are immutable and
 * thread-safe; the {@code npm root -g} lookup runs at most once per instance, on the calling thread,
 * bounded to {@value #NPM_TIMEOUT_SECONDS} seconds.
 */
public final class CliLocator {
    /** Env var naming the CLI executable to use. */
    public static final String CLI_PATH_ENV = "COPILOT_CLI_PATH";
    /** Env var naming the shared copilot4j cache base directory. */
    public static final String CACHE_DIR_ENV = "COPILOT4J_CACHE_DIR";
    /** System property naming the shared copilot4j cache base directory (after the env var). */
    public static final String CACHE_DIR_PROPERTY = "copilot4j.cache.dir";
    /** System property with the pinned CLI version. */
    public static final String CLI_VERSION_PROPERTY = "copilot4j.cli.version";
    /** The CLI version this library is tested against. */
    public static final String DEFAULT_CLI_VERSION = "1.0.102";

    private static final Logger LOG = LoggerFactory.getLogger(CliLocator.class);
    private static final String LOADER_FILE = "npm-loader.js";
    private static final int NPM_TIMEOUT_SECONDS = 10;

    private final Map<String, String> env;
    private final Path home;
    private final Path cacheDir;
    private final String version;
    private final List<String> platforms;
    private final List<Path> fixedNpmRoots; // null: ask npm, then the common prefixes
    private final Object npmLock = new Object();
    private List<NpmRoot> npmRoots; // guarded by npmLock
    private String npmRootFailed; // guarded by npmLock; why `npm root -g` gave nothing

    private CliLocator(Builder b) {
        this.env = Map.copyOf(b.env != null ? b.env : System.getenv());
        this.home = b.home != null ? b.home : Path.of(System.getProperty("user.home", "."));
        this.cacheDir = b.cacheDir != null ? b.cacheDir : defaultCacheDir(env, home);
        this.version = b.version != null ? b.version : defaultCliVersion();
        this.platforms = List.copyOf(b.platforms != null ? b.platforms : currentPlatforms());
        this.fixedNpmRoots = b.npmRoots == null ? null : List.copyOf(b.npmRoots);
    }

    /** A locator reading the real environment, home directory and system properties. */
    public static CliLocator defaults() {
        return builder().build();
    }

    /** A builder with the default search order. */
    public static Builder builder() {
        return new Builder();
    }

    /** The pinned CLI version: system property {@code copilot4j.cli.version}, else the default. */
    public static String defaultCliVersion() {
        String v = System.getProperty(CLI_VERSION_PROPERTY);
        return v == null || v.isBlank() ? DEFAULT_CLI_VERSION : v.trim();
    }

    /**
     * The npm platform ids for this machine, most preferred first, e.g. {@code [linux-x64]}, or
     * {@code [linuxmusl-x64, linux-x64]} on a musl libc system.
     */
    public static List<String> currentPlatforms() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String rawArch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String arch;
        switch (rawArch) {
            case "amd64":
            case "x86_64":
            case "x64":
                arch = "x64";
                break;
            case "aarch64":
            case "arm64":
                arch = "arm64";
                break;
            default:
                arch = rawArch;
        }
        if (os.contains("linux")) {
            return isMusl() ? List.of("linuxmusl-" + arch, "linux-" + arch) : List.of("linux-" + arch);
        }
        if (os.contains("mac") || os.contains("darwin")) {
            return List.of("darwin-" + arch);
        }
        if (os.contains("win")) {
            return List.of("win32-" + arch);
        }
        return List.of(os.replace(' ', '-') + "-" + arch);
    }

    /** The shared cache base directory this locator looks in. */
    public Path cacheDir() {
        return cacheDir;
    }

    /** The CLI version this locator looks for in the shared cache and suggests installing. */
    public String cliVersion() {
        return version;
    }

    /** Finds the CLI without an explicit path. */
    public Path locate() throws CliNotFoundException {
        return locate(null);
    }

    /**
     * Finds the CLI.
     *
     * @param explicitPath a path the user gave, or null to search
     * @return an existing executable file (or a {@code .js} file to run with node)
     * @throws CliNotFoundException naming the bad explicit path, or listing every place tried
     */
    public Path locate(Path explicitPath) throws CliNotFoundException {
        List<String> tried = new ArrayList<>();
        if (explicitPath != null) {
            return checkGiven(explicitPath, "The Copilot CLI path given to copilot4j");
        }
        tried.add("explicit path: none given");

        String fromEnv = env.get(CLI_PATH_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path p;
            try {
                p = Path.of(fromEnv.trim());
            } catch (InvalidPathException e) {
                throw new CliNotFoundException(
                        "The Copilot CLI path in env " + CLI_PATH_ENV
                                + " is not a valid path: " + fromEnv + ". Next step: fix or unset "
                                + CLI_PATH_ENV + ".",
                        List.of("env " + CLI_PATH_ENV + ": invalid path"));
            }
            return checkGiven(p, "The Copilot CLI path in env " + CLI_PATH_ENV);
        }
        tried.add("env " + CLI_PATH_ENV + ": not set");

        for (String platform : platforms) {
            Path candidate = sharedCacheBinary(platform);
            if (isExecutableFile(candidate)) {
                LOG.debug("Using the Copilot CLI from the shared cache: {}", candidate);
                return candidate;
            }
            tried.add("shared cache: " + candidate + ": not found");
        }

        for (NpmRoot root : npmRoots()) {
            Optional<Path> found = nativeBinaryIn(root.path);
            if (found.isPresent()) {
                LOG.debug("Using the Copilot CLI from the npm global root {}: {}", root.path, found.get());
                return found.get();
            }
            tried.add("npm global root " + root.path + " (" + root.origin + "): "
                    + (Files.isDirectory(root.path) ? "no @github/copilot native binary" : "does not exist"));
        }
        synchronized (npmLock) {
            if (npmRootFailed != null) {
                tried.add("npm root -g: " + npmRootFailed);
            }
        }

        String pathVar = env.getOrDefault("PATH", env.getOrDefault("Path", ""));
        int dirs = 0;
        for (String dir : pathVar.split(File.pathSeparator, -1)) {
            if (dir.isBlank()) {
                continue;
            }
            dirs++;
            for (String name : commandNames()) {
                Path file;
                try {
                    file = Path.of(dir).resolve(name);
                } catch (InvalidPathException e) {
                    continue;
                }
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                Path real = realPath(file);
                if (isLoader(real)) {
                    Optional<Path> nat = nativeNextToLoader(real);
                    if (nat.isPresent()) {
                        LOG.debug("{} on PATH is the npm loader; using its native binary {}", file, nat.get());
                        return nat.get();
                    }
                    tried.add("PATH: " + file + " is the npm loader script " + real + " but no native platform binary "
                            + platformPackages() + " is installed next to it");
                    continue;
                }
                if (Files.isExecutable(file)) {
                    LOG.debug("Using the Copilot CLI from PATH: {}", file);
                    return file;
                }
                tried.add("PATH: " + file + " is not executable");
            }
        }
        tried.add("PATH: no usable '" + commandNames().get(0) + "' in " + dirs + " directories");
        throw new CliNotFoundException(notFoundMessage(tried), tried);
    }

    private String notFoundMessage(List<String> tried) {
        StringBuilder sb = new StringBuilder("Copilot CLI not found. Tried, in order:");
        for (String t : tried) {
            sb.append("\n  - ").append(t);
        }
        sb.append("\nNext step: install it with: npm install -g @github/copilot@")
                .append(version)
                .append("\n  (or into the shared cache: npm install --prefix ")
                .append(cacheDir.resolve("cli").resolve(version))
                .append(" @github/copilot@")
                .append(version)
                .append("),")
                .append("\n  or set ")
                .append(CLI_PATH_ENV)
                .append(" (or the transport builder's cliPath) to the native 'copilot' executable.");
        return sb.toString();
    }

    private Path checkGiven(Path given, String what) throws CliNotFoundException {
        List<String> tried = List.of(what + ": " + given);
        if (!Files.exists(given)) {
            throw new CliNotFoundException(
                    what + " does not exist: " + given
                            + ". Next step: fix the path, or leave it unset to let copilot4j find the CLI"
                            + " (shared cache, npm global install, PATH).",
                    tried);
        }
        if (Files.isDirectory(given)) {
            throw new CliNotFoundException(
                    what + " is a directory, not the CLI executable: " + given
                            + ". Next step: point it at the 'copilot' executable inside it.",
                    tried);
        }
        Path real = realPath(given);
        if (isLoader(real)) {
            Optional<Path> nat = nativeNextToLoader(real);
            if (nat.isPresent()) {
                LOG.info(
                        "{} ({}) is the npm loader script; using the native binary {} instead, "
                                + "so that stopping the CLI stops the real process",
                        given,
                        what,
                        nat.get());
                return nat.get();
            }
            LOG.warn(
                    "{} ({}) is the npm loader script and no native binary was found next to it; "
                            + "running it with node",
                    given,
                    what);
            return given;
        }
        if (isJavaScript(given)) {
            return given; // run with node, needs no executable bit
        }
        if (!Files.isExecutable(given)) {
            throw new CliNotFoundException(
                    what + " is not executable: " + given
                            + ". Next step: make it executable (chmod +x) or point at the native 'copilot' binary.",
                    tried);
        }
        return given;
    }

    private Path sharedCacheBinary(String platform) {
        return cacheDir.resolve("cli")
                .resolve(version)
                .resolve("node_modules")
                .resolve("@github")
                .resolve("copilot-" + platform)
                .resolve(binaryName(platform));
    }

    /** The native binary inside one node_modules directory (global root or a prefix install). */
    private Optional<Path> nativeBinaryIn(Path nodeModules) {
        if (!Files.isDirectory(nodeModules)) {
            return Optional.empty();
        }
        for (String platform : platforms) {
            Path[] candidates = {
                // npm nests the optional platform dependency under the package on a global install...
                nodeModules
                        .resolve("@github")
                        .resolve("copilot")
                        .resolve("node_modules")
                        .resolve("@github")
                        .resolve("copilot-" + platform)
                        .resolve(binaryName(platform)),
                // ...and hoists it on a prefix/local install.
                nodeModules.resolve("@github").resolve("copilot-" + platform).resolve(binaryName(platform)),
            };
            for (Path c : candidates) {
                if (isExecutableFile(c)) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    private Optional<Path> nativeNextToLoader(Path loaderReal) {
        Path pkgDir = loaderReal.getParent(); // .../node_modules/@github/copilot
        if (pkgDir == null) {
            return Optional.empty();
        }
        for (String platform : platforms) {
            Path nested = pkgDir.resolve("node_modules")
                    .resolve("@github")
                    .resolve("copilot-" + platform)
                    .resolve(binaryName(platform));
            if (isExecutableFile(nested)) {
                return Optional.of(nested);
            }
            Path scope = pkgDir.getParent(); // .../node_modules/@github
            if (scope != null) {
                Path hoisted = scope.resolve("copilot-" + platform).resolve(binaryName(platform));
                if (isExecutableFile(hoisted)) {
                    return Optional.of(hoisted);
                }
            }
        }
        return Optional.empty();
    }

    private List<NpmRoot> npmRoots() {
        synchronized (npmLock) {
            if (npmRoots == null) {
                List<NpmRoot> roots = new ArrayList<>();
                if (fixedNpmRoots != null) {
                    fixedNpmRoots.forEach(p -> roots.add(new NpmRoot(p, "given")));
                } else {
                    npmRootFromNpm().ifPresent(p -> roots.add(new NpmRoot(p, "npm root -g")));
                    for (Path p : commonNpmRoots()) {
                        roots.add(new NpmRoot(p, "common prefix"));
                    }
                }
                Set<Path> seen = new LinkedHashSet<>();
                List<NpmRoot> unique = new ArrayList<>();
                for (NpmRoot r : roots) {
                    if (seen.add(r.path.toAbsolutePath().normalize())) {
                        unique.add(r);
                    }
                }
                npmRoots = List.copyOf(unique);
            }
            return npmRoots;
        }
    }

    private List<Path> commonNpmRoots() {
        List<Path> list = new ArrayList<>();
        String prefix = env.get("npm_config_prefix");
        if (prefix != null && !prefix.isBlank()) {
            list.add(Path.of(prefix, "lib", "node_modules"));
        }
        String nvmBin = env.get("NVM_BIN");
        if (nvmBin != null && !nvmBin.isBlank()) {
            list.add(Path.of(nvmBin).resolveSibling("lib").resolve("node_modules"));
        }
        list.add(home.resolve(".npm-global").resolve("lib").resolve("node_modules"));
        String appData = env.get("APPDATA");
        if (appData != null && !appData.isBlank()) {
            list.add(Path.of(appData, "npm", "node_modules"));
        }
        list.add(Path.of("/usr/local/lib/node_modules"));
        list.add(Path.of("/usr/lib/node_modules"));
        list.add(Path.of("/opt/homebrew/lib/node_modules"));
        return list;
    }

    private Optional<Path> npmRootFromNpm() {
        boolean windows = platforms.stream().anyMatch(p -> p.startsWith("win32"));
        ProcessBuilder pb =
                new ProcessBuilder(windows ? List.of("cmd", "/c", "npm", "root", "-g") : List.of("npm", "root", "-g"));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            npmRootFailed = "npm is not available (" + e.getMessage() + ")";
            return Optional.empty();
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(NPM_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                npmRootFailed = "npm did not answer within " + NPM_TIMEOUT_SECONDS + " s";
                return Optional.empty();
            }
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (p.exitValue() != 0 || out.isEmpty()) {
                npmRootFailed = "npm exited with code " + p.exitValue();
                return Optional.empty();
            }
            String last = out.lines().reduce((a, b) -> b).orElse(out).trim();
            return Optional.of(Path.of(last));
        } catch (IOException | InvalidPathException e) {
            npmRootFailed = "could not read its output (" + e.getMessage() + ")";
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            npmRootFailed = "interrupted";
            return Optional.empty();
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private List<String> commandNames() {
        boolean windows = platforms.stream().anyMatch(p -> p.startsWith("win32"));
        return windows ? List.of("copilot.exe", "copilot.cmd") : List.of("copilot");
    }

    private String platformPackages() {
        return platforms.stream()
                .map(p -> "@github/copilot-" + p)
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
    }

    private static String binaryName(String platform) {
        return platform.startsWith("win32") ? "copilot.exe" : "copilot";
    }

    private static boolean isLoader(Path real) {
        Path name = real.getFileName();
        return name != null && name.toString().equals(LOADER_FILE);
    }

    static boolean isJavaScript(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".js");
    }

    private static boolean isExecutableFile(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private static Path defaultCacheDir(Map<String, String> env, Path home) {
        String fromEnv = env.get(CACHE_DIR_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.trim());
        }
        String fromProp = System.getProperty(CACHE_DIR_PROPERTY);
        if (fromProp != null && !fromProp.isBlank()) {
            return Path.of(fromProp.trim());
        }
        return home.resolve(".cache").resolve("copilot4j");
    }

    private static boolean isMusl() {
        Path lib = Path.of("/lib");
        if (!Files.isDirectory(lib)) {
            return false;
        }
        try (Stream<Path> s = Files.list(lib)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl-"));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "CliLocator[cacheDir=" + cacheDir + ", version=" + version + ", platforms=" + platforms + "]";
    }

    private static final class NpmRoot {
        final Path path;
        final String origin;

        NpmRoot(Path path, String origin) {
            this.path = path;
            this.origin = origin;
        }
    }

    /** Inputs of a {@link CliLocator}; every unset one comes from the real machine. */
    public static final class Builder {
        private Map<String, String> env;
        private Path home;
        private Path cacheDir;
        private String version;
        private List<String> platforms;
        private List<Path> npmRoots;

        private Builder() {}

        /** The environment to read {@code COPILOT_CLI_PATH}, {@code PATH} and friends from. */
        public Builder environment(Map<String, String> environment) {
            this.env = Map.copyOf(Objects.requireNonNull(environment, "environment"));
            return this;
        }

        /** The user's home directory (default: system property {@code user.home}). */
        public Builder userHome(Path home) {
            this.home = Objects.requireNonNull(home, "home");
            return this;
        }

        /** The shared cache base directory (default: see the class comment). */
        public Builder cacheDir(Path cacheDir) {
            this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
            return this;
        }

        /** The CLI version to look for in the shared cache and to suggest installing. */
        public Builder cliVersion(String version) {
            if (version == null || version.isBlank()) {
                throw new IllegalArgumentException("cliVersion must not be blank");
            }
            this.version = version.trim();
            return this;
        }

        /** npm platform ids to look for, most preferred first, e.g. {@code linux-x64}. */
        public Builder platforms(List<String> platforms) {
            if (platforms.isEmpty()) {
                throw new IllegalArgumentException("platforms must not be empty");
            }
            this.platforms = List.copyOf(platforms);
            return this;
        }

        /**
         * Global {@code node_modules} directories to search, replacing the default ({@code npm root
         * -g} plus common prefixes). An empty list skips this step.
         */
        public Builder npmGlobalRoots(List<Path> roots) {
            this.npmRoots = List.copyOf(roots);
            return this;
        }

        /** Builds the locator. */
        public CliLocator build() {
            return new CliLocator(this);
        }
    }
}
