package io.github.copilot4j.e2e;

import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.spi.Transport;

/** The end-to-end contract over stdio (the CLI as a child process). */
class StdioRealCliTest extends RealCliContract {
    @Override
    Transport transport(OfflineCopilot offline) {
        return offline.stdioTransport();
    }
}
