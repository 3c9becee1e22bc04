/**
 * The dev runtime: the real Copilot CLI offline, without a token. A local fake Copilot API
 * ({@code io.github.copilot4j.devruntime.fakeapi}), the pinned-CLI installer, an isolated CLI
 * environment and {@link io.github.copilot4j.devruntime.OfflineCopilot}, which hands out ready stdio
 * and TCP transports. No test framework is needed.
 */
module io.github.copilot4j.devruntime {
    requires transitive io.github.copilot4j.core;
    requires transitive io.github.copilot4j.transport.stdio;
    requires transitive io.github.copilot4j.transport.tcp;
    requires jdk.httpserver;
    requires org.slf4j;

    exports io.github.copilot4j.devruntime;
    exports io.github.copilot4j.devruntime.fakeapi;
}
