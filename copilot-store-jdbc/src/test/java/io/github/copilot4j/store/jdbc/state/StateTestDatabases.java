package io.github.copilot4j.store.jdbc.state;

import com.zaxxer.hikari.HikariDataSource;
import io.github.copilot4j.testing.db.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Databases for the state store tests: a fresh in-memory H2, or a fresh schema on the test
 * PostgreSQL ({@link TestPostgres}).
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
                try (Connection c = pool.getConnection();
                        Statement st = c.createStatement()) {
                    st.execute("SHUTDOWN");
                } catch (SQLException ignored) {
                    // already gone
                }
                second.dispose();
                pool.dispose();
            }
        };
    }

    /** A fresh schema on the test PostgreSQL (see {@link TestPostgres}: skipped or failed loudly when absent). */
    static Db postgres() {
        TestPostgres.TestSchema schema = TestPostgres.newSchema();
        HikariDataSource second = schema.newPool();
        return new Db() {
            @Override
            public DataSource dataSource() {
                return schema.dataSource();
            }

            @Override
            public DataSource secondPool() {
                return second;
            }

            @Override
            public void close() {
                second.close();
                schema.close();
            }
        };
    }

    /** Makes the session's lease expired, as if its holder had stopped renewing an hour ago. */
    static void expire(DataSource ds, String sessionId) {
        try (Connection c = ds.getConnection();
                var st = c.prepareStatement("UPDATE copilot4j_state_leases SET expires_at = ? WHERE session_id = ?")) {
            st.setObject(
                    1, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusHours(1));
            st.setString(2, sessionId);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
