package io.github.copilot4j.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.testing.db.TestPostgres;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** What the contract does not cover: factories, ownership, clock, dialect details and failures. */
@Timeout(120)
class JdbcSessionStoreTest {

    static final Instant T = Instant.parse("2024-05-01T00:00:00Z");

    @Test
    void h2FileStoreKeepsEverythingAcrossARestart(@TempDir Path dir) {
        Path db = dir.resolve("nested/sessions");
        try (JdbcSessionStore store = JdbcSessionStore.h2(db)) {
            store.create(SessionRecord.newSession("s", "alice", "gpt", T).withConfig(Map.of("k", "v")));
            store.append("s", List.of(new NewEvent("e1", "user.message", T, null, null, "{\"content\":\"hi\"}")));
        }
        assertTrue(Files.exists(db.resolve("copilot4j.mv.db")), "the database file is in the directory");
        try (JdbcSessionStore store = JdbcSessionStore.h2(db)) {
            SessionRecord r = store.find("s").orElseThrow();
            assertEquals("alice", r.owner());
            assertEquals(Map.of("k", "v"), r.config());
            List<StoredEvent> events = store.readEvents("s", 0, 10);
            assertEquals(1, events.size());
            assertEquals("{\"content\":\"hi\"}", events.get(0).dataJson());
            assertEquals(
                    2,
                    store.append("s", List.of(new NewEvent("e2", "t", T, "e1", null, "{}")))
                            .get(0)
                            .seq());
        }
    }

    @Test
    void h2RefusesUrlInjectionThroughPathsAndNames(@TempDir Path dir) {
        assertThrows(
                IllegalArgumentException.class,
                () -> JdbcSessionStore.h2(dir.resolve("x;INIT=RUNSCRIPT FROM 'evil.sql'")));
        assertThrows(
                IllegalArgumentException.class, () -> JdbcSessionStore.h2InMemory("x;INIT=RUNSCRIPT FROM 'evil.sql'"));
        assertThrows(IllegalArgumentException.class, () -> JdbcSessionStore.h2InMemory(""));
        assertThrows(IllegalArgumentException.class, () -> JdbcSessionStore.h2InMemory(null));
    }

    @Test
    void inMemoryDatabaseIsSharedByNameAndDroppedWithTheLastStore() {
        JdbcSessionStore a = JdbcSessionStore.h2InMemory("shared-by-name");
        a.create(SessionRecord.newSession("s", null, null, T));
        try (JdbcSessionStore b = JdbcSessionStore.h2InMemory("shared-by-name")) {
            assertTrue(b.find("s").isPresent(), "same name, same database");
            a.close();
            assertTrue(b.find("s").isPresent(), "still there while one store is open");
        }
        try (JdbcSessionStore c = JdbcSessionStore.h2InMemory("shared-by-name")) {
            assertFalse(c.find("s").isPresent(), "gone after the last store closed");
        }
    }

    @Test
    void closeReleasesOnlyWhatTheStoreCreated() {
        TestPostgres.TestSchema schema = TestPostgres.newSchema();
        try (schema) {
            HikariDataSource pool = schema.dataSource();
            JdbcSessionStore store = JdbcSessionStore.builder().dataSource(pool).build();
            store.close();
            store.close(); // idempotent
            assertFalse(pool.isClosed(), "the application's pool stays open");
            SessionStoreException e = assertThrows(SessionStoreException.class, () -> store.find("x"));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void ownedH2PoolIsClosedWithTheStore(@TempDir Path dir) {
        Path lock = dir.resolve("copilot4j.lock.db");
        JdbcSessionStore store = JdbcSessionStore.h2(dir);
        store.create(SessionRecord.newSession("s", null, null, T));
        assertTrue(Files.exists(lock), "an open AUTO_SERVER database holds its lock file");
        store.close();
        assertFalse(Files.exists(lock), "closing the store closed its pool and so the database");
    }

    @Test
    void clockSetsUpdatedAtAndActivityAndUpdateNeverMovesActivityBack() {
        Instant now = Instant.parse("2025-01-01T10:00:00Z");
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        try (JdbcSessionStore store = JdbcSessionStore.builder()
                .dataSource(h2Pool("clock"))
                .clock(clock)
                .build()) {
            SessionRecord v1 = store.create(SessionRecord.newSession("s", null, null, T));
            store.append("s", List.of(new NewEvent("e", "t", T, null, null, "{}")));
            assertEquals(now, store.find("s").orElseThrow().lastActivityAt(), "append is activity at the clock's now");
            SessionRecord v2 = store.update(v1.withSummary("title")); // v1 still carries the old activity time
            assertEquals(now, v2.updatedAt());
            assertEquals(now, v2.lastActivityAt(), "an update does not undo the append's activity");
            assertEquals(v2, store.find("s").orElseThrow());
            SessionRecord v3 = store.update(v2.withLastActivityAt(now.plus(Duration.ofHours(1))));
            assertEquals(now.plus(Duration.ofHours(1)), v3.lastActivityAt(), "an update may move activity forward");
        }
    }

    @Test
    void builderNeedsADataSource() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> JdbcSessionStore.builder().build());
        assertTrue(e.getMessage().contains("dataSource"));
    }

    @Test
    void unsupportedDatabaseIsRefusedByName() {
        DataSource fake = (DataSource) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, a) -> {
                    if (m.getName().equals("getConnection")) {
                        DatabaseMetaData md = (DatabaseMetaData) Proxy.newProxyInstance(
                                getClass().getClassLoader(),
                                new Class<?>[] {DatabaseMetaData.class},
                                (p2, m2, a2) -> m2.getName().equals("getDatabaseProductName") ? "MySQL" : null);
                        return Proxy.newProxyInstance(
                                getClass().getClassLoader(),
                                new Class<?>[] {Connection.class},
                                (p3, m3, a3) -> switch (m3.getName()) {
                                    case "getMetaData" -> md;
                                    case "getAutoCommit", "isClosed" ->
                                        m3.getName().equals("getAutoCommit");
                                    case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
                                    default -> null;
                                });
                    }
                    return null;
                });
        SessionStoreException e = assertThrows(
                SessionStoreException.class,
                () -> JdbcSessionStore.builder().dataSource(fake).build());
        assertTrue(e.getMessage().contains("'MySQL'"), e.getMessage());
    }

    @Test
    void unreachableDatabaseFailsWithAClearMessage() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:1/nothing");
        ds.setConnectTimeout(2);
        SessionStoreException e = assertThrows(
                SessionStoreException.class,
                () -> JdbcSessionStore.builder()
                        .dataSource(ds)
                        .dialect(Dialect.POSTGRES)
                        .build());
        assertTrue(e.getMessage().contains("no database connection"), e.getMessage());
        assertTrue(e.getCause() != null, "cause attached");

        JdbcSessionStore lazy = JdbcSessionStore.builder()
                .dataSource(ds)
                .dialect(Dialect.POSTGRES)
                .migrate(false)
                .build();
        SessionStoreException onUse = assertThrows(SessionStoreException.class, () -> lazy.find("s"));
        assertTrue(
                onUse.getMessage().contains("could not read session 's'")
                        && onUse.getMessage().contains("no database connection"),
                onUse.getMessage());
    }

    @Test
    void postgresKeepsEventDataVerbatimAndRejectsInvalidJsonCleanly() {
        TestPostgres.TestSchema schema = TestPostgres.newSchema();
        try (schema;
                JdbcSessionStore store = JdbcSessionStore.builder()
                        .dataSource(schema.dataSource())
                        .build()) {
            assertEquals(Dialect.POSTGRES, store.dialect());
            store.create(SessionRecord.newSession("s", null, null, T));
            String data = "{ \"b\" : 1,  \"a\":[ 2 ,3], \"nul\":\"\\u0000\" }";
            store.append("s", List.of(new NewEvent("e", "t", T, null, null, data)));
            assertEquals(data, store.readEvents("s", 0, 1).get(0).dataJson(), "json column keeps the runtime's text");
            SessionStoreException e = assertThrows(
                    SessionStoreException.class,
                    () -> store.append("s", List.of(new NewEvent("bad", "t", T, null, null, "{not json"))));
            assertTrue(e.getMessage().contains("append to session 's'"), e.getMessage());
            assertEquals(1, store.readEvents("s", 0, 10).size(), "the failed append stored nothing");
        }
    }

    @Test
    void postgresOrdersIdsByCodePointWhateverTheDatabaseCollation() {
        TestPostgres.TestSchema schema = TestPostgres.newSchema();
        try (schema;
                JdbcSessionStore store = JdbcSessionStore.builder()
                        .dataSource(schema.dataSource())
                        .build()) {
            for (String id : List.of("a", "B", "b", "_", "A-", "a b")) {
                store.create(SessionRecord.newSession(id, null, null, T));
            }
            assertEquals(
                    List.of("b", "a b", "a", "_", "B", "A-"),
                    store.list(SessionQuery.all()).items().stream()
                            .map(SessionRecord::sessionId)
                            .toList());
        }
    }

    @Test
    void hostileOwnersAreRefusedBeforeSql() {
        try (JdbcSessionStore store = JdbcSessionStore.h2InMemory("refusals")) {
            IllegalArgumentException tooLong = assertThrows(
                    IllegalArgumentException.class,
                    () -> store.create(SessionRecord.newSession("s", "o".repeat(257), null, T)));
            assertTrue(tooLong.getMessage().contains("at most 256"), tooLong.getMessage());
            IllegalArgumentException nul =
                    assertThrows(IllegalArgumentException.class, () -> store.list(SessionQuery.byOwner("a\u0000b")));
            assertTrue(nul.getMessage().contains("U+0000"), nul.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> store.append("s", List.of(new NewEvent("e".repeat(300), "t", T, null, null, "{}"))));
        }
    }

    private static DataSource h2Pool(String name) {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        return ds;
    }
}
