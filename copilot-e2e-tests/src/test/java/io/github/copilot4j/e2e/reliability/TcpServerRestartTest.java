package io.github.copilot4j.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotException;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.devruntime.fakeapi.ChatRequest;
import io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi;
import io.github.copilot4j.devruntime.fakeapi.Reply;
import io.github.copilot4j.event.AssistantMessage;
import io.github.copilot4j.testing.LeakCheck;
import io.github.copilot4j.transport.tcp.TcpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A CLI server (TCP, run by "someone else") that goes away in the middle of a turn and comes back
 * on the same port: the client reports the disconnect at once, says clearly that the server is
 * unreachable while it is away, and after {@code start()} resumes the session, whose conversation
 * the model still sees. The spawned server listens on loopback only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpServerRestartTest {
    static final Duration TURN = Duration.ofSeconds(60);

    /** The spawned server must not be reachable on any other address of this host. */
    static void assertLoopbackOnly(int port) throws Exception {
        int checked = 0;
        for (NetworkInterface nif : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                if (a.isLoopbackAddress() || a.isLinkLocalAddress()) {
                    continue;
                }
                checked++;
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(a, port), 1000);
                    throw new AssertionError(
                            "the CLI server accepts connections on " + a + ":" + port + "; it must bind loopback only");
                } catch (IOException expected) {
                    // refused: good
                }
            }
        }
        System.out.println("loopback-only check: " + checked + " non-loopback address(es) refused port " + port);
    }

    @Test
    void aServerThatGoesAwayAndComesBack() throws Exception {
        try (OfflineCopilot offline = OfflineCopilot.start()) {
            FakeCopilotApi fake = offline.fakeApi();
            LeakCheck leaks = LeakCheck.start().ignoringThreads("fake-copilot-api");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            String token = "restart-" + UUID.randomUUID();
            String address = "127.0.0.1:" + port;
            // The server, run by "someone else": here a client whose transport spawns it on a fixed port and token.
            CopilotClient server = CopilotClient.builder()
                    .transport(offline.tcpBuilder()
                            .port(port)
                            .connectionToken(token)
                            .build())
                    .build();
            CopilotClient client = CopilotClient.builder()
                    .transport(TcpTransport.connect(address)
                            .connectionToken(token)
                            .connectTimeout(Duration.ofSeconds(2))
                            .build())
                    .requestTimeout(Duration.ofSeconds(30))
                    .build();
            CopilotClient serverAgain = null;
            try {
                server.start();
                assertLoopbackOnly(port);
                client.start();
                CopilotSession s = client.createSession(
                        SessionConfig.builder().model("gpt-5").build());
                assertEquals(
                        "ECHO: the code word is kestrel",
                        s.sendAndWait("the code word is kestrel", TURN).content());
                fake.when(FakeCopilotApi.promptContains("while the server goes away"))
                        .always()
                        .reply(Reply.text("never seen").delayed(Duration.ofSeconds(60)));
                CompletableFuture<AssistantMessage> turn = s.sendAndWaitAsync("while the server goes away", TURN);
                fake.awaitChatRequest(
                        r -> r.lastUserText().equals("while the server goes away"), Duration.ofSeconds(30));

                ProcessHandle cli = Cli.onlyNewCli(leaks);
                long t0 = System.nanoTime();
                cli.destroyForcibly();
                ExecutionException e = assertThrows(ExecutionException.class, () -> turn.get(5, TimeUnit.SECONDS));
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "failed within 2 s");
                assertTrue(
                        e.getCause() instanceof ConnectionClosedException,
                        e.getCause().toString());
                assertTrue(
                        e.getCause()
                                .getMessage()
                                .contains("The Copilot CLI server at " + address + " closed the connection"),
                        e.getCause().getMessage());
                Cli.awaitState(client, ClientState.DISCONNECTED, 2000);

                // While it is away, reconnecting fails clearly and quickly, and the client stays usable for a later
                // start().
                CopilotException away = assertThrows(CopilotException.class, client::start);
                assertTrue(away.getMessage().contains(address), away.getMessage());
                assertEquals(ClientState.DISCONNECTED, client.state());
                assertFalse(away.getMessage().contains(token), "no token in messages");
                server.close();

                // It comes back: same port, token and CLI home.
                fake.clearScripts();
                serverAgain = CopilotClient.builder()
                        .transport(offline.tcpBuilder()
                                .port(port)
                                .connectionToken(token)
                                .build())
                        .build();
                serverAgain.start();
                client.start();
                assertEquals(ClientState.CONNECTED, client.state());
                CopilotSession again = client.resumeSession(
                        s.sessionId(), SessionConfig.builder().model("gpt-5").build());
                assertEquals(
                        "ECHO: what was the code word?",
                        again.sendAndWait("what was the code word?", TURN).content());
                ChatRequest last = fake.chatRequests(s.sessionId()).stream()
                        .filter(r -> r.lastUserText().equals("what was the code word?"))
                        .findFirst()
                        .orElseThrow();
                assertTrue(
                        last.texts("user").contains("the code word is kestrel"),
                        "the model saw the earlier conversation: " + last);
            } finally {
                client.close();
                server.close();
                if (serverAgain != null) {
                    serverAgain.close();
                }
            }
            leaks.assertNoLeaks(Duration.ofSeconds(10));
        }
    }
}
