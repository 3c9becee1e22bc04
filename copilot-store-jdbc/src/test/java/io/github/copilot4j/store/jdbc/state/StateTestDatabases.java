package io.github.copilot4j.store.jdbc.state;

import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Assumptions;

/**
 * Databases for the state store tests: a fresh in-memory H2, or a fresh schema on the PostgreSQL
 * at {@code COPILOT4J_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/test}, user {@code
 * postgres} or {@code COPILOT4J_PG_USER}, password {@code COPILOT4J_PG_PASSWORD}). Without a
 * reachable PostgreSQL the PostgreSQL tests are skipped loudly, except when {@code CI=true} or
 * {@code COPILOT4J_REQUIRE_POSTGRES=true} (or {@code -Dcopilot4j.requirePostgres=true}): then they fail.
 */
final class StateTestDatabases {
    private StateTestDatabases() {}

    /** A database and how to drop it. */
    interface Db extends AutoCloseable {
        DataSource dataSource();

        /** Another, independent pool on the same database (a second process would have one); closed with this. */
        DataSource secondPool();

        @Override
        void close();
    }

    static Db h2() {
        String name = "state_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        JdbcConnectionPool second = JdbcConnectionPool.create(url, "sa", "");
        return new Db() {
            @Override
            public DataSource dataSource() {
                return pool;
            }

            @Override
            public DataSource secondPool() {
                return second;
            }

            @Override
            public void close() {
                try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                    st.execute("SHUTDOWN");
                } catch (SQLException ignored) {
                    // already gone
                }
                second.dispose();
                pool.dispose();
            }
        };
    }

    static boolean postgresRequired() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || "true".equalsIgnoreCase(System.getenv("COPILOT4J_REQUIRE_POSTGRES"))
                || Boolean.getBoolean("copilot4j.requirePostgres");
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    static Db postgres() {
        String url = env("COPILOT4J_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = env("COPILOT4J_PG_USER", "postgres");
        String password = env("COPILOT4J_PG_PASSWORD", "");
        String schema = "c4j_state_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + "connectTimeout=5&loginTimeout=5", user, password);
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String msg = "PostgreSQL at " + url + " is not reachable (" + e.getMessage() + "); start it or set COPILOT4J_PG_URL";
            if (postgresRequired()) {
                fail(msg + " (required: CI=true or COPILOT4J_REQUIRE_POSTGRES=true)");
            }
            System.err.println("WARNING: SKIPPING POSTGRESQL STATE STORE TESTS. " + msg);
            Assumptions.abort(msg);
        }
        String schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        HikariDataSource pool = pool(schemaUrl, user, password, schema);
        HikariDataSource second = pool(schemaUrl, user, password, schema + "-2");
        return new Db() {
            @Override
            public DataSource dataSource() {
                return pool;
            }

            @Override
            public DataSource secondPool() {
                return second;
            }

            @Override
            public void close() {
                second.close();
                pool.close();
                try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                } catch (SQLException e) {
                    System.err.println("could not drop test schema " + schema + ": " + e.getMessage());
                }
            }
        };
    }

    private static HikariDataSource pool(String url, String user, String password, String name) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(8);
        cfg.setMinimumIdle(0);
        cfg.setConnectionTimeout(10_000);
        cfg.setPoolName("state-" + name);
        return new HikariDataSource(cfg);
    }

    /** Makes the session's lease expired, as if its holder had stopped renewing an hour ago. */
    static void expire(DataSource ds, String sessionId) {
        try (Connection c = ds.getConnection();
                var st = c.prepareStatement("UPDATE copilot4j_state_leases SET expires_at = ? WHERE session_id = ?")) {
            st.setObject(1, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusHours(1));
            st.setString(2, sessionId);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
