package io.github.copilot4j.transport.stdio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test-only access to the real, pinned Copilot CLI in the shared cache (installing it with npm if
 * missing) and an isolated environment to run it in. A proper installer lives in copilot-testing;
 * this stays a small private helper of this module's tests.
 */
public final class RealCli {
    private static Path binary;

    private RealCli() {}

    public static Path cacheBase() {
        // the same defaults the locator uses, without the machine's PATH / COPILOT_CLI_PATH
        return CliLocator.builder().build().cacheDir();
    }

    /** The native binary of the pinned version, installed into the shared cache when missing. */
    public static synchronized Path nativeBinary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        CliLocator cacheOnly = CliLocator.builder()
                .environment(Map.of("PATH", ""))
                .cacheDir(cacheBase())
                .npmGlobalRoots(List.of())
                .build();
        try {
            binary = cacheOnly.locate();
            return binary;
        } catch (CliNotFoundException notInstalled) {
            String version = cacheOnly.cliVersion();
            Path prefix = cacheBase().resolve("cli").resolve(version);
            Files.createDirectories(prefix);
            Process npm = new ProcessBuilder(
                            "npm",
                            "install",
                            "--prefix",
                            prefix.toString(),
                            "--no-audit",
                            "--no-fund",
                            "@github/copilot@" + version)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            npm.getOutputStream().close();
            if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new IOException("npm install of @github/copilot@" + version + " into " + prefix + " failed");
            }
            binary = cacheOnly.locate();
            return binary;
        }
    }

    /**
     * An environment that starts empty (no real tokens leak in): fresh HOME / COPILOT_HOME / XDG
     * dirs under {@code tmp}, the shared unpack cache, no auto-update, and every outbound HTTP(S)
     * request sent to a dead loopback port.
     */
    public static Map<String, String> isolatedEnv(Path tmp) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        env.put("LANG", "C.UTF-8");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path xdg = Files.createDirectories(tmp.resolve("xdg"));
        env.put("HOME", home.toString());
        env.put(
                "COPILOT_HOME",
                Files.createDirectories(tmp.resolve("copilot-home")).toString());
        env.put("XDG_CONFIG_HOME", xdg.toString());
        env.put("XDG_STATE_HOME", xdg.toString());
        env.put("GH_CONFIG_DIR", xdg.toString());
        env.put(
                "XDG_CACHE_HOME",
                Files.createDirectories(cacheBase().resolve("xdg-cache")).toString());
        env.put("COPILOT_AUTO_UPDATE", "false");
        String sink = "http://127.0.0.1:9";
        for (String k : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            env.put(k, sink);
        }
        env.put("NO_PROXY", "127.0.0.1,localhost,::1");
        env.put("no_proxy", "127.0.0.1,localhost,::1");
        return env;
    }
}
