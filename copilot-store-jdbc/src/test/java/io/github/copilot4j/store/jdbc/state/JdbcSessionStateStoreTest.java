package io.github.copilot4j.store.jdbc.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionStoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the contract cannot see: the rows behind appends, two store instances on one database, migrations. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JdbcSessionStateStoreTest {

    static StateTestDatabases.Db db(String kind) {
        return kind.equals("h2") ? StateTestDatabases.h2() : StateTestDatabases.postgres();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anAppendIsOneNewChunkRowAndNothingIsRewritten(String kind) throws Exception {
        try (StateTestDatabases.Db db = db(kind)) {
            JdbcSessionStateStore store =
                    JdbcSessionStateStore.builder().dataSource(db.dataSource()).build();
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String line = "{\"type\":\"event\",\"n\":" + i + "}\n";
                store.appendFile("s1", "/events.jsonl", line, 0);
                pieces.add(line);
            }
            assertEquals(
                    pieces,
                    queryStrings(
                            db.dataSource(),
                            "SELECT c.content FROM copilot4j_state_chunks c JOIN copilot4j_state_files f ON f.id = c.file_id"
                                    + " WHERE f.session_id = 's1' AND f.path = '/events.jsonl' ORDER BY c.chunk_no"),
                    "one row per append, each holding exactly the appended text");
            assertEquals(String.join("", pieces), store.readFile("s1", "/events.jsonl"));
            assertEquals(
                    String.join("", pieces).length(),
                    store.stat("s1", "/events.jsonl").size());
            store.writeFile("s1", "/events.jsonl", "compacted\n", 0);
            assertEquals(
                    List.of("compacted\n"),
                    queryStrings(db.dataSource(), "SELECT content FROM copilot4j_state_chunks"));
            assertTrue(store.deleteSession("s1"));
            assertEquals(
                    List.of(),
                    queryStrings(db.dataSource(), "SELECT content FROM copilot4j_state_chunks"),
                    "chunks go with their file");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void twoStoreInstancesShareLeasesAndFencing(String kind) throws Exception {
        try (StateTestDatabases.Db db = db(kind)) {
            JdbcSessionStateStore a =
                    JdbcSessionStateStore.builder().dataSource(db.dataSource()).build();
            JdbcSessionStateStore b =
                    JdbcSessionStateStore.builder().dataSource(db.secondPool()).build();
            SessionLease la = a.acquireLease("shared", "node-a", Duration.ofMinutes(5));
            a.appendFile("shared", "/events.jsonl", "a1\n", la.fencingToken());
            SessionLeaseException.Held held = assertThrows(
                    SessionLeaseException.Held.class, () -> b.acquireLease("shared", "node-b", Duration.ofMinutes(5)));
            assertEquals("node-a", held.holder());
            StateTestDatabases.expire(db.dataSource(), "shared");
            SessionLease lb = b.acquireLease("shared", "node-b", Duration.ofMinutes(5));
            assertTrue(lb.fencingToken() > la.fencingToken());
            b.appendFile("shared", "/events.jsonl", "b1\n", lb.fencingToken());
            assertThrows(
                    SessionLeaseException.Stale.class,
                    () -> a.appendFile("shared", "/events.jsonl", "a2\n", la.fencingToken()));
            assertThrows(SessionLeaseException.Stale.class, () -> a.renewLease(la, Duration.ofMinutes(5)));
            assertEquals("a1\nb1\n", a.readFile("shared", "/events.jsonl"));
            assertEquals(lb, a.findLease("shared").orElseThrow());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void migrationsRunOnceAndANewerSchemaIsRefused(String kind) throws Exception {
        try (StateTestDatabases.Db db = db(kind)) {
            JdbcSessionStateStore.builder().dataSource(db.dataSource()).build();
            JdbcSessionStateStore.builder().dataSource(db.secondPool()).build();
            assertEquals(
                    List.of("1", "2", "3"),
                    queryStrings(db.dataSource(), "SELECT version FROM copilot4j_schema_version ORDER BY version"));
            exec(
                    db.dataSource(),
                    "INSERT INTO copilot4j_schema_version (version, description, installed_at)"
                            + " VALUES (9, 'from the future', CURRENT_TIMESTAMP)");
            SessionStoreException e = assertThrows(
                    SessionStoreException.class,
                    () -> JdbcSessionStateStore.builder()
                            .dataSource(db.dataSource())
                            .build());
            assertTrue(
                    e.getMessage()
                            .contains("schema version 9 is newer than this copilot4j supports (3); upgrade copilot4j"),
                    e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void withoutMigrationsAMissingSchemaIsNamed(String kind) throws Exception {
        try (StateTestDatabases.Db db = db(kind)) {
            JdbcSessionStateStore store = JdbcSessionStateStore.builder()
                    .dataSource(db.dataSource())
                    .migrate(false)
                    .build();
            SessionStoreException e =
                    assertThrows(SessionStoreException.class, () -> store.readFile("s1", "/events.jsonl"));
            assertTrue(
                    e.getMessage().contains("copilot4j tables are missing")
                            && e.getMessage().contains(store.migrationsLocation()),
                    e.getMessage());
        }
    }

    static List<String> queryStrings(DataSource ds, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static void exec(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
