/**
 * The stdio transport: spawns the Copilot CLI and speaks JSON-RPC over its stdin and stdout; finds
 * the CLI ({@link io.github.copilot4j.transport.stdio.CliLocator}). Registers the {@code stdio:}
 * transport URI scheme.
 */
module io.github.copilot4j.transport.stdio {
    requires transitive io.github.copilot4j.core;
    requires org.slf4j;

    exports io.github.copilot4j.transport.stdio;

    provides io.github.copilot4j.spi.TransportProvider with
            io.github.copilot4j.transport.stdio.StdioTransportProvider;
}
