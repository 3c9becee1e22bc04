package io.github.copilot4j.devruntime.fakeapi;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake's threads never keep a JVM alive: an application whose start-up fails after the fake
 * started (and that never closes it) still exits. Runs {@link AbandonedFakeChild} in a child JVM.
 */
class FakeCopilotApiLifecycleTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void anUnclosedFakeDoesNotKeepTheJvmAlive() throws Exception {
        assertChildExits("fake");
    }

    @Test
    @Timeout(120)
    void aFailedOfflineStartDoesNotKeepTheJvmAlive() throws Exception {
        assertChildExits("offline", tmp.resolve("no-such-copilot").toString());
    }

    private void assertChildExits(String... args) throws IOException, InterruptedException {
        Path out = tmp.resolve("child.out");
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AbandonedFakeChild.class.getName()));
        cmd.addAll(List.of(args));
        Process child = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            // Generous: a JVM start plus the fake's start on a loaded machine takes a few seconds.
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                fail(
                        "the child JVM is still alive 60 s after main() failed: a fake Copilot API thread is not a daemon. Output:\n"
                                + Files.readString(out, StandardCharsets.UTF_8));
            }
        } finally {
            child.destroyForcibly().waitFor();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(output.contains("started http://127.0.0.1:"), output);
        assertNotEquals(0, child.exitValue(), "main() failed, so the exit code is not 0:\n" + output);
    }
}
