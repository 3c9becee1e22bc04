package io.github.copilot4j.testing.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.copilot4j.ClientState;
import io.github.copilot4j.ConnectionClosedException;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotException;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.ProtocolException;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.InMemorySessionStore;
import io.github.copilot4j.testing.LeakCheck;
import io.github.copilot4j.testing.reliability.MalformedCorpus.Case;
import io.github.copilot4j.testing.reliability.MalformedCorpus.Expect;
import io.github.copilot4j.testing.runtime.FakeRuntime;
import io.github.copilot4j.testing.runtime.InMemoryTransport;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds a seeded corpus of malformed frames and messages (see {@link MalformedCorpus}) from a
 * {@link FakeRuntime} into a real {@link CopilotClient}: the JSON-RPC engine, the client's router
 * and an open session's event handling. After every case the client either still answers a ping
 * on the same connection (the bad message was rejected) or has closed the connection with a
 * {@link ProtocolException} (broken framing cannot be resynchronized) — or, where the case ends the
 * stream inside a frame, reports the connection closed. Nothing may hang (every wait is bounded),
 * run out of memory (the default surefire heap of 1 GiB) or leave a thread behind.
 *
 * <p>Reproduce a failure with {@code -Dcopilot4j.fuzz.seed=<seed>} (printed in every failure) and
 * raise the count with {@code -Dcopilot4j.fuzz.cases=<n>}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MalformedInputTest {
    static final long DEFAULT_SEED = 0x5EED_C0DE_2026L;
    static final int MAX_FRAME = 16 * 1024 * 1024;
    static final String SESSION = "fuzzed-session";

    @Test
    void aThousandMalformedInputsAreRejectedOrCloseTheConnectionCleanly() throws Exception {
        long seed = Long.getLong("copilot4j.fuzz.seed", DEFAULT_SEED);
        int cases = Integer.getInteger("copilot4j.fuzz.cases", 1200);
        assertTrue(cases >= 1000 || System.getProperty("copilot4j.fuzz.cases") != null);
        String repro = " [seed " + seed + "; rerun with -Dcopilot4j.fuzz.seed=" + seed + "]";

        LeakCheck leaks = LeakCheck.start();
        Map<Expect, Integer> byExpectation = new EnumMap<>(Expect.class);
        Map<String, Integer> byKind = new TreeMap<>();
        int lived = 0;
        int closed = 0;
        InMemorySessionStore store = new InMemorySessionStore();
        try (FakeRuntime runtime = FakeRuntime.builder().recordRequests(false).build();
                CopilotClient client = CopilotClient.builder()
                        .transport(InMemoryTransport.to(runtime))
                        .sessionStore(store)
                        .maxFrameBytes(MAX_FRAME)
                        .requestTimeout(Duration.ofSeconds(10))
                        .startTimeout(Duration.ofSeconds(10))
                        .closeTimeout(Duration.ofSeconds(5))
                        .build()) {
            client.start();
            client.createSession(SessionConfig.builder().sessionId(SESSION).build());
            MalformedCorpus corpus = new MalformedCorpus(seed, SESSION, MAX_FRAME);
            for (int i = 0; i < cases; i++) {
                Case c = corpus.next();
                byExpectation.merge(c.expect(), 1, Integer::sum);
                byKind.merge(c.kind(), 1, Integer::sum);
                if (Boolean.getBoolean("copilot4j.fuzz.verbose")) {
                    System.out.println(c);
                }
                runtime.sendRaw(c.bytes());
                if (c.thenEndOfStream()) {
                    runtime.kill("the fake runtime ended its output after " + c.kind());
                }
                String outcome = probe(client);
                boolean ok = switch (c.expect()) {
                    case LIVES -> outcome.equals("lives");
                    case PROTOCOL_ERROR -> outcome.equals("protocol-error");
                    case LIVES_OR_PROTOCOL_ERROR -> outcome.equals("lives") || outcome.equals("protocol-error");
                    case CLOSED -> outcome.startsWith("closed") || outcome.equals("protocol-error");
                };
                if (!ok) {
                    fail(c + ": the client's outcome was " + outcome + repro);
                }
                if (outcome.equals("lives")) {
                    lived++;
                } else {
                    closed++;
                    reconnect(client, c, repro);
                }
            }
            // The client still works normally afterwards, on the same open session.
            CopilotSession s = client.session(SESSION).orElseThrow();
            assertEquals(
                    "ECHO: still fine",
                    s.sendAndWait("still fine", Duration.ofSeconds(10)).content(),
                    repro);
            List<StoredEvent> events = store.readEvents(SESSION, 0, 100_000);
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i + 1L, events.get(i).seq(), "seq gap-free" + repro);
                assertTrue(
                        ids.add(events.get(i).eventId()),
                        "no duplicate event " + events.get(i).eventId() + repro);
            }
        }
        System.out.println("Malformed input: " + cases + " cases, seed " + seed + ", connection lived " + lived
                + ", closed " + closed + "; by expectation " + byExpectation + "; by kind " + byKind);
        assertTrue(
                lived > cases / 2 && closed > cases / 10,
                "the corpus exercises both outcomes (lived " + lived + ", closed " + closed + ")" + repro);
        leaks.assertNoLeaks(Duration.ofSeconds(15));
    }

    /** "lives" if a ping on the same connection succeeds; else how the connection ended. */
    private static String probe(CopilotClient client) {
        try {
            client.ping();
            return client.state() == ClientState.CONNECTED ? "lives" : "pinged-but-state-" + client.state();
        } catch (ConnectionClosedException e) {
            if (hasProtocolException(e)) {
                String m = e.getMessage();
                return m.contains("Protocol error") ? "protocol-error" : "protocol-error-without-a-clear-message: " + m;
            }
            return "closed: " + e.getMessage();
        } catch (CopilotException | IllegalStateException e) {
            return "failed: " + e;
        }
    }

    private static boolean hasProtocolException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ProtocolException) {
                return true;
            }
        }
        return false;
    }

    private static void reconnect(CopilotClient client, Case c, String repro) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (client.state() != ClientState.DISCONNECTED && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        if (client.state() != ClientState.DISCONNECTED) {
            fail(c + ": the connection failed but the client state is " + client.state() + repro);
        }
        client.start();
        client.resumeSession(SESSION);
    }
}
