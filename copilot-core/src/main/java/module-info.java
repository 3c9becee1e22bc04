/**
 * The copilot4j API: {@link io.github.copilot4j.CopilotClient}, {@link io.github.copilot4j.CopilotSession},
 * typed events, the typed runtime surface generated from its schema ({@code rpc}, {@code rpc.model},
 * {@code event.data}), tools, the {@code Transport} and {@code SessionStore} SPIs and the in-memory stores.
 *
 * <p>The JSON-RPC engine ({@code io.github.copilot4j.internal..}) is not exported; three of its
 * packages are exported to {@code io.github.copilot4j.testing} only, whose in-memory transport and
 * fake runtime reuse the engine's frame codec, pipe and executors.
 */
@SuppressWarnings("module") // the qualified exports name a module compiled after this one
module io.github.copilot4j.core {
    requires transitive com.fasterxml.jackson.databind;
    requires java.management;
    requires org.slf4j;

    exports io.github.copilot4j;
    exports io.github.copilot4j.event;
    exports io.github.copilot4j.event.data; // generated from the runtime's schema
    exports io.github.copilot4j.rpc; // generated from the runtime's schema
    exports io.github.copilot4j.rpc.model; // generated from the runtime's schema
    exports io.github.copilot4j.spi;
    exports io.github.copilot4j.store;
    exports io.github.copilot4j.tool;
    exports io.github.copilot4j.internal to
            io.github.copilot4j.testing;
    exports io.github.copilot4j.internal.json to
            io.github.copilot4j.testing;
    exports io.github.copilot4j.internal.rpc to
            io.github.copilot4j.testing;

    uses io.github.copilot4j.spi.TransportProvider;
}
