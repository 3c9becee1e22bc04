/**
 * The TCP transport: connects to a running Copilot CLI server, or spawns one on a port (reusing the
 * stdio module's launcher). Registers the {@code tcp://} transport URI scheme.
 */
module io.github.copilot4j.transport.tcp {
    requires transitive io.github.copilot4j.core;
    requires transitive io.github.copilot4j.transport.stdio;
    requires org.slf4j;

    exports io.github.copilot4j.transport.tcp;

    provides io.github.copilot4j.spi.TransportProvider with
            io.github.copilot4j.transport.tcp.TcpTransportProvider;
}
