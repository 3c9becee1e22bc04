package io.github.copilot4j.benchmarks.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.benchmarks.cli.CliBench;
import io.github.copilot4j.benchmarks.cli.StoreLagBench;
import io.github.copilot4j.benchmarks.support.Latencies;
import io.github.copilot4j.benchmarks.support.Report;
import io.github.copilot4j.spi.KeysetCursor;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.store.jdbc.Dialect;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Benchmark 4: {@link JdbcSessionStore} on an H2 file database ({@link JdbcSessionStore#h2(Path)},
 * in a temporary directory deleted afterwards) and on PostgreSQL (127.0.0.1:5432, database
 * {@code test}, user {@code postgres}, in a random schema dropped afterwards).
 *
 * <ul>
 *   <li>appends: events per second, one per call and in batches of 10 and 100, and one per call
 *       from 8 threads into 8 sessions (as the client's store lanes do);
 *   <li>{@code list} first page of 50 (all, and one owner's) with 1k, 10k and 100k sessions;
 *   <li>{@code lastEvents(session, 100)} with 1k, 10k and 100k events in the session;
 *   <li>{@code delete} of a session with 10k events.
 * </ul>
 *
 * The big sizes are seeded with plain batched INSERTs (not through the store), so seeding is
 * quick; the measured calls go through the store.
 *
 * <p>Run: {@code java -cp ... io.github.copilot4j.benchmarks.store.StoreBench [--quick] [--h2-only]}
 */
public final class StoreBench {
    static final String GROUP = "4 JDBC store";
    static final String PG_URL = System.getProperty("bench.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String PG_USER = System.getProperty("bench.pg.user", "postgres");
    static final String PG_PASSWORD = System.getProperty("bench.pg.password", "");
    static final int[] SIZES = {1_000, 10_000, 100_000};
    static final String EVENT_DATA =
            "{\"messageId\":\"3b7e4c1a-6f0e-4a53-9c2d-4c1f0f6b2a11\",\"content\":\"Here is how to create a virtual"
                    + " environment: run python -m venv .venv, then source .venv/bin/activate. Install packages with pip install -r"
                    + " requirements.txt.\",\"toolRequests\":[],\"interactionId\":\"6e57e3ab-0c4a-4b1e-9d55-2f1f0f6b2a11\"}";

    private StoreBench() {}

    public static void main(String[] args) throws Exception {
        Report r = new Report();
        List<String> a = java.util.Arrays.asList(args);
        run(r, a.contains("--quick"), null, a.contains("--h2-only"));
        System.out.println(r.table("JDBC store"));
    }

    /** A database under test: the store, and a raw connection source for seeding. */
    interface Db extends AutoCloseable {
        String name();

        SessionStore store();

        Connection raw() throws SQLException;

        /** Cast for a JSON column in an INSERT ({@code ?} or {@code CAST(? AS json)}). */
        String json(String type);

        @Override
        void close();
    }

    /**
     * Runs the store benchmarks on H2 (and PostgreSQL unless {@code h2Only}) and adds their rows to {@code report}.
     *
     * @param runtime the rates at which the real CLI produced persisted events in benchmark 3, or
     *     null if it was not run (the appends are then reported without the comparison)
     */
    public static void run(Report report, boolean quick, CliBench.Rates runtime, boolean h2Only) throws Exception {
        System.out.println("== 4. JDBC store: H2 file and PostgreSQL");
        try (Db h2 = h2()) {
            bench(report, h2, quick, runtime);
            if (runtime != null) {
                StoreLagBench.run(report, GROUP, h2.name(), h2.store(), quick);
            }
        }
        if (h2Only) {
            return;
        }
        Db pg;
        try {
            pg = postgres();
        } catch (RuntimeException | SQLException e) {
            report.add(GROUP, "PostgreSQL", "skipped: " + e.getMessage());
            return;
        }
        try (pg) {
            bench(report, pg, quick, runtime);
            if (runtime != null) {
                StoreLagBench.run(report, GROUP, pg.name(), pg.store(), quick);
            }
        }
    }

    private static void bench(Report report, Db db, boolean quick, CliBench.Rates runtime) throws Exception {
        String n = db.name();
        SessionStore store = db.store();
        int reps = quick ? 30 : 200;

        // --- appends
        double single = appends(report, db, "append 1 event/call", quick ? 300 : 2_000, 1);
        appends(report, db, "append 10 events/call", quick ? 100 : 500, 10);
        appends(report, db, "append 100 events/call", quick ? 20 : 100, 100);
        double parallel = parallelAppends(report, db, quick ? 200 : 1_000);
        if (runtime != null) {
            // Without counting on batching (which the client's store lanes do as soon as they fall behind):
            // one session's lane appends one event per call; the client runs up to 8 lanes at once.
            report.add(
                    GROUP,
                    n + ": 1 thread vs one busy CLI session",
                    String.format(
                            Locale.ROOT,
                            "%.1f× (%,.0f vs %.0f events/s)",
                            single / runtime.oneSession(),
                            single,
                            runtime.oneSession()),
                    "≥ 5×",
                    single >= 5 * runtime.oneSession());
            report.add(
                    GROUP,
                    n + ": 8 threads vs CLI with 20 sessions",
                    String.format(
                            Locale.ROOT,
                            "%.0f× (%,.0f vs %.0f events/s)",
                            parallel / runtime.manySessions(),
                            parallel,
                            runtime.manySessions()),
                    "≥ 10×",
                    parallel >= 10 * runtime.manySessions());
        }

        // --- list and lastEvents at three sizes
        String big = "bench-big-" + UUID.randomUUID();
        store.create(SessionRecord.newSession(big, "owner-big", "gpt-5", Instant.now()));
        Latencies[] listAll = new Latencies[SIZES.length];
        Latencies[] listOwner = new Latencies[SIZES.length];
        Latencies[] last = new Latencies[SIZES.length];
        Latencies[] deepAll = new Latencies[SIZES.length];
        Latencies[] deepOwner = new Latencies[SIZES.length];
        int sessionsSeeded = 0;
        long eventsSeeded = 0;
        for (int i = 0; i < SIZES.length; i++) {
            int size = SIZES[i];
            long t0 = System.nanoTime();
            seedSessions(db, sessionsSeeded, size);
            seedEvents(db, big, eventsSeeded, size);
            sessionsSeeded = size;
            eventsSeeded = size;
            analyze(db);
            System.out.printf(
                    Locale.ROOT,
                    "  (seeded up to %,d sessions and %,d events in %s ms)%n",
                    size,
                    size,
                    Latencies.ms(System.nanoTime() - t0));
            listAll[i] = time(
                    reps, () -> check(store.list(SessionQuery.all()).items().size() == 50, "page of 50"));
            listOwner[i] = time(
                    reps,
                    () -> check(
                            store.list(SessionQuery.byOwner("owner-7")).items().size() == 10
                                    || (size >= 5_000
                                            && store.list(SessionQuery.byOwner("owner-7"))
                                                            .items()
                                                            .size()
                                                    == 50),
                            "owner page"));
            last[i] = time(reps, () -> check(store.lastEvents(big, 100).size() == 100, "100 events"));
            // a page deep in the list: after the cursor of a session that 90% of the others are newer than
            SessionQuery deep = SessionQuery.all().after(cursorOfSeeded(size / 10));
            deepAll[i] = time(reps, () -> check(store.list(deep).items().size() == 50, "deep page"));
            SessionQuery deepOwn = SessionQuery.byOwner("owner-7").after(cursorOfSeeded(7 + 100 * (size / 1000)));
            deepOwner[i] = time(
                    reps,
                    () -> check(store.list(deepOwn).items().size() == Math.min(50, size / 1000), "deep owner page"));
        }
        sideBySide(report, n + ": list first 50", listAll, true);
        sideBySide(report, n + ": list first 50 of one owner", listOwner, true);
        sideBySide(report, n + ": list a page 90% deep", deepAll, true);
        sideBySide(report, n + ": list a page 90% deep, one owner", deepOwner, true);
        sideBySide(report, n + ": last 100 events", last, false);

        // --- delete a session with 10k events
        Latencies del = new Latencies();
        for (int r = 0; r < (quick ? 3 : 5); r++) {
            String victim = "bench-del-" + UUID.randomUUID();
            store.create(SessionRecord.newSession(victim, "owner-del", "gpt-5", Instant.now()));
            seedEvents(db, victim, 0, 10_000);
            long t0 = System.nanoTime();
            check(store.delete(victim), "deleted");
            del.add(System.nanoTime() - t0);
            check(store.lastEvents(victim, 1).isEmpty(), "events gone");
        }
        report.add(GROUP, n + ": delete session with 10k events", del.summary());
    }

    private static double appends(Report report, Db db, String label, int calls, int perCall) {
        SessionStore store = db.store();
        String sid = "bench-append-" + UUID.randomUUID();
        store.create(SessionRecord.newSession(sid, "owner-append", "gpt-5", Instant.now()));
        int warm = Math.max(200, calls / 2);
        long seq = 0;
        for (int i = 0; i < warm; i++) {
            store.append(sid, events(sid, seq, perCall));
            seq += perCall;
        }
        Latencies lat = new Latencies();
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            List<NewEvent> batch = events(sid, seq, perCall);
            seq += perCall;
            long s = System.nanoTime();
            store.append(sid, batch);
            lat.add(System.nanoTime() - s);
        }
        double perSecond = (double) calls * perCall / ((System.nanoTime() - t0) / 1e9);
        report.add(
                GROUP,
                db.name() + ": " + label,
                String.format(Locale.ROOT, "%,.0f events/s; per call %s", perSecond, lat.summary()));
        return perSecond;
    }

    private static double parallelAppends(Report report, Db db, int callsPerThread) throws Exception {
        SessionStore store = db.store();
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String sid = "bench-par-" + UUID.randomUUID();
                store.create(SessionRecord.newSession(sid, "owner-par", "gpt-5", Instant.now()));
                ids.add(sid);
            }
            Latencies lat = new Latencies();
            List<Future<?>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (String sid : ids) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < callsPerThread; i++) {
                        List<NewEvent> one = events(sid, i, 1);
                        long s = System.nanoTime();
                        store.append(sid, one);
                        lat.add(System.nanoTime() - s);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(600, TimeUnit.SECONDS);
            }
            double perSecond = (double) threads * callsPerThread / ((System.nanoTime() - t0) / 1e9);
            report.add(
                    GROUP,
                    db.name() + ": append 1 event/call, 8 threads",
                    String.format(Locale.ROOT, "%,.0f events/s; per call %s", perSecond, lat.summary()));
            return perSecond;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<NewEvent> events(String sid, long fromSeq, int count) {
        List<NewEvent> out = new ArrayList<>(count);
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            long k = fromSeq + i + 1;
            out.add(new NewEvent(
                    sid + "-e" + k, "assistant.message", now, k == 1 ? null : sid + "-e" + (k - 1), null, EVENT_DATA));
        }
        return out;
    }

    private static void sideBySide(Report report, String label, Latencies[] at, boolean sessions) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < at.length; i++) {
            if (i > 0) {
                sb.append(" | ");
            }
            sb.append(String.format(
                    Locale.ROOT, "%s: %s", SIZES[i] >= 1000 ? SIZES[i] / 1000 + "k" : SIZES[i], at[i].summary()));
        }
        // "Flat": the median at the largest size within 3x of the smallest, and at most +2 ms.
        long small = at[0].median();
        long large = at[at.length - 1].median();
        boolean flat = large <= Math.max(3 * small, small + 2_000_000);
        report.add(GROUP, label + (sessions ? " (by sessions)" : " (by events)"), sb.toString(), "flat", flat);
    }

    interface Action {
        void run() throws Exception;
    }

    private static Latencies time(int reps, Action a) throws Exception {
        for (int i = 0; i < Math.max(50, reps / 2); i++) {
            a.run(); // warm-up
        }
        Latencies lat = new Latencies();
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            a.run();
            lat.add(System.nanoTime() - t0);
        }
        return lat;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("benchmark sanity check failed: " + what);
        }
    }

    // ------------------------------------------------------------------ seeding

    /** The page cursor that ends at seeded session {@code i}. */
    private static String cursorOfSeeded(int i) {
        Instant t = SEED_BASE.plusSeconds(i);
        return KeysetCursor.after(SessionRecord.newSession(
                        String.format(Locale.ROOT, "seed-%07d", i), "owner-" + (i % 100), "gpt-5", t))
                .encode();
    }

    static final Instant SEED_BASE = Instant.parse("2025-01-01T00:00:00Z");

    /**
     * Adds seeded sessions {@code from} (inclusive) to {@code to} in one set-based INSERT ... SELECT
     * over a generated series: activity one second apart (newer for higher indexes), 100 owners.
     */
    private static void seedSessions(Db db, int from, int to) throws SQLException {
        boolean pg = db.name().equals("PostgreSQL");
        String series = pg ? "generate_series(?, ?) AS g(x)" : "SYSTEM_RANGE(?, ?) g";
        String x = pg ? "g.x" : "g.X";
        String ts = pg
                ? "(TIMESTAMPTZ '2025-01-01 00:00:00+00' + " + x + " * INTERVAL '1 second')"
                : "DATEADD(SECOND, " + x + ", TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00')";
        String id =
                pg ? "'seed-' || lpad(" + x + "::text, 7, '0')" : "'seed-' || LPAD(CAST(" + x + " AS VARCHAR), 7, '0')";
        String sql =
                "INSERT INTO copilot4j_sessions (id, owner, model, summary, created_at, updated_at, last_activity_at, expires_at,"
                        + " status, version, config, last_seq) SELECT " + id + ", 'owner-' || MOD(" + x
                        + ", 100), 'gpt-5', 'Seeded session ' || " + x
                        + ", " + ts + ", " + ts + ", " + ts + ", NULL, 'DETACHED', 1, " + db.json("jsonb") + ", 0 FROM "
                        + series;
        try (Connection c = db.raw();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, "{\"streaming\":\"false\"}");
            ps.setInt(2, from);
            ps.setInt(3, to - 1);
            check(ps.executeUpdate() == to - from, "seeded sessions");
        }
    }

    /** Appends events {@code from+1 .. to} to a session in one set-based INSERT ... SELECT, and moves its last_seq. */
    private static void seedEvents(Db db, String sid, long from, long to) throws SQLException {
        boolean pg = db.name().equals("PostgreSQL");
        String series = pg ? "generate_series(?, ?) AS g(x)" : "SYSTEM_RANGE(?, ?) g";
        String x = pg ? "g.x" : "g.X";
        String sql = "INSERT INTO copilot4j_events (session_id, seq, event_id, type, ts, parent_id, agent_id, data)"
                + " SELECT ?, " + x + ", ? || " + x + ", 'assistant.message', CURRENT_TIMESTAMP,"
                + " CASE WHEN " + x + " = 1 THEN NULL ELSE ? || (" + x + " - 1) END, NULL, " + db.json("json")
                + " FROM " + series;
        try (Connection c = db.raw()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, sid);
                ps.setString(2, sid + "-s");
                ps.setString(3, sid + "-s");
                ps.setString(4, EVENT_DATA);
                ps.setLong(5, from + 1);
                ps.setLong(6, to);
                check(ps.executeUpdate() == to - from, "seeded events");
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE copilot4j_sessions SET last_seq = ? WHERE id = ?")) {
                ps.setLong(1, to);
                ps.setString(2, sid);
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    /** Lets the planner see the new sizes (PostgreSQL autovacuum would, a little later). */
    private static void analyze(Db db) throws SQLException {
        try (Connection c = db.raw();
                Statement st = c.createStatement()) {
            if (db.name().equals("PostgreSQL")) {
                // (VACUUM too, so that autovacuum does not start on the fresh rows in the middle of the measurement)
                st.execute("VACUUM ANALYZE copilot4j_sessions");
                st.execute("VACUUM ANALYZE copilot4j_events");
            } else {
                st.execute("ANALYZE");
            }
        }
    }

    // ------------------------------------------------------------------ databases

    static Db h2() throws IOException {
        Path dir = Files.createTempDirectory("copilot4j-bench-h2-");
        JdbcSessionStore store = JdbcSessionStore.h2(dir);
        String url = "jdbc:h2:file:" + dir.resolve("copilot4j") + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000";
        return new Db() {
            @Override
            public String name() {
                return "H2 file";
            }

            @Override
            public SessionStore store() {
                return store;
            }

            @Override
            public Connection raw() throws SQLException {
                return DriverManager.getConnection(url, "sa", "");
            }

            @Override
            public String json(String type) {
                return "?";
            }

            @Override
            public void close() {
                store.close();
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    System.err.println("could not delete " + dir + ": " + e);
                }
            }
        };
    }

    static Db postgres() throws SQLException {
        String schema =
                "c4j_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PG_URL + "?connectTimeout=5", PG_USER, PG_PASSWORD);
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(PG_URL + "?currentSchema=" + schema + "&reWriteBatchedInserts=true");
        cfg.setUsername(PG_USER);
        cfg.setPassword(PG_PASSWORD);
        cfg.setMaximumPoolSize(10);
        cfg.setPoolName("bench-" + schema);
        HikariDataSource pool = new HikariDataSource(cfg);
        JdbcSessionStore store;
        try {
            store = JdbcSessionStore.builder()
                    .dataSource(pool)
                    .dialect(Dialect.POSTGRES)
                    .build();
        } catch (RuntimeException e) {
            pool.close();
            dropSchema(schema);
            throw e;
        }
        return new Db() {
            @Override
            public String name() {
                return "PostgreSQL";
            }

            @Override
            public SessionStore store() {
                return store;
            }

            @Override
            public Connection raw() throws SQLException {
                return pool.getConnection();
            }

            @Override
            public String json(String type) {
                return "CAST(? AS " + type + ")";
            }

            @Override
            public void close() {
                store.close();
                pool.close();
                dropSchema(schema);
            }
        };
    }

    private static void dropSchema(String schema) {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
                Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            System.err.println("could not drop schema " + schema + ": " + e.getMessage());
        }
    }
}
