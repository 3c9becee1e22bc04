/**
 * The stdio transport: runs the Copilot CLI as a child process and carries JSON-RPC frames over its
 * stdin/stdout ({@link io.github.copilot4j.transport.stdio.StdioTransport}), finds the CLI ({@link
 * io.github.copilot4j.transport.stdio.CliLocator}), and owns the process lifecycle ({@link
 * io.github.copilot4j.transport.stdio.CliLauncher}, {@link io.github.copilot4j.transport.stdio.CliProcess},
 * both also used by the TCP transport's spawn mode).
 */
package io.github.copilot4j.transport.stdio;
