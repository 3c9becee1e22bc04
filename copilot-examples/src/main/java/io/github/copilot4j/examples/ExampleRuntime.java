package io.github.copilot4j.examples;

import io.github.copilot4j.devruntime.CopilotCliInstaller;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.transport.stdio.CliLocator;
import io.github.copilot4j.transport.stdio.StdioTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the examples' answers come from. With a GitHub token in {@code COPILOT_GITHUB_TOKEN},
 * {@code GH_TOKEN} or {@code GITHUB_TOKEN}, the real Copilot service through the installed CLI.
 * Without one, offline: a local fake Copilot API that echoes each prompt, driven by the real CLI
 * (installed with npm on first use). Either way the examples' code is the same: they only take
 * {@link #transport()}.
 */
final class ExampleRuntime implements AutoCloseable {
    static final List<String> TOKEN_VARIABLES = List.of("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN");

    private final Transport transport;
    private final OfflineCopilot offline;

    private ExampleRuntime(Transport transport, OfflineCopilot offline) {
        this.transport = transport;
        this.offline = offline;
    }

    /** Decides online or offline from {@code env}, says which on the first line, and prepares a transport. */
    static ExampleRuntime start(PrintStream out, Map<String, String> env) {
        return start(out, env, null);
    }

    /**
     * As {@link #start(PrintStream, Map)}; offline, the CLI keeps its state in {@code stateDir} (so a
     * later run can resume sessions) when it is not null.
     */
    static ExampleRuntime start(PrintStream out, Map<String, String> env, Path stateDir) {
        for (String name : TOKEN_VARIABLES) {
            String token = env.get(name);
            if (token != null && !token.isBlank()) {
                Path cli = locateOrInstallCli();
                out.println("online: answers come from GitHub Copilot (token from " + name + ", CLI " + cli + ")");
                return new ExampleRuntime(
                        StdioTransport.builder()
                                .cliPath(cli)
                                .githubToken(token.trim())
                                .build(),
                        null);
            }
        }
        out.println("offline: answers come from a local echo model (set COPILOT_GITHUB_TOKEN to use GitHub Copilot)");
        OfflineCopilot.Builder b = OfflineCopilot.builder();
        if (stateDir != null) {
            b.copilotHome(stateDir.resolve("copilot-home")).workDir(stateDir.resolve("work"));
        }
        OfflineCopilot offline = b.build();
        return new ExampleRuntime(offline.stdioTransport(), offline);
    }

    private static Path locateOrInstallCli() {
        try {
            return CliLocator.defaults().locate();
        } catch (IOException notFound) {
            return CopilotCliInstaller.ensureInstalled();
        }
    }

    Transport transport() {
        return transport;
    }

    boolean offline() {
        return offline != null;
    }

    @Override
    public void close() {
        if (offline != null) {
            offline.close();
        }
    }
}
