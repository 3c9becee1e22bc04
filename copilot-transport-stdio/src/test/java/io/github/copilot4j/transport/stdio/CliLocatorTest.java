package io.github.copilot4j.transport.stdio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The locator's search order and error texts, on fake directory trees only. */
class CliLocatorTest {
    @TempDir
    Path tmp;

    private Path home;
    private Path cache;
    private Path globalRoot;
    private Path pathDir;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        cache = Files.createDirectories(tmp.resolve("cache"));
        globalRoot = Files.createDirectories(tmp.resolve("global/lib/node_modules"));
        pathDir = Files.createDirectories(tmp.resolve("bin"));
        env.put("PATH", pathDir.toString());
    }

    private CliLocator locator() {
        return CliLocator.builder()
                .environment(env)
                .userHome(home)
                .cacheDir(cache)
                .cliVersion("9.9.9")
                .platforms(List.of("linux-x64"))
                .npmGlobalRoots(List.of(globalRoot))
                .build();
    }

    private static Path executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private Path cachedBinary() throws IOException {
        return executable(cache.resolve("cli/9.9.9/node_modules/@github/copilot-linux-x64/copilot"));
    }

    /** A global npm install: the loader plus the nested native binary; .bin-style symlink in pathDir. */
    private Path globalInstall(boolean withNative) throws IOException {
        Path pkg = Files.createDirectories(globalRoot.resolve("@github/copilot"));
        Path loader = executable(pkg.resolve("npm-loader.js"));
        Files.createSymbolicLink(pathDir.resolve("copilot"), loader);
        return withNative ? executable(pkg.resolve("node_modules/@github/copilot-linux-x64/copilot")) : loader;
    }

    @Test
    void explicitPathWinsOverEverything() throws Exception {
        Path explicit = executable(tmp.resolve("mine/copilot"));
        env.put("COPILOT_CLI_PATH", executable(tmp.resolve("env/copilot")).toString());
        cachedBinary();
        assertEquals(explicit, locator().locate(explicit));
    }

    @Test
    void envVariableComesNextAndIsChecked() throws Exception {
        Path fromEnv = executable(tmp.resolve("env/copilot"));
        env.put("COPILOT_CLI_PATH", fromEnv.toString());
        cachedBinary();
        assertEquals(fromEnv, locator().locate());

        env.put("COPILOT_CLI_PATH", tmp.resolve("env/missing").toString());
        CliNotFoundException e =
                assertThrows(CliNotFoundException.class, () -> locator().locate());
        assertTrue(
                e.getMessage().contains("COPILOT_CLI_PATH does not exist: " + tmp.resolve("env/missing")),
                e.getMessage());
    }

    @Test
    void sharedCacheBeatsGlobalInstallAndPath() throws Exception {
        Path cached = cachedBinary();
        globalInstall(true);
        assertEquals(cached, locator().locate());
    }

    @Test
    void globalNpmRootGivesTheNativeBinaryNested() throws Exception {
        Path nat = globalInstall(true);
        assertEquals(nat, locator().locate());
    }

    @Test
    void globalNpmRootGivesTheNativeBinaryHoisted() throws Exception {
        Path nat = executable(globalRoot.resolve("@github/copilot-linux-x64/copilot"));
        assertEquals(nat, locator().locate());
    }

    @Test
    void loaderOnPathResolvesToTheNativeSibling() throws Exception {
        Path nat = globalInstall(true);
        // the global root is not searched here, so only PATH can find it
        CliLocator onlyPath = CliLocator.builder()
                .environment(env)
                .userHome(home)
                .cacheDir(cache)
                .cliVersion("9.9.9")
                .platforms(List.of("linux-x64"))
                .npmGlobalRoots(List.of())
                .build();
        assertEquals(nat.toRealPath(), onlyPath.locate().toRealPath());
    }

    @Test
    void explicitLoaderPathResolvesToTheNativeBinary() throws Exception {
        Path nat = globalInstall(true);
        assertEquals(
                nat.toRealPath(), locator().locate(pathDir.resolve("copilot")).toRealPath());
    }

    @Test
    void loaderWithoutNativeBinaryIsNeverUsed() throws Exception {
        globalInstall(false);
        CliNotFoundException e =
                assertThrows(CliNotFoundException.class, () -> locator().locate());
        assertTrue(e.getMessage().contains("is the npm loader script"), e.getMessage());
    }

    @Test
    void plainExecutableOnPathIsUsed() throws Exception {
        Path onPath = executable(pathDir.resolve("copilot"));
        assertEquals(onPath, locator().locate());
    }

    @Test
    void nothingFoundListsEveryPlaceAndHowToInstall() {
        CliNotFoundException e =
                assertThrows(CliNotFoundException.class, () -> locator().locate());
        String m = e.getMessage();
        assertTrue(m.startsWith("Copilot CLI not found. Tried, in order:"), m);
        assertTrue(m.contains("explicit path: none given"), m);
        assertTrue(m.contains("env COPILOT_CLI_PATH: not set"), m);
        assertTrue(
                m.contains(
                        "shared cache: " + cache.resolve("cli/9.9.9/node_modules/@github/copilot-linux-x64/copilot")),
                m);
        assertTrue(m.contains("npm global root " + globalRoot), m);
        assertTrue(m.contains("PATH: no usable 'copilot' in 1 directories"), m);
        assertTrue(m.contains("npm install -g @github/copilot@9.9.9"), m);
        assertTrue(m.contains("npm install --prefix " + cache.resolve("cli/9.9.9") + " @github/copilot@9.9.9"), m);
        assertTrue(m.contains("COPILOT_CLI_PATH"), m);
        assertEquals(5, e.tried().size(), e.tried().toString());
    }

    @Test
    void explicitDirectoryIsRejected() {
        CliNotFoundException e =
                assertThrows(CliNotFoundException.class, () -> locator().locate(tmp));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }

    @Test
    void cacheDirComesFromTheEnvironmentByDefault() {
        env.put("COPILOT4J_CACHE_DIR", tmp.resolve("from-env").toString());
        CliLocator l = CliLocator.builder().environment(env).userHome(home).build();
        assertEquals(tmp.resolve("from-env"), l.cacheDir());
        env.remove("COPILOT4J_CACHE_DIR");
        String prop = System.getProperty("copilot4j.cache.dir");
        CliLocator d = CliLocator.builder().environment(env).userHome(home).build();
        assertEquals(prop != null ? Path.of(prop) : home.resolve(".cache/copilot4j"), d.cacheDir());
    }

    @Test
    void currentPlatformsAreNpmIds() {
        List<String> p = CliLocator.currentPlatforms();
        assertTrue(!p.isEmpty() && p.get(0).matches("[a-z0-9]+-[a-z0-9_]+"), p.toString());
    }
}
