package io.github.copilot4j.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.testing.db.TestPostgres;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Schema migrations at start, on H2 and PostgreSQL. */
@Timeout(120)
class MigrationTest {

    static final Instant T = Instant.parse("2024-05-01T00:00:00Z");

    /** Runs the same checks on one database kind; subclasses say how to get an empty database. */
    abstract static class Checks {
        final List<AutoCloseable> toClose = new ArrayList<>();

        /** A DataSource on a fresh, empty database (or schema). */
        abstract DataSource emptyDatabase() throws Exception;

        abstract Dialect dialect();

        @AfterEach
        void closeAll() throws Exception {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                toClose.get(i).close();
            }
        }

        JdbcSessionStore open(DataSource ds, boolean migrate) {
            JdbcSessionStore s =
                    JdbcSessionStore.builder().dataSource(ds).migrate(migrate).build();
            toClose.add(s);
            return s;
        }

        @Test
        void freshDatabaseGetsTheSchemaAndARecordedVersion() throws Exception {
            DataSource ds = emptyDatabase();
            JdbcSessionStore store = open(ds, true);
            assertEquals(dialect(), store.dialect(), "detected dialect");
            assertEquals(List.of(1, 2, 3), versions(ds));
            store.create(SessionRecord.newSession("s", "o", "m", T));
            assertEquals(
                    1,
                    store.append("s", List.of(new NewEvent("e", "t", T, null, null, "{}")))
                            .size());
            assertTrue(
                    tables(ds)
                            .containsAll(List.of("copilot4j_sessions", "copilot4j_events", "copilot4j_schema_version")),
                    "tables: " + tables(ds));
        }

        @Test
        void secondStartIsANoOpAndKeepsData() throws Exception {
            DataSource ds = emptyDatabase();
            JdbcSessionStore first = open(ds, true);
            first.create(SessionRecord.newSession("keep", "o", "m", T));
            first.close();
            JdbcSessionStore second = open(ds, true);
            assertEquals(List.of(1, 2, 3), versions(ds), "no second version row");
            assertTrue(second.find("keep").isPresent(), "data survives a restart");
        }

        @Test
        void concurrentFirstStartsAllSucceed() throws Exception {
            DataSource ds = emptyDatabase();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 8; i++) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        JdbcSessionStore.builder().dataSource(ds).build().close();
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                t.start();
                threads.add(t);
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(60_000);
                assertTrue(!t.isAlive(), "a concurrent start hangs");
            }
            assertEquals(List.of(), errors, "every concurrent first start succeeds");
            assertEquals(List.of(1, 2, 3), versions(ds));
        }

        @Test
        void newerSchemaIsRefusedWithAClearMessage() throws Exception {
            DataSource ds = emptyDatabase();
            open(ds, true).close();
            exec(
                    ds,
                    "INSERT INTO copilot4j_schema_version (version, description, installed_at) VALUES (7, 'from the future', CURRENT_TIMESTAMP)");
            SessionStoreException e = assertThrows(SessionStoreException.class, () -> open(ds, true));
            assertTrue(
                    e.getMessage()
                            .contains("schema version 7 is newer than this copilot4j supports (3); upgrade copilot4j"),
                    e.getMessage());
        }

        @Test
        void migrateFalseOnAnEmptyDatabaseFailsClearlyOnFirstUse() throws Exception {
            DataSource ds = emptyDatabase();
            JdbcSessionStore store = open(ds, false);
            SessionStoreException e = assertThrows(SessionStoreException.class, () -> store.find("x"));
            assertTrue(e.getMessage().contains("copilot4j tables are missing"), e.getMessage());
            assertTrue(e.getMessage().contains("migrate(true)"), e.getMessage());
            assertTrue(e.getMessage().contains(dialect().migrationsLocation()), e.getMessage());
            assertEquals(List.of(), tables(ds), "migrate(false) creates nothing");
        }

        @Test
        void migrateFalseWorksAfterTheShippedScriptsWereAppliedByAnotherTool() throws Exception {
            DataSource ds = emptyDatabase();
            String location = dialect().migrationsLocation().substring("classpath:".length());
            for (String file : List.of("V1__sessions.sql", "V2__session_state.sql", "V3__session_claims.sql")) {
                String script;
                try (InputStream in = getClass().getClassLoader().getResourceAsStream(location + "/" + file)) {
                    script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                try (Connection c = ds.getConnection();
                        Statement st = c.createStatement()) {
                    for (String sql : script.replaceAll("(?m)^--.*$", "").split(";")) {
                        if (!sql.isBlank()) {
                            st.execute(sql);
                        }
                    }
                }
            }
            JdbcSessionStore store = open(ds, false);
            store.create(SessionRecord.newSession("flyway", null, null, T));
            assertTrue(store.find("flyway").isPresent());
            store.claimSession("flyway", "tool", java.time.Duration.ofSeconds(5));
            assertTrue(store.findClaim("flyway").isPresent(), "claims work on the scripts applied by another tool");
        }

        List<Integer> versions(DataSource ds) throws SQLException {
            List<Integer> v = new ArrayList<>();
            try (Connection c = ds.getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT version FROM copilot4j_schema_version ORDER BY version")) {
                while (rs.next()) {
                    v.add(rs.getInt(1));
                }
            }
            return v;
        }

        List<String> tables(DataSource ds) throws SQLException {
            List<String> t = new ArrayList<>();
            String sql = dialect() == Dialect.POSTGRES
                    ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                    : "SELECT table_name FROM information_schema.tables WHERE table_schema = CURRENT_SCHEMA";
            try (Connection c = ds.getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    t.add(rs.getString(1).toLowerCase(Locale.ROOT));
                }
            }
            return t;
        }

        static void exec(DataSource ds, String sql) throws SQLException {
            try (Connection c = ds.getConnection();
                    Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }
    }

    @Nested
    class OnH2 extends Checks {
        @TempDir
        Path dir;

        @Override
        DataSource emptyDatabase() {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath() + ";AUTO_SERVER=TRUE");
            ds.setUser("sa");
            ds.setPassword("");
            return ds;
        }

        @Override
        Dialect dialect() {
            return Dialect.H2;
        }
    }

    @Nested
    class OnPostgres extends Checks {
        @Override
        DataSource emptyDatabase() {
            TestPostgres.TestSchema schema = TestPostgres.newSchema();
            toClose.add(schema);
            return schema.dataSource();
        }

        @Override
        Dialect dialect() {
            return Dialect.POSTGRES;
        }
    }
}
