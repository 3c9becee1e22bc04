package io.github.copilot4j.devruntime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.CopilotException;
import io.github.copilot4j.devruntime.internal.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Uses a fake {@code npm} shell script, so nothing is downloaded. */
@EnabledOnOs({OS.LINUX, OS.MAC})
@Timeout(60)
class CopilotCliInstallerTest {

    @TempDir
    Path tmp;

    /** A fake npm that records each run and creates the platform binary under --prefix. */
    private Path fakeNpm(String body) throws Exception {
        Path script = tmp.resolve("fake-npm.sh");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private Path workingNpm() throws Exception {
        String pkg = Platform.current().packageCandidates().get(0);
        return fakeNpm("""
                echo "$@" >> "%s/npm-runs.txt"
                while [ "$1" != "--prefix" ]; do shift; done
                dir="$2/node_modules/@github/%s"
                sleep 0.3
                mkdir -p "$dir" && printf '#!/bin/sh\\necho fake copilot\\n' > "$dir/copilot" && chmod +x "$dir/copilot"
                echo "added 3 packages"
                """.formatted(tmp, pkg));
    }

    private CopilotCliInstaller installer(Path npm, List<String> progress) {
        return CopilotCliInstaller.builder()
                .baseDir(tmp.resolve("base"))
                .version("1.0.102")
                .npmCommand(npm.toString())
                .timeout(Duration.ofSeconds(30))
                .progress(progress::add)
                .build();
    }

    @Test
    void installsOnceIntoTheSharedLayoutAndThenOnlyLocates() throws Exception {
        List<String> progress = Collections.synchronizedList(new ArrayList<>());
        CopilotCliInstaller installer = installer(workingNpm(), progress);
        assertTrue(installer.locate().isEmpty());

        Path binary = installer.install();
        String pkg = Platform.current().packageCandidates().get(0);
        assertEquals(
                tmp.resolve("base/cli/1.0.102/node_modules/@github")
                        .resolve(pkg)
                        .resolve("copilot"),
                binary);
        assertTrue(Files.isExecutable(binary));
        assertTrue(progress.get(0).contains("Installing @github/copilot@1.0.102"), progress.toString());
        List<String> runs = Files.readAllLines(tmp.resolve("npm-runs.txt"));
        assertEquals(1, runs.size());
        assertTrue(runs.get(0).startsWith("install --prefix "), runs.get(0));
        assertTrue(runs.get(0).endsWith("--no-audit --no-fund @github/copilot@1.0.102"), runs.get(0));

        assertEquals(binary, installer.install());
        assertEquals(binary, installer.locate().orElseThrow());
        assertEquals(1, Files.readAllLines(tmp.resolve("npm-runs.txt")).size(), "second install does not run npm");
        try (var leftovers = Files.list(tmp.resolve("base/cli"))) {
            assertEquals(
                    List.of("1.0.102", "1.0.102.lock"),
                    leftovers.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging dir left");
        }
    }

    @Test
    void concurrentInstallsRunNpmOnce() throws Exception {
        Path npm = workingNpm();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                results.add(pool.submit(() -> installer(npm, new ArrayList<>()).install()));
            }
            Path first = results.get(0).get(30, TimeUnit.SECONDS);
            for (Future<Path> f : results) {
                assertEquals(first, f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, Files.readAllLines(tmp.resolve("npm-runs.txt")).size());
    }

    @Test
    void missingNpmSaysHowToInstall() {
        CopilotException e = assertThrows(
                CopilotException.class,
                () -> installer(tmp.resolve("no-such-npm"), new ArrayList<>()).install());
        assertTrue(e.getMessage().contains("npm was not found"), e.getMessage());
        assertTrue(e.getMessage().contains("npm install --prefix " + tmp.resolve("base/cli/1.0.102")), e.getMessage());
    }

    @Test
    void failingNpmReportsItsOutputTail() throws Exception {
        Path npm =
                fakeNpm("echo 'npm ERR! code E404' >&2\necho 'npm ERR! 404 Not Found - @github/copilot' >&2\nexit 1\n");
        CopilotException e = assertThrows(
                CopilotException.class, () -> installer(npm, new ArrayList<>()).install());
        assertTrue(e.getMessage().contains("exit code 1"), e.getMessage());
        assertTrue(e.getMessage().contains("npm ERR! 404 Not Found"), e.getMessage());
        assertTrue(e.getMessage().contains("To install it by hand"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("base/cli/1.0.102")), "no half install left");
    }

    @Test
    void installWithoutPlatformBinaryIsAnError() throws Exception {
        Path npm = fakeNpm(
                "while [ \"$1\" != \"--prefix\" ]; do shift; done\nmkdir -p \"$2/node_modules/@github/copilot\"\n");
        CopilotException e = assertThrows(
                CopilotException.class, () -> installer(npm, new ArrayList<>()).install());
        assertTrue(e.getMessage().contains("no native binary"), e.getMessage());
    }

    @Test
    void defaultsFollowTheProjectConvention() {
        assertEquals(System.getProperty("copilot4j.cli.version", "1.0.102"), CopilotCliInstaller.pinnedVersion());
        Path base = CopilotCliInstaller.defaultCacheDir();
        assertEquals(base.resolve("xdg-cache"), CopilotCliInstaller.defaultXdgCacheDir());
        assertEquals(
                base.resolve("cli").resolve("9.9.9"),
                CopilotCliInstaller.builder().version("9.9.9").build().installDir());
        assertTrue(CopilotCliInstaller.locateInstalled("0.0.0-not-installed").isEmpty());
        assertThrows(
                IllegalArgumentException.class,
                () -> CopilotCliInstaller.builder().version("1.0; rm -rf /"));
    }
}
