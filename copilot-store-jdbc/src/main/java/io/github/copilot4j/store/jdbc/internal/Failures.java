package io.github.copilot4j.store.jdbc.internal;

import io.github.copilot4j.spi.SessionStoreException;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.ConnectionException;

/**
 * Classifies database failures (retry or give up) and turns them into {@link
 * SessionStoreException}s whose message names the cause and the next step. SQLSTATE codes are the
 * standard ones PostgreSQL and H2 both use, plus H2's own error codes where it has no standard one.
 */
public final class Failures {

    /** Unique or primary key violation. */
    static final String UNIQUE_VIOLATION = "23505";

    private static final int H2_LOCK_TIMEOUT = 50200;
    private static final int H2_CONCURRENT_UPDATE = 90131;
    private static final int H2_ROW_NOT_FOUND_WHEN_DELETING = 90112;

    private Failures() {}

    /** The first {@link SQLException} in {@code t}'s cause chain, or null. */
    public static SQLException sqlCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException) {
                return (SQLException) c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    public static boolean isUniqueViolation(Throwable t) {
        SQLException e = sqlCause(t);
        return e != null && UNIQUE_VIOLATION.equals(e.getSQLState());
    }

    /**
     * True for failures that a new attempt of the same transaction may not meet: serialization
     * failures, deadlocks, lock timeouts, and (when {@code uniqueIsRace}) a unique-key race.
     */
    public static boolean isTransient(Throwable t, boolean uniqueIsRace) {
        SQLException e = sqlCause(t);
        if (e == null) {
            return false;
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        int code = e.getErrorCode();
        return state.equals("40001") // serialization failure (both), H2 deadlock
                || state.equals("40P01") // PostgreSQL deadlock
                || state.equals("55P03") // PostgreSQL lock not available
                || code == H2_LOCK_TIMEOUT
                || code == H2_CONCURRENT_UPDATE
                || code == H2_ROW_NOT_FOUND_WHEN_DELETING
                || (uniqueIsRace && state.equals(UNIQUE_VIOLATION));
    }

    /** Sleeps a little before attempt {@code attempt + 1}: exponential with jitter, at most ~0.3 s. */
    public static void backoff(int attempt, String what) {
        long max = Math.min(300, 5L << Math.min(attempt, 6));
        try {
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(1, max + 1));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new SessionStoreException("Interrupted while retrying to " + what, ie);
        }
    }

    /** A store exception for a database failure of the session store while doing {@code what}. */
    public static SessionStoreException translate(String what, Throwable t, String migrationsLocation) {
        return translate("JDBC session store", what, t, migrationsLocation);
    }

    /** A store exception for a database failure of {@code store} (named in the message) while doing {@code what}. */
    public static SessionStoreException translate(String store, String what, Throwable t, String migrationsLocation) {
        SQLException e = sqlCause(t);
        String reason = e != null ? describe(e) : String.valueOf(t.getMessage());
        String prefix = store + " could not " + what + ": ";
        if (t instanceof ConnectionException
                || (e != null && e.getSQLState() != null && e.getSQLState().startsWith("08"))) {
            return new SessionStoreException(
                    prefix + "no database connection (" + reason
                            + "); check that the database is running and reachable with the DataSource's settings",
                    t);
        }
        if (e != null && isMissingTable(e)) {
            return new SessionStoreException(
                    prefix + "the copilot4j tables are missing (" + reason
                            + "); build the store with migrate(true), or apply the SQL scripts in " + migrationsLocation
                            + " with your migration tool",
                    t);
        }
        if (isTransient(t, false)) {
            return new SessionStoreException(
                    prefix + "the database kept reporting lock conflicts (" + reason
                            + "); the store is heavily contended, retry later",
                    t);
        }
        return new SessionStoreException(prefix + reason, t);
    }

    private static boolean isMissingTable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.equals("42P01") // PostgreSQL undefined_table
                || state.startsWith("42S0") // H2 table or view not found
                || e.getErrorCode() == 42102
                || e.getErrorCode() == 42103
                || e.getErrorCode() == 42104;
    }

    private static String describe(SQLException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = msg.indexOf('\n');
        if (nl > 0) {
            msg = msg.substring(0, nl);
        }
        int sql = msg.indexOf("; SQL statement:");
        if (sql > 0) {
            msg = msg.substring(0, sql);
        }
        if (msg.length() > 300) {
            msg = msg.substring(0, 300) + "...";
        }
        return "SQLSTATE " + e.getSQLState() + ": " + msg.trim();
    }
}
