package io.github.copilot4j.testing.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.StoreFailure;
import io.github.copilot4j.event.SessionEvent;
import io.github.copilot4j.spi.ClientObserver;
import io.github.copilot4j.spi.SessionLeaseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The observer SPI: what is called when, and that an observer cannot break the client. */
@Timeout(30)
class ClientObserverTest {
    static final Duration TURN = Duration.ofSeconds(10);
    FakeRuntime runtime;
    CopilotClient client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    /** Records the calls, as "kind:detail". */
    static class Recorder implements ClientObserver {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void attached(CopilotClient c) {
            calls.add("attached");
        }

        @Override
        public void connected(CopilotClient c, boolean reconnect) {
            calls.add("connected:" + reconnect);
        }

        @Override
        public void rpcCompleted(String method, long nanos, Throwable error) {
            calls.add("rpc:" + method + ":" + (error == null ? "ok" : "error") + ":" + (nanos >= 0));
        }

        @Override
        public void turnStarted(CopilotSession session) {
            calls.add("turnStarted");
            threads.add("start:" + Thread.currentThread().getName());
        }

        @Override
        public void eventDelivered(CopilotSession session, SessionEvent event) {
            if (event.type().equals("session.idle")) {
                calls.add("idle");
            }
        }

        @Override
        public void turnEnded(CopilotSession session, TurnOutcome outcome, Throwable error) {
            calls.add("turnEnded:" + outcome);
        }

        long count(String call) {
            return calls.stream().filter(call::equals).count();
        }
    }

    /** Throws from every method. */
    static final class Thrower implements ClientObserver {
        @Override
        public void attached(CopilotClient c) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void connected(CopilotClient c, boolean r) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void disconnected(CopilotClient c, ConnectionClosedException r) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void rpcCompleted(String m, long n, Throwable e) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void turnStarted(CopilotSession s) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void eventDelivered(CopilotSession s, SessionEvent e) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void turnEnded(CopilotSession s, TurnOutcome o, Throwable e) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void storeFailure(StoreFailure f) {
            throw new IllegalStateException("boom");
        }

        @Override
        public void leaseRefused(String id, SessionLeaseException e) {
            throw new IllegalStateException("boom");
        }
    }

    @Test
    void aTurnIsReportedOnceFromSendToIdleAndRpcsByMethod() {
        runtime = FakeRuntime.create();
        Recorder r = new Recorder();
        client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .observer(r)
                .build();
        assertEquals(List.of("attached"), r.calls);
        client.start();
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        s.sendAndWait("hello", TURN);
        // sendAndWait returns after the observer saw the turn end
        assertEquals(1, r.count("turnStarted"));
        assertEquals(1, r.count("turnEnded:SUCCESS"));
        assertTrue(r.calls.indexOf("idle") < r.calls.indexOf("turnEnded:SUCCESS"), r.calls.toString());
        assertTrue(r.calls.contains("connected:false"), r.calls.toString());
        assertTrue(r.calls.contains("rpc:connect:ok:true"), r.calls.toString());
        assertTrue(r.calls.contains("rpc:session.create:ok:true"), r.calls.toString());
        assertTrue(r.calls.contains("rpc:session.send:ok:true"), r.calls.toString());
        assertEquals(
                List.of("start:" + Thread.currentThread().getName()),
                r.threads,
                "turnStarted runs on the sending thread");
    }

    @Test
    void promptsSentDuringATurnJoinIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        runtime = FakeRuntime.builder()
                .responder(t -> {
                    if (t.prompt().equals("first")) {
                        try {
                            release.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return Reply.text("ok " + t.prompt());
                })
                .build();
        Recorder r = new Recorder();
        client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .observer(r)
                .build();
        client.start();
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        var first = s.sendAndWaitAsync("first", TURN);
        var second = s.sendAndWaitAsync("second", TURN);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        s.sendAndWait("third", TURN);
        assertEquals(r.count("turnStarted"), r.count("turnEnded:SUCCESS"), r.calls.toString());
        assertTrue(r.count("turnStarted") >= 2 && r.count("turnStarted") <= 3, r.calls.toString());
    }

    @Test
    void anObserverThatThrowsNeverBreaksTheClient() {
        runtime = FakeRuntime.create();
        Recorder after = new Recorder();
        client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .observer(new Thrower())
                .observer(after)
                .build();
        client.start();
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        assertEquals("ECHO: hi", s.sendAndWait("hi", TURN).content());
        assertEquals("ECHO: again", s.sendAndWait("again", TURN).content());
        assertEquals(2, after.count("turnEnded:SUCCESS"), "the next observer is still called");
    }

    @Test
    void aTurnCutByTheConnectionEndsDisconnected() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime = FakeRuntime.builder()
                .responder(t -> {
                    entered.countDown();
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Reply.text("late");
                })
                .build();
        CountDownLatch ended = new CountDownLatch(1);
        Recorder r = new Recorder() {
            @Override
            public void turnEnded(CopilotSession session, TurnOutcome outcome, Throwable error) {
                super.turnEnded(session, outcome, error);
                ended.countDown();
            }
        };
        client = CopilotClient.builder()
                .transport(InMemoryTransport.to(runtime))
                .observer(r)
                .build();
        client.start();
        CopilotSession s = client.createSession(SessionConfig.builder().build());
        s.sendAndWaitAsync("x", TURN);
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        runtime.kill("killed by the test");
        assertTrue(ended.await(10, TimeUnit.SECONDS));
        release.countDown();
        assertEquals(
                List.of("turnEnded:DISCONNECTED"),
                r.calls.stream().filter(c -> c.startsWith("turnEnded")).toList());
    }
}
