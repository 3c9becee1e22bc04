package io.github.copilot4j.testing.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.spi.Transport;
import io.github.copilot4j.spi.TransportChannel;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's state leaves {@code CONNECTED} as soon as the connection's end is seen: before any
 * pending call is failed, and while the transport is still working out why the connection ended
 * (for a process that can take a while: its exit code and stderr).
 */
@Timeout(60)
class ConnectionLossStateTest {

    @Test
    void aPendingCallIsFailedOnlyAfterTheStateLeftConnected() throws Exception {
        try (FakeRuntime runtime =
                        FakeRuntime.builder().unanswered("session.create").build();
                CopilotClient client = CopilotClient.builder()
                        .transport(InMemoryTransport.to(runtime))
                        .requestTimeout(Duration.ofSeconds(30))
                        .build()) {
            client.start();
            CompletableFuture<CopilotSession> create =
                    client.createSessionAsync(SessionConfig.builder().build());
            CompletableFuture<ClientState> stateSeenByTheCallback = new CompletableFuture<>();
            create.whenComplete((s, e) -> stateSeenByTheCallback.complete(client.state()));
            assertEquals(ClientState.CONNECTED, client.state());

            runtime.kill("the runtime crashed");

            assertEquals(
                    ClientState.DISCONNECTED,
                    stateSeenByTheCallback.get(10, TimeUnit.SECONDS),
                    "the failure callback of the pending call saw the state");
            ExecutionException e = assertThrows(ExecutionException.class, () -> create.get(10, TimeUnit.SECONDS));
            assertInstanceOf(ConnectionClosedException.class, e.getCause());
            assertTrue(
                    e.getCause().getMessage().contains("the runtime crashed"),
                    e.getCause().getMessage());
        }
    }

    @Test
    void theStateFlipsWhileTheTransportIsStillDescribingTheLoss() throws Exception {
        CountDownLatch describing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (FakeRuntime runtime = FakeRuntime.create();
                CopilotClient client = CopilotClient.builder()
                        .transport(new SlowToDescribe(InMemoryTransport.to(runtime), describing, release))
                        .requestTimeout(Duration.ofSeconds(30))
                        .build()) {
            client.start();
            CopilotSession before = client.createSession(SessionConfig.builder().build());
            runtime.kill("the runtime crashed");
            assertTrue(describing.await(10, TimeUnit.SECONDS), "the transport was asked why the connection ended");

            // The transport is still busy (like a process whose exit code is not known yet).
            assertEquals(ClientState.DISCONNECTED, client.state());
            ConnectionClosedException e = assertThrows(ConnectionClosedException.class, client::ping);
            assertTrue(e.getMessage().contains("start()"), e.getMessage());

            // A reconnect asked for now waits until the old connection is torn down, then holds.
            CompletableFuture<Void> reconnect = CompletableFuture.runAsync(client::start);
            release.countDown();
            reconnect.get(20, TimeUnit.SECONDS);
            assertEquals(ClientState.CONNECTED, client.state());
            assertTrue(client.ping().message().startsWith("pong"));
            CopilotSession again = client.resumeSession(before.sessionId());
            assertEquals(
                    "ECHO: back",
                    again.sendAndWait("back", Duration.ofSeconds(20)).content());
            assertEquals(ClientState.CONNECTED, client.state());
        } finally {
            release.countDown();
        }
    }

    /** Delegates to another transport, but the first channel's describeTermination blocks until released. */
    private static final class SlowToDescribe implements Transport {
        private final Transport inner;
        private final CountDownLatch describing;
        private final CountDownLatch release;
        private final AtomicBoolean first = new AtomicBoolean(true);

        SlowToDescribe(Transport inner, CountDownLatch describing, CountDownLatch release) {
            this.inner = inner;
            this.describing = describing;
            this.release = release;
        }

        @Override
        public TransportChannel open() throws IOException {
            TransportChannel c = inner.open();
            boolean slow = first.getAndSet(false);
            return new TransportChannel() {
                @Override
                public InputStream input() {
                    return c.input();
                }

                @Override
                public OutputStream output() {
                    return c.output();
                }

                @Override
                public boolean ownsRuntime() {
                    return c.ownsRuntime();
                }

                @Override
                public String describeTermination(Throwable readError, Duration wait) {
                    if (slow) {
                        describing.countDown();
                        try {
                            release.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return c.describeTermination(readError, wait);
                }

                @Override
                public boolean isAlive() {
                    return c.isAlive();
                }

                @Override
                public void close(Duration grace) {
                    c.close(grace);
                }
            };
        }

        @Override
        public String describe() {
            return "slow-to-describe:" + inner.describe();
        }
    }
}
