package io.github.copilot4j.devruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IsolatedCliEnvironmentTest {

    private static final Set<String> EXPECTED_KEYS = Set.of(
            "PATH",
            "LANG",
            "HOME",
            "COPILOT_HOME",
            "XDG_CONFIG_HOME",
            "XDG_STATE_HOME",
            "GH_CONFIG_DIR",
            "XDG_CACHE_HOME",
            "COPILOT_AUTO_UPDATE",
            "COPILOT_API_URL",
            "COPILOT_DEBUG_GITHUB_API_URL",
            "COPILOT_SDK_AUTH_TOKEN",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "http_proxy",
            "https_proxy",
            "NO_PROXY",
            "no_proxy");

    @TempDir
    Path tmp;

    private FakeCopilotApi fake;

    @BeforeEach
    void startFake() {
        fake = FakeCopilotApi.start();
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    @Test
    void environmentIsExactlyTheIsolatedSet() {
        try (IsolatedCliEnvironment env = IsolatedCliEnvironment.builder(fake)
                .xdgCacheDir(tmp.resolve("cache"))
                .tempParent(tmp)
                .build()) {
            Map<String, String> e = env.env();
            assertEquals(EXPECTED_KEYS, e.keySet(), "nothing else leaks in (no GH_TOKEN, GITHUB_TOKEN, COPILOT_*)");
            assertEquals(fake.url(), e.get("COPILOT_API_URL"));
            assertEquals(fake.url(), e.get("COPILOT_DEBUG_GITHUB_API_URL"));
            for (String k : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
                assertEquals(fake.proxyUrl(), e.get(k), k);
            }
            assertEquals("127.0.0.1,localhost,::1", e.get("NO_PROXY"));
            assertEquals("false", e.get("COPILOT_AUTO_UPDATE"));
            assertFalse(e.get("COPILOT_SDK_AUTH_TOKEN").isBlank());
            assertEquals(tmp.resolve("cache").toString(), e.get("XDG_CACHE_HOME"));
            for (String dir : List.of("HOME", "COPILOT_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "GH_CONFIG_DIR")) {
                Path p = Path.of(e.get(dir));
                assertTrue(Files.isDirectory(p), dir);
                assertTrue(p.startsWith(tmp), dir + " is a fresh temp dir");
            }
            assertEquals(Path.of(e.get("COPILOT_HOME")), env.copilotHome());
            assertTrue(Files.isDirectory(env.workDir()));
            assertEquals(List.of("--auth-token-env", "COPILOT_SDK_AUTH_TOKEN", "--no-auto-login"), env.cliArgs());
            assertFalse(env.toString().contains(e.get("COPILOT_SDK_AUTH_TOKEN")), "toString hides the token");
            assertThrows(UnsupportedOperationException.class, () -> e.put("X", "y"));
        }
    }

    @Test
    void closeDeletesItsDirsButNotTheSharedCacheNorAReusedHome() throws Exception {
        Path cache = tmp.resolve("cache");
        Path home;
        Path work;
        try (IsolatedCliEnvironment first = IsolatedCliEnvironment.builder(fake)
                .xdgCacheDir(cache)
                .tempParent(tmp)
                .build()) {
            Files.writeString(first.copilotHome().resolve("state.txt"), "kept");
            home = first.copilotHome();
            try (IsolatedCliEnvironment second = IsolatedCliEnvironment.builder(fake)
                    .xdgCacheDir(cache)
                    .tempParent(tmp)
                    .reuseCopilotHome(home)
                    .put("COPILOT_CONNECTION_TOKEN", "t")
                    .build()) {
                assertEquals(home, second.copilotHome());
                assertEquals(home.toString(), second.env().get("COPILOT_HOME"));
                assertEquals("t", second.env().get("COPILOT_CONNECTION_TOKEN"));
                work = second.workDir();
                assertFalse(first.workDir().equals(work), "a fresh work dir per environment");
            }
            assertTrue(Files.exists(home.resolve("state.txt")), "a reused COPILOT_HOME survives the second close");
            assertFalse(Files.exists(work), "the second environment's own dirs are gone");
        }
        assertFalse(Files.exists(home), "the first environment deletes its own COPILOT_HOME");
        assertTrue(Files.isDirectory(cache), "the shared cache stays");
    }

    @Test
    void needsAnApiUrl() {
        assertThrows(
                NullPointerException.class,
                () -> IsolatedCliEnvironment.builder(fake).apiUrl(null));
    }
}
