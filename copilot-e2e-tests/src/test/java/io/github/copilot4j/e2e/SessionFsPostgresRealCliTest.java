package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The session filesystem end to end with the state in PostgreSQL ({@code COPILOT4J_PG_URL},
 * default {@code jdbc:postgresql://127.0.0.1:5432/test}, user {@code postgres}), in a schema of its
 * own. Skipped loudly without a server, except with {@code CI=true} or {@code
 * COPILOT4J_REQUIRE_POSTGRES=true}, where that fails.
 */
class SessionFsPostgresRealCliTest extends SessionFsRealCliContract {
    private String url;
    private String user;
    private String password;
    private String schema;

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    @Override
    DataSource openDatabase() {
        url = env("COPILOT4J_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        user = env("COPILOT4J_PG_USER", "postgres");
        password = env("COPILOT4J_PG_PASSWORD", "");
        schema = "c4j_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String msg = "PostgreSQL at " + url + " is not reachable (" + e.getMessage() + ")";
            boolean required = "true".equalsIgnoreCase(System.getenv("CI")) || "true".equalsIgnoreCase(System.getenv("COPILOT4J_REQUIRE_POSTGRES"));
            if (required) {
                fail(msg + " (required: CI=true or COPILOT4J_REQUIRE_POSTGRES=true)");
            }
            System.err.println("WARNING: SKIPPING THE POSTGRESQL SESSION FILESYSTEM E2E TEST. " + msg);
            schema = null;
            Assumptions.abort(msg);
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setUser(user);
        ds.setPassword(password);
        ds.setCurrentSchema(schema);
        return ds;
    }

    @Override
    void dropDatabase() {
        if (schema == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            System.err.println("could not drop schema " + schema + ": " + e.getMessage());
        }
    }
}
