package io.github.copilot4j.devruntime.fakeapi;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.devruntime.OfflineCopilot;
import java.nio.file.Path;

/**
 * Child JVM for {@link FakeCopilotApiLifecycleTest}: starts the fake (directly, or inside an
 * {@link OfflineCopilot} whose client then fails to start) and lets {@code main} die with an
 * exception, never closing anything, as an application whose start-up failed would.
 */
public final class AbandonedFakeChild {
    private AbandonedFakeChild() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("fake")) {
            FakeCopilotApi fake = FakeCopilotApi.start();
            System.out.println("started " + fake.url());
            throw new IllegalStateException("simulated start-up failure after the fake started");
        }
        OfflineCopilot offline =
                OfflineCopilot.builder().cliPath(Path.of(args[1])).build();
        System.out.println("started " + offline.fakeApi().url());
        CopilotClient client =
                CopilotClient.builder().transport(offline.stdioTransport()).build();
        client.start(); // the CLI path does not exist: throws, and nothing is closed
    }
}
