package io.github.copilot4j.transport.tcp;

import static io.github.copilot4j.transport.stdio.TestProcesses.copilotThreads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.spi.TransportChannel;
import io.github.copilot4j.transport.stdio.Frames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TcpTransport#connect(String)} against a local {@link ServerSocket}. */
class TcpConnectTest {
    private static final Duration NO_HANG = Duration.ofSeconds(20);
    private static final String TOKEN = "conn-token-abcdef-123456";

    private ServerSocket server;
    private ExecutorService peer;

    @BeforeEach
    void setUp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        peer = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        peer.shutdownNow();
        assertTrue(peer.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** Accepts one connection and echoes one frame back, then keeps the socket open until told. */
    private Future<Socket> echoOneFrame() {
        return peer.submit(() -> {
            Socket s = server.accept();
            String frame = Frames.read(s.getInputStream());
            Frames.write(s.getOutputStream(), frame);
            return s;
        });
    }

    @Test
    void connectsExposesTheTokenButNeverDescribesIt() throws Exception {
        Set<Thread> before = copilotThreads();
        Future<Socket> accepted = echoOneFrame();
        TcpTransport transport = TcpTransport.connect("127.0.0.1:" + server.getLocalPort())
                .connectionToken(TOKEN)
                .build();
        assertEquals("tcp://127.0.0.1:" + server.getLocalPort(), transport.describe());
        assertFalse(transport.spawnsRuntime());
        TransportChannel ch = transport.open();
        try {
            assertEquals(Optional.of(TOKEN), ch.connectionToken());
            assertFalse(ch.ownsRuntime());
            assertTrue(ch.isAlive());
            Socket socket = ((TcpChannel) ch).socket();
            assertEquals(0, socket.getSoTimeout(), "no read timeout unless asked for");
            assertTrue(socket.getTcpNoDelay());
            assertTrue(socket.getKeepAlive());
            assertFalse(ch.toString().contains(TOKEN));

            Frames.request(ch.output(), 5, "connect", "{\"token\":\"x\"}");
            String echoed = assertTimeoutPreemptively(NO_HANG, () -> Frames.read(ch.input()));
            assertEquals(5, Frames.JSON.readTree(echoed).get("id").asInt());
            accepted.get(10, TimeUnit.SECONDS).close();
        } finally {
            ch.close();
        }
        assertFalse(ch.isAlive());
        ch.close(); // idempotent
        assertEquals(before, copilotThreads(), "connect mode starts no thread");
    }

    @Test
    void everyAddressFormReachesTheServer() throws Exception {
        int port = server.getLocalPort();
        for (String address :
                new String[] {"" + port, "tcp://127.0.0.1:" + port, "http://127.0.0.1:" + port, "localhost:" + port}) {
            Future<Socket> accepted = peer.submit(server::accept);
            try (TransportChannel ch = TcpTransport.connect(address).build().open()) {
                assertTrue(ch.isAlive(), address);
                assertTrue(ch.connectionToken().isEmpty());
                accepted.get(10, TimeUnit.SECONDS).close();
            }
        }
    }

    @Test
    void serverClosingTheConnectionIsDescribed() throws Exception {
        Future<Socket> accepted = peer.submit(server::accept);
        try (TransportChannel ch =
                TcpTransport.connect("" + server.getLocalPort()).build().open()) {
            accepted.get(10, TimeUnit.SECONDS).close();
            assertNull(assertTimeoutPreemptively(NO_HANG, () -> Frames.read(ch.input())));
            String why = ch.describeTermination(null, Duration.ofSeconds(1));
            assertTrue(
                    why.startsWith(
                            "The Copilot CLI server at 127.0.0.1:" + server.getLocalPort() + " closed the connection"),
                    why);
            assertTrue(why.contains("Next step:"), why);
        }
    }

    @Test
    void socketErrorsAreNamed() throws Exception {
        Future<Socket> accepted = peer.submit(server::accept);
        try (TransportChannel ch =
                TcpTransport.connect("" + server.getLocalPort()).build().open()) {
            accepted.get(10, TimeUnit.SECONDS).close();
            String why = ch.describeTermination(new java.net.SocketException("Connection reset"), Duration.ZERO);
            assertTrue(why.contains("failed: SocketException: Connection reset"), why);
        }
    }

    @Test
    void readTimeoutAppliesOnlyWhenSet() throws Exception {
        Future<Socket> accepted = peer.submit(server::accept);
        try (TransportChannel ch = TcpTransport.connect("" + server.getLocalPort())
                .readTimeout(Duration.ofMillis(200))
                .build()
                .open()) {
            Socket peerSocket = accepted.get(10, TimeUnit.SECONDS);
            assertEquals(200, ((TcpChannel) ch).socket().getSoTimeout());
            InputStream in = ch.input();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, in::read);
            String why = ch.describeTermination(e, Duration.ZERO);
            assertTrue(why.contains("within the read timeout of 200 ms"), why);
            peerSocket.close();
        }
    }

    @Test
    void refusedConnectionNamesTheAddressAndNextStep() throws Exception {
        int port = server.getLocalPort();
        server.close();
        IOException e = assertThrows(
                IOException.class,
                () -> TcpTransport.connect("tcp://127.0.0.1:" + port)
                        .connectionToken(TOKEN)
                        .build()
                        .open());
        assertTrue(
                e.getMessage()
                        .contains("Could not connect to the Copilot CLI server at 127.0.0.1:" + port
                                + ": connection refused"),
                e.getMessage());
        assertTrue(e.getMessage().contains("Next step"), e.getMessage());
        assertFalse(e.getMessage().contains(TOKEN));
    }

    @Test
    void closedByUsIsDescribedAsSuch() throws Exception {
        Future<Socket> accepted = peer.submit(server::accept);
        TransportChannel ch =
                TcpTransport.connect("" + server.getLocalPort()).build().open();
        Socket peerSocket = accepted.get(10, TimeUnit.SECONDS);
        ch.close(Duration.ofSeconds(1));
        peerSocket.close();
        OutputStream out = ch.output();
        assertThrows(IOException.class, () -> Frames.write(out, "{}"));
        assertTrue(ch.describeTermination(null, Duration.ZERO).contains("was closed by copilot4j"));
    }

    @Test
    void builderRejectsBadValues() {
        assertThrows(IllegalArgumentException.class, () -> TcpTransport.connect("x"));
        assertThrows(
                IllegalArgumentException.class, () -> TcpTransport.connect("1").connectionToken(""));
        assertThrows(
                IllegalArgumentException.class, () -> TcpTransport.connect("1").readTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> TcpTransport.spawn().port(70000));
        assertThrows(
                IllegalArgumentException.class, () -> TcpTransport.spawn().announceTimeout(Duration.ofSeconds(-1)));
    }
}
