package io.github.copilot4j.store.jdbc.state;

import io.github.copilot4j.spi.SessionStoreException;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.ConnectionException;

/**
 * Classifies database failures of the state store (retry or give up) and words them. Standard
 * SQLSTATEs (PostgreSQL and H2) plus H2's own codes where it has no standard one.
 */
final class StateFailures {
    private static final String UNIQUE_VIOLATION = "23505";
    private static final int H2_LOCK_TIMEOUT = 50200;
    private static final int H2_CONCURRENT_UPDATE = 90131;
    private static final int H2_ROW_NOT_FOUND_WHEN_DELETING = 90112;

    private StateFailures() {}

    static SQLException sqlCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s) {
                return s;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    static boolean isUniqueViolation(Throwable t) {
        SQLException e = sqlCause(t);
        return e != null && UNIQUE_VIOLATION.equals(e.getSQLState());
    }

    /** Failures a new attempt of the same transaction may not meet (races included: the ops re-read first). */
    static boolean isTransient(Throwable t) {
        SQLException e = sqlCause(t);
        if (e == null) {
            return false;
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        int code = e.getErrorCode();
        return state.equals("40001") || state.equals("40P01") || state.equals("55P03") || state.equals(UNIQUE_VIOLATION)
                || code == H2_LOCK_TIMEOUT || code == H2_CONCURRENT_UPDATE || code == H2_ROW_NOT_FOUND_WHEN_DELETING;
    }

    static void backoff(int attempt, String what) {
        long max = Math.min(300, 5L << Math.min(attempt, 6));
        try {
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(1, max + 1));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new SessionStoreException("Interrupted while retrying to " + what, ie);
        }
    }

    static SessionStoreException translate(String what, Throwable t, String migrations) {
        SQLException e = sqlCause(t);
        String reason = e != null ? describe(e) : String.valueOf(t.getMessage());
        String prefix = "JDBC session state store could not " + what + ": ";
        String state = e == null || e.getSQLState() == null ? "" : e.getSQLState();
        if (t instanceof ConnectionException || state.startsWith("08")) {
            return new SessionStoreException(prefix + "no database connection (" + reason
                    + "); check that the database is running and reachable with the DataSource's settings", t);
        }
        if (state.equals("42P01") || state.startsWith("42S0") || e != null && (e.getErrorCode() == 42102 || e.getErrorCode() == 42104)) {
            return new SessionStoreException(prefix + "the copilot4j state tables are missing (" + reason
                    + "); build the store with migrate(true), or apply the SQL scripts in " + migrations + " with your migration tool", t);
        }
        if (isTransient(t)) {
            return new SessionStoreException(prefix + "the database kept reporting conflicts (" + reason + "); retry later", t);
        }
        return new SessionStoreException(prefix + reason, t);
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
