package io.github.copilot4j.store.jdbc.internal;

import io.github.copilot4j.spi.SessionStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Applies the schema migrations shipped as SQL resources ({@code V<n>__<name>.sql} in the dialect's
 * folder) and records each in {@code copilot4j_schema_version}. Runs on the thread that builds the
 * store.
 *
 * <p>Two processes starting at once: on PostgreSQL the whole run is one transaction holding a
 * transaction-scoped advisory lock keyed by the current schema, so the second waits and then finds
 * the work done. H2 commits DDL implicitly, so there every script is idempotent ({@code IF NOT
 * EXISTS}), a run that loses a creation race is simply run again, and the version row's primary
 * key settles which process records it.
 */
public final class Migrator {

    /** A shipped migration. */
    public record Migration(int version, String description) {
        String fileName() {
            return "V" + version + "__" + description + ".sql";
        }
    }

    /** Every migration this library ships, in order. */
    public static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "sessions"),
            // The runtime's per-session state and leases (JdbcSessionStateStore), in the same database.
            new Migration(2, "session_state"),
            // Session claims (one driver per session) with fencing tokens, checked by appends.
            new Migration(3, "session_claims"));

    /** The schema version this library supports (the newest it ships). */
    public static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    public static final String VERSION_TABLE = "copilot4j_schema_version";

    private static final int ADVISORY_LOCK_CLASS = 0x63346A00; // "c4j\0"
    private static final int H2_ATTEMPTS = 6;

    private final Jdbi jdbi;
    private final boolean postgres;
    private final String resourceDir;
    private final String location;

    /**
     * @param resourceDir classpath folder of the dialect's scripts, without a leading slash
     * @param location the same in user-facing notation, for messages
     */
    public Migrator(Jdbi jdbi, boolean postgres, String resourceDir, String location) {
        this.jdbi = jdbi;
        this.postgres = postgres;
        this.resourceDir = resourceDir;
        this.location = location;
    }

    /** Brings the schema up to {@link #LATEST}; refuses a database whose schema is newer. */
    public void migrate() {
        if (postgres) {
            jdbi.useTransaction(h -> {
                h.createQuery(
                                "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(:k, hashtext(COALESCE(current_schema(), '')))) l")
                        .bind("k", ADVISORY_LOCK_CLASS)
                        .mapTo(Integer.class)
                        .one();
                h.execute("CREATE TABLE IF NOT EXISTS " + VERSION_TABLE + " (version INTEGER NOT NULL PRIMARY KEY,"
                        + " description VARCHAR(200) NOT NULL, installed_at TIMESTAMP(3) WITH TIME ZONE NOT NULL)");
                apply(h);
            });
        } else {
            // H2's IF NOT EXISTS is not atomic: two sessions racing may both try to create an object
            // and one fails with "object already exists". The scripts are idempotent, so run again.
            for (int attempt = 1; ; attempt++) {
                try {
                    jdbi.useHandle(h -> {
                        h.execute(
                                "CREATE TABLE IF NOT EXISTS " + VERSION_TABLE
                                        + " (version INTEGER NOT NULL PRIMARY KEY,"
                                        + " description VARCHAR(200) NOT NULL, installed_at TIMESTAMP(3) WITH TIME ZONE NOT NULL)");
                        apply(h);
                    });
                    return;
                } catch (SessionStoreException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (attempt >= H2_ATTEMPTS || Failures.sqlCause(e) == null) {
                        throw e;
                    }
                    Failures.backoff(attempt, "migrate the schema");
                }
            }
        }
    }

    private void apply(Handle h) {
        int current = recorded(h);
        refuseNewer(current);
        for (Migration m : MIGRATIONS) {
            if (m.version() <= current) {
                continue;
            }
            h.createScript(script(m)).executeAsSeparateStatements();
            try {
                h.createUpdate("INSERT INTO " + VERSION_TABLE
                                + " (version, description, installed_at) VALUES (:v, :d, :t)")
                        .bind("v", m.version())
                        .bind("d", m.description())
                        .bind("t", Rows.timestamp(Instant.now()))
                        .execute();
            } catch (RuntimeException e) {
                if (postgres || !Failures.isUniqueViolation(e)) {
                    throw e;
                }
                // H2: another process applied the same idempotent script and recorded it first.
            }
        }
    }

    /** Throws if {@code version} is newer than this library knows. */
    public void refuseNewer(int version) {
        if (version > LATEST) {
            throw new SessionStoreException("JDBC session store: schema version " + version
                    + " is newer than this copilot4j supports (" + LATEST + "); upgrade copilot4j"
                    + " (the database's " + VERSION_TABLE + " table was written by a newer release)");
        }
    }

    private static int recorded(Handle h) {
        Integer v = h.createQuery("SELECT MAX(version) FROM " + VERSION_TABLE)
                .mapTo(Integer.class)
                .one();
        return v == null ? 0 : v;
    }

    private String script(Migration m) {
        String path = resourceDir + "/" + m.fileName();
        // Class (not ClassLoader) lookup: finds the resource in this module on the module path too.
        try (InputStream in = Migrator.class.getResourceAsStream("/" + path)) {
            if (in == null) {
                throw new SessionStoreException("JDBC session store: migration " + path
                        + " is missing from the classpath; the copilot-store-jdbc jar is incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SessionStoreException(
                    "JDBC session store: cannot read migration " + path + " (" + location + ")", e);
        }
    }
}
