package io.github.copilot4j.spring.boot.autoconfigure;

import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.transport.stdio.CliLauncher;
import io.github.copilot4j.transport.stdio.CliTelemetry;
import io.github.copilot4j.transport.stdio.StdioTransport;
import io.github.copilot4j.transport.tcp.TcpTransport;

/**
 * Builds the transports from {@link CopilotProperties}. Only loaded when the transport module is on
 * the class path (the auto-configuration checks first), so that neither is required.
 */
final class CliTransports {
    private CliTransports() {}

    static Transport stdio(CopilotProperties p) {
        return cli(StdioTransport.builder(), p.getCli()).build();
    }

    static Transport tcpSpawn(CopilotProperties p) {
        TcpTransport.SpawnBuilder b =
                cli(TcpTransport.spawn(), p.getCli()).connectTimeout(p.getTcp().getConnectTimeout());
        if (p.getTcp().getPort() != 0) {
            b.port(p.getTcp().getPort());
        }
        if (hasText(p.getTcp().getConnectionToken())) {
            b.connectionToken(p.getTcp().getConnectionToken());
        }
        return b.build();
    }

    static Transport tcpConnect(CopilotProperties p) {
        if (!hasText(p.getTcp().getAddress())) {
            throw new IllegalStateException(
                    "copilot.transport=tcp needs copilot.tcp.address (host:port of a running CLI server,"
                            + " started with copilot --headless --port N); or use copilot.transport=tcp-spawn to start one");
        }
        TcpTransport.ConnectBuilder b = TcpTransport.connect(p.getTcp().getAddress())
                .connectTimeout(p.getTcp().getConnectTimeout());
        if (hasText(p.getTcp().getConnectionToken())) {
            b.connectionToken(p.getTcp().getConnectionToken());
        }
        return b.build();
    }

    private static <B extends CliLauncher.BaseBuilder<B>> B cli(B b, CopilotProperties.Cli cli) {
        if (cli.getPath() != null) {
            b.cliPath(cli.getPath());
        }
        if (!cli.getArgs().isEmpty()) {
            b.extraArgs(cli.getArgs());
        }
        if (!cli.isInheritEnvironment()) {
            b.environment(cli.getEnvironment());
        } else if (!cli.getEnvironment().isEmpty()) {
            b.putEnvironment(cli.getEnvironment());
        }
        if (cli.getWorkingDirectory() != null) {
            b.workingDirectory(cli.getWorkingDirectory());
        }
        if (hasText(cli.getGithubToken())) {
            b.githubToken(cli.getGithubToken());
        }
        if (cli.getUseLoggedInUser() != null) {
            b.useLoggedInUser(cli.getUseLoggedInUser());
        }
        if (hasText(cli.getLogLevel())) {
            b.logLevel(cli.getLogLevel());
        }
        CliTelemetry telemetry = telemetry(cli.getTelemetry());
        if (telemetry != null) {
            b.telemetry(telemetry);
        }
        return b;
    }

    /** The runtime's OpenTelemetry export from {@code copilot.cli.telemetry.*}, or null when neither destination is set. */
    static CliTelemetry telemetry(CopilotProperties.Telemetry t) {
        if (t.getOtlpEndpoint() == null && t.getFile() == null) {
            return null;
        }
        CliTelemetry c = new CliTelemetry(t.getOtlpEndpoint(), null, t.getFile(), null, t.isCaptureMessageContent());
        if (hasText(t.getOtlpProtocol())) {
            c = c.withOtlpProtocol(t.getOtlpProtocol());
        }
        if (hasText(t.getSourceName())) {
            c = c.withSourceName(t.getSourceName());
        }
        return c;
    }

    private static boolean hasText(String s) {
        return s != null && !s.isBlank();
    }
}
