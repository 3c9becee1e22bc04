package io.github.copilot4j.e2e.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.CopilotSession;
import io.github.copilot4j.Page;
import io.github.copilot4j.SessionConfig;
import io.github.copilot4j.SessionInfo;
import io.github.copilot4j.SessionNotFoundException;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One side of {@link TwoProcessSharedStoreTest}: drives its own real CLI (offline) with a client
 * whose store is the shared PostgreSQL, creating sessions, running turns in them (appending
 * events), listing, deleting its own sessions and the other side's, for a bounded time. Reports
 * what it did; after the other side is done too, it lists the store once more. One driver per
 * session: every third session is closed after its first turn, and only such sessions of the
 * other side can be deleted from here; deleting one the other side still drives is refused
 * ({@link SessionLeaseException.Held}) and leaves it alone.
 *
 * <p>Runs in the test's JVM ({@link #run}) and as the main class of a child JVM, which speaks a
 * line protocol on stdout ({@code C4J <kind> <data>}) and waits for {@code LIST} on stdin.
 */
final class SharedStoreWorker {
    static final Duration TURN = Duration.ofSeconds(60);
    /** Rounds done even when the time is up (a slow machine still exercises every kind of step). */
    static final int MIN_ROUNDS = 6;

    /** What one side did. */
    static final class Report {
        final List<String> created = new CopyOnWriteArrayList<>();
        final List<String> deleted = new CopyOnWriteArrayList<>();
        /** "id type" of the non-ephemeral events each session of this side received, in order. */
        final Map<String, List<String>> events = new LinkedHashMap<>();

        int turns;
        int lists;
        /** Deletes of the other side's sessions refused because it still drove them. */
        int refusedDeletes;

        void print(PrintStream out) {
            created.forEach(id -> out.println("C4J CREATED " + id));
            deleted.forEach(id -> out.println("C4J DELETED " + id));
            events.forEach((id, ids) ->
                    out.println("C4J EVENTS " + id + " " + String.join(",", ids).replace(' ', ':')));
            out.println("C4J COUNTS " + turns + " " + lists + " " + refusedDeletes);
            out.flush();
        }
    }

    private SharedStoreWorker() {}

    /** Works until {@code until} (System.nanoTime()), and at least {@link #MIN_ROUNDS} rounds. */
    static Report run(String me, String other, SessionStore store, OfflineCopilot offline, long until, long seed) {
        Report report = new Report();
        Random random = new Random(seed);
        List<CopilotSession> mine = new ArrayList<>();
        try (CopilotClient client = CopilotClient.builder()
                .transport(offline.stdioTransport())
                .sessionStore(store)
                .requestTimeout(Duration.ofSeconds(30))
                .build()) {
            client.start();
            int crossDeletes = 0;
            for (int i = 0; i < MIN_ROUNDS || System.nanoTime() < until; i++) {
                String id = me + "-" + i;
                CopilotSession s = client.createSession(SessionConfig.builder()
                        .sessionId(id)
                        .owner(me)
                        .model("gpt-5")
                        .build());
                List<String> received = new CopyOnWriteArrayList<>();
                synchronized (report.events) {
                    report.events.put(id, received);
                }
                s.on(e -> {
                    if (!e.ephemeral()) {
                        received.add(e.id() + " " + e.type());
                    }
                });
                report.created.add(id);
                s.sendAndWait(me + " says hello in " + id, TURN);
                report.turns++;
                if (i % 3 == 0) {
                    s.close(); // no longer driven: the other side may delete it
                } else {
                    mine.add(s);
                }
                if (i % 2 == 1 && !mine.isEmpty()) {
                    CopilotSession again = mine.get(random.nextInt(mine.size()));
                    again.sendAndWait(me + " appends to " + again.sessionId(), TURN);
                    report.turns++;
                }
                if (i % 3 == 2 || i >= 2 && crossDeletes == 0) {
                    Page<SessionInfo> theirs = client.listSessions(SessionQuery.byOwner(other));
                    report.lists++;
                    List<SessionInfo> candidates = new ArrayList<>(theirs.items());
                    java.util.Collections.shuffle(candidates, random);
                    for (SessionInfo candidate : candidates) {
                        String victim = candidate.sessionId();
                        try {
                            client.deleteSession(victim);
                            report.deleted.add(victim);
                            crossDeletes++;
                            break;
                        } catch (SessionNotFoundException raced) {
                            // the other side deleted it first
                        } catch (SessionLeaseException.Held driven) {
                            report.refusedDeletes++; // the other side drives it: not ours to delete
                        }
                    }
                }
                if (i % 4 == 3 && mine.size() > 1) {
                    CopilotSession victim = mine.remove(random.nextInt(mine.size()));
                    try {
                        client.deleteSession(victim.sessionId());
                        report.deleted.add(victim.sessionId());
                    } catch (SessionNotFoundException raced) {
                        // cannot happen: the runtime still has it
                    }
                }
                client.listSessions();
                report.lists++;
            }
            mine.forEach(CopilotSession::close);
        }
        return report;
    }

    /** The store's sessions, all pages, in list order. */
    static List<String> listAll(SessionStore store) {
        List<String> ids = new ArrayList<>();
        SessionQuery q = SessionQuery.all().withLimit(7); // small pages: the keyset paging is part of what is checked
        while (true) {
            Page<io.github.copilot4j.spi.SessionRecord> page = store.list(q);
            page.items().forEach(r -> ids.add(r.sessionId()));
            Optional<SessionQuery> next = q.next(page);
            if (next.isEmpty()) {
                return ids;
            }
            q = next.get();
        }
    }

    static HikariDataSource pool(String url, String user) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword("");
        cfg.setMaximumPoolSize(4);
        cfg.setMinimumIdle(0);
        cfg.setConnectionTimeout(10_000);
        cfg.setPoolName("worker-" + user);
        return new HikariDataSource(cfg);
    }

    /** Child JVM: args {@code me other seconds seed}; env C4J_PG_URL, C4J_PG_USER. */
    public static void main(String[] args) throws Exception {
        PrintStream out =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        String me = args[0];
        String other = args[1];
        long seconds = Long.parseLong(args[2]);
        long seed = Long.parseLong(args[3]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (HikariDataSource ds = pool(System.getenv("C4J_PG_URL"), System.getenv("C4J_PG_USER"));
                OfflineCopilot offline = OfflineCopilot.start()) {
            SessionStore store = JdbcSessionStore.builder().dataSource(ds).build();
            out.println("C4J READY");
            expect(in, "GO");
            Report r = run(me, other, store, offline, System.nanoTime() + seconds * 1_000_000_000L, seed);
            r.print(out);
            out.println("C4J WORKED");
            expect(in, "LIST");
            out.println("C4J LIST " + String.join(",", listAll(store)));
            out.println("C4J DONE");
        } catch (Throwable t) {
            out.println("C4J FAILED " + t);
            t.printStackTrace();
            System.exit(2);
        }
        System.exit(0);
    }

    private static void expect(BufferedReader in, String command) throws Exception {
        String line = in.readLine();
        if (!command.equals(line)) {
            throw new IllegalStateException("expected " + command + " from the parent, got " + line);
        }
    }
}
