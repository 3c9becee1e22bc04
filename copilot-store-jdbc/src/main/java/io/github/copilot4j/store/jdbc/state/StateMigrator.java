package io.github.copilot4j.store.jdbc.state;

import io.github.copilot4j.spi.SessionStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Applies the state store's own schema migrations ({@code V<n>__<name>.sql} in the dialect's
 * folder) and records them in {@value #VERSION_TABLE}, separately from the session store's
 * migrations, so the two evolve independently in one database. Runs on the thread that builds the
 * store.
 *
 * <p>Concurrent starts: on PostgreSQL the whole run is one transaction under a
 * transaction-scoped advisory lock (keyed by the current schema); on H2 every script is
 * idempotent and a run that loses a creation race is repeated.
 */
final class StateMigrator {
    record Migration(int version, String description) {
        String fileName() {
            return "V" + version + "__" + description + ".sql";
        }
    }

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "session_state"));
    static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();
    static final String VERSION_TABLE = "copilot4j_state_schema_version";
    static final String RESOURCES = "io/github/copilot4j/store/jdbc/state/migrations/";

    private static final int ADVISORY_LOCK_CLASS = 0x63346A01; // "c4j\1"
    private static final int H2_ATTEMPTS = 6;
    private static final String CREATE_VERSION_TABLE = "CREATE TABLE IF NOT EXISTS " + VERSION_TABLE
            + " (version INTEGER NOT NULL PRIMARY KEY, description VARCHAR(200) NOT NULL,"
            + " installed_at TIMESTAMP(3) WITH TIME ZONE NOT NULL)";

    private final Jdbi jdbi;
    private final boolean postgres;

    StateMigrator(Jdbi jdbi, boolean postgres) {
        this.jdbi = jdbi;
        this.postgres = postgres;
    }

    static String location(boolean postgres) {
        return "classpath:" + RESOURCES + (postgres ? "postgres" : "h2");
    }

    void migrate() {
        if (postgres) {
            jdbi.useTransaction(h -> {
                h.createQuery("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(:k, hashtext(COALESCE(current_schema(), '')))) l")
                        .bind("k", ADVISORY_LOCK_CLASS).mapTo(Integer.class).one();
                h.execute(CREATE_VERSION_TABLE);
                apply(h);
            });
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                jdbi.useHandle(h -> {
                    h.execute(CREATE_VERSION_TABLE);
                    apply(h);
                });
                return;
            } catch (SessionStoreException e) {
                throw e;
            } catch (RuntimeException e) {
                if (attempt >= H2_ATTEMPTS || StateFailures.sqlCause(e) == null) {
                    throw e;
                }
                StateFailures.backoff(attempt, "migrate the session state schema");
            }
        }
    }

    private void apply(Handle h) {
        Integer v = h.createQuery("SELECT MAX(version) FROM " + VERSION_TABLE).mapTo(Integer.class).one();
        int current = v == null ? 0 : v;
        if (current > LATEST) {
            throw new SessionStoreException("JDBC session state store: schema version " + current + " is newer than this copilot4j"
                    + " supports (" + LATEST + "); upgrade copilot4j (the database's " + VERSION_TABLE
                    + " table was written by a newer release)");
        }
        for (Migration m : MIGRATIONS) {
            if (m.version() <= current) {
                continue;
            }
            h.createScript(script(m)).executeAsSeparateStatements();
            try {
                OffsetDateTime now = OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC);
                h.createUpdate("INSERT INTO " + VERSION_TABLE + " (version, description, installed_at) VALUES (:v, :d, :t)")
                        .bind("v", m.version()).bind("d", m.description()).bind("t", now).execute();
            } catch (RuntimeException e) {
                if (postgres || !StateFailures.isUniqueViolation(e)) {
                    throw e;
                }
                // H2: another process applied the same idempotent script and recorded it first.
            }
        }
    }

    private String script(Migration m) {
        String path = RESOURCES + (postgres ? "postgres/" : "h2/") + m.fileName();
        try (InputStream in = StateMigrator.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new SessionStoreException("JDBC session state store: migration " + path
                        + " is missing from the classpath; the copilot-store-jdbc jar is incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SessionStoreException("JDBC session state store: cannot read migration " + path, e);
        }
    }
}
