package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.AuthenticationException;
import io.github.copilot4j.ClientState;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.transport.tcp.TcpTransport;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end contract over TCP, with the client spawning the CLI as a server on a port (random
 * connection token); plus connecting to an already running server with the right and a wrong token.
 */
class TcpRealCliTest extends RealCliContract {
    @Override
    Transport transport(OfflineCopilot offline) {
        return offline.tcpTransport();
    }

    @Test
    void connectsToARunningServerWithItsTokenAndRefusesAWrongOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String token = "e2e-token-" + System.nanoTime();
        // A CLI server started "by someone else": here by a spawn transport we only use to own the process.
        TcpTransport server =
                offline.tcpBuilder().port(port).connectionToken(token).build();
        try (CopilotClient owner = CopilotClient.builder().transport(server).build()) {
            owner.start();
            try (CopilotClient good = CopilotClient.builder()
                    .transport(TcpTransport.connect("127.0.0.1:" + port)
                            .connectionToken(token)
                            .build())
                    .build()) {
                good.start();
                CopilotSession s = good.createSession(
                        SessionConfig.builder().model("gpt-5").build());
                assertEquals(
                        "ECHO: over an existing server",
                        s.sendAndWait("over an existing server", TURN).content());
                s.close();
            }
            try (CopilotClient bad = CopilotClient.builder()
                    .transport(TcpTransport.connect("tcp://127.0.0.1:" + port)
                            .connectionToken("wrong-" + token)
                            .build())
                    .startTimeout(Duration.ofSeconds(20))
                    .build()) {
                long t0 = System.nanoTime();
                AuthenticationException e = assertThrows(AuthenticationException.class, bad::start);
                assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos());
                assertFalse(e.getMessage().contains(token), "no token in the message: " + e.getMessage());
                assertEquals(ClientState.DISCONNECTED, bad.state());
            }
            assertEquals(ClientState.CONNECTED, owner.state(), "a refused client does not disturb the server");
        }
    }
}
