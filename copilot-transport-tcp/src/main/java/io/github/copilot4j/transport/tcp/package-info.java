/**
 * The TCP transport: JSON-RPC frames over a plain socket to a running Copilot CLI server, or to a
 * CLI it spawns in port mode ({@link io.github.copilot4j.transport.tcp.TcpTransport}).
 */
package io.github.copilot4j.transport.tcp;
