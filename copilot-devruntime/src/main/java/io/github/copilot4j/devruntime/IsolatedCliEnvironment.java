package io.github.copilot4j.devruntime;

import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The environment for running the real Copilot CLI offline against a {@link FakeCopilotApi}, with
 * nothing leaking in from the developer's machine and nothing leaving loopback.
 *
 * <p>{@link #env()} starts from an EMPTY environment (only {@code PATH} and {@code LANG} are kept)
 * and sets fresh temporary {@code HOME}, {@code COPILOT_HOME}, {@code XDG_CONFIG_HOME},
 * {@code XDG_STATE_HOME} and {@code GH_CONFIG_DIR}; the shared {@code XDG_CACHE_HOME} (the CLI unpacks
 * ~235 MB there on first start, so it is never per-test); {@code COPILOT_AUTO_UPDATE=false};
 * {@code COPILOT_API_URL} and {@code COPILOT_DEBUG_GITHUB_API_URL} = the fake; a fake token in
 * {@value #AUTH_TOKEN_ENV} (read by the CLI because of {@link #cliArgs()}); {@code HTTP(S)_PROXY}
 * (both cases) = the fake's proxy sink and {@code NO_PROXY} = loopback. Pass the map to a
 * {@code ProcessBuilder} after clearing its inherited environment, run the CLI in {@link #workDir()},
 * and add {@link #cliArgs()} to its arguments.
 *
 * <p>{@link #close()} deletes the temporary directories it created (never the shared cache, nor a
 * directory given to the builder). Not thread-safe to close while the CLI still runs.
 */
public final class IsolatedCliEnvironment implements AutoCloseable {

    /** The variable holding the fake GitHub token; named in {@code --auth-token-env}. */
    public static final String AUTH_TOKEN_ENV = "COPILOT_SDK_AUTH_TOKEN";

    private static final String LOOPBACK = "127.0.0.1,localhost,::1";
    private static final Logger LOG = LoggerFactory.getLogger(IsolatedCliEnvironment.class);

    private final Path root;
    private final Path home;
    private final Path copilotHome;
    private final Path workDir;
    private final Path xdgCacheDir;
    private final Map<String, String> env;
    private volatile boolean closed;

    private IsolatedCliEnvironment(Builder b) throws IOException {
        Files.createDirectories(b.tempParent);
        this.root = Files.createTempDirectory(b.tempParent, "copilot4j-cli-");
        try {
            this.home = Files.createDirectory(root.resolve("home"));
            this.copilotHome = b.copilotHome != null
                    ? Files.createDirectories(b.copilotHome)
                    : Files.createDirectory(root.resolve("copilot-home"));
            Path config = Files.createDirectory(root.resolve("xdg-config"));
            Path state = Files.createDirectory(root.resolve("xdg-state"));
            Path gh = Files.createDirectory(root.resolve("gh-config"));
            this.workDir = b.workDir != null
                    ? Files.createDirectories(b.workDir)
                    : Files.createDirectory(root.resolve("work"));
            this.xdgCacheDir = Files.createDirectories(b.xdgCacheDir);

            Map<String, String> e = new TreeMap<>();
            String path = System.getenv("PATH");
            e.put("PATH", path == null || path.isBlank() ? "/usr/local/bin:/usr/bin:/bin" : path);
            String lang = System.getenv("LANG");
            e.put("LANG", lang == null || lang.isBlank() ? "C.UTF-8" : lang);
            e.put("HOME", home.toString());
            e.put("COPILOT_HOME", copilotHome.toString());
            e.put("XDG_CONFIG_HOME", config.toString());
            e.put("XDG_STATE_HOME", state.toString());
            e.put("GH_CONFIG_DIR", gh.toString());
            e.put("XDG_CACHE_HOME", xdgCacheDir.toString());
            e.put("COPILOT_AUTO_UPDATE", "false");
            e.put("COPILOT_API_URL", b.apiUrl);
            e.put("COPILOT_DEBUG_GITHUB_API_URL", b.apiUrl);
            e.put(AUTH_TOKEN_ENV, b.authToken);
            for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
                e.put(name, b.proxyUrl);
            }
            e.put("NO_PROXY", LOOPBACK);
            e.put("no_proxy", LOOPBACK);
            e.putAll(b.extra);
            this.env = Collections.unmodifiableMap(e);
        } catch (IOException | RuntimeException ex) {
            CopilotCliInstaller.deleteRecursively(root);
            throw ex;
        }
    }

    /** An environment pointing at {@code fake} with all defaults. */
    public static IsolatedCliEnvironment create(FakeCopilotApi fake) {
        return builder(fake).build();
    }

    /** A builder pointing the CLI's API and proxy at {@code fake}. */
    public static Builder builder(FakeCopilotApi fake) {
        return new Builder().apiUrl(fake.url()).proxyUrl(fake.proxyUrl());
    }

    /** Configures an {@link IsolatedCliEnvironment}. */
    public static final class Builder {
        private String apiUrl;
        private String proxyUrl;
        private Path xdgCacheDir = CopilotCliInstaller.defaultXdgCacheDir();
        private Path copilotHome;
        private Path workDir;
        private Path tempParent = Path.of(System.getProperty("java.io.tmpdir"));
        private String authToken = "copilot4j-fake-token-" + UUID.randomUUID();
        private final Map<String, String> extra = new LinkedHashMap<>();

        private Builder() {}

        /** The Copilot API base URL ({@code COPILOT_API_URL}, {@code COPILOT_DEBUG_GITHUB_API_URL}). */
        public Builder apiUrl(String url) {
            this.apiUrl = Objects.requireNonNull(url, "url");
            return this;
        }

        /** The proxy for everything not on loopback (default with {@code builder(fake)}: the fake's sink). */
        public Builder proxyUrl(String url) {
            this.proxyUrl = Objects.requireNonNull(url, "url");
            return this;
        }

        /** The shared {@code XDG_CACHE_HOME} (default {@link CopilotCliInstaller#defaultXdgCacheDir()}). */
        public Builder xdgCacheDir(Path dir) {
            this.xdgCacheDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Uses an existing {@code COPILOT_HOME} (where the CLI keeps session state) instead of a fresh
         * one, e.g. to start a whole new client on the same CLI home; it is not deleted on close.
         */
        public Builder reuseCopilotHome(Path dir) {
            this.copilotHome = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Uses this working directory for the CLI instead of a fresh one; it is not deleted on close. */
        public Builder workDir(Path dir) {
            this.workDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Where the temporary directories are created (default {@code java.io.tmpdir}). */
        public Builder tempParent(Path dir) {
            this.tempParent = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The fake token value (default: random); the fake API accepts anything. */
        public Builder authToken(String token) {
            this.authToken = Objects.requireNonNull(token, "token");
            return this;
        }

        /** Adds or overrides one variable (e.g. {@code COPILOT_CONNECTION_TOKEN} for TCP). */
        public Builder put(String name, String value) {
            extra.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Creates the temporary directories and the environment. */
        public IsolatedCliEnvironment build() {
            if (apiUrl == null || proxyUrl == null) {
                throw new IllegalStateException("apiUrl and proxyUrl are required (use builder(fakeCopilotApi))");
            }
            try {
                return new IsolatedCliEnvironment(this);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not create the isolated CLI directories under " + tempParent + ": " + e.getMessage(), e);
            }
        }
    }

    /** The complete environment for the CLI process (immutable; replace, don't merge with, the inherited one). */
    public Map<String, String> env() {
        return env;
    }

    /** Arguments that make the CLI use the fake token: {@code --auth-token-env COPILOT_SDK_AUTH_TOKEN --no-auto-login}. */
    public List<String> cliArgs() {
        return List.of("--auth-token-env", AUTH_TOKEN_ENV, "--no-auto-login");
    }

    /** The working directory to start the CLI in. */
    public Path workDir() {
        return workDir;
    }

    /** {@code COPILOT_HOME}: session state and logs ({@code logs/}) of the CLI. */
    public Path copilotHome() {
        return copilotHome;
    }

    /** The temporary {@code HOME}. */
    public Path home() {
        return home;
    }

    /** The shared {@code XDG_CACHE_HOME}. */
    public Path xdgCacheDir() {
        return xdgCacheDir;
    }

    /** Deletes the temporary directories this environment created. Idempotent; never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            CopilotCliInstaller.deleteRecursively(root);
        } catch (IOException e) {
            LOG.warn("could not delete the isolated CLI dirs {}: {}", root, e.toString());
        }
    }

    @Override
    public String toString() {
        return "IsolatedCliEnvironment[" + root + "]";
    }
}
