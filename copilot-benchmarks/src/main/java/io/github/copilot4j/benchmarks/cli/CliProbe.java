package io.github.copilot4j.benchmarks.cli;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import java.time.Duration;

/** Dev aid: prints the first event frames of one turn against the real CLI (-Dbench.dumpFrames=true). */
public final class CliProbe {
    public static void main(String[] args) throws Exception {
        try (OfflineCopilot offline = OfflineCopilot.start()) {
            TimingTransport t = new TimingTransport(offline.stdioTransport());
            try (CopilotClient client = CopilotClient.builder().transport(t).build()) {
                client.start();
                CopilotSession s = client.createSession(
                        SessionConfig.builder().model("gpt-5").build());
                s.on(e -> System.out.println("event " + e.type() + " " + e.id() + " eph=" + e.ephemeral()));
                System.out.println(
                        s.sendAndWait("hello", Duration.ofSeconds(60)).content());
            }
        }
    }
}
