package io.github.copilot4j.e2e.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.copilot4j.testing.db.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL of the reliability tests: {@code COPILOT4J_PG_URL} (default {@code
 * jdbc:postgresql://127.0.0.1:5432/test}), administered as {@code COPILOT4J_PG_USER} (default
 * {@code postgres}). Each test gets its own role and schema ({@link #newTenant()}), so that it can
 * cut exactly its own connections (the role loses LOGIN and its sessions are terminated) without
 * touching anybody else's. Without a server the tests are skipped, except where PostgreSQL is
 * required ({@code CI=true}, {@code COPILOT4J_REQUIRE_POSTGRES=true} or {@code
 * -Dcopilot4j.requirePostgres=true}): then they fail.
 */
final class Pg {
    static final String URL = firstNonBlank(
            System.getenv("COPILOT4J_PG_URL"),
            System.getProperty("copilot4j.pg.url"),
            "jdbc:postgresql://127.0.0.1:5432/test");
    static final String ADMIN =
            firstNonBlank(System.getenv("COPILOT4J_PG_USER"), System.getProperty("copilot4j.pg.user"), "postgres");
    static final String ADMIN_PASSWORD =
            firstNonBlank(System.getenv("COPILOT4J_PG_PASSWORD"), System.getProperty("copilot4j.pg.password"), "");

    private Pg() {}

    /** Skips the test without a server, fails it where PostgreSQL is required (see {@link TestPostgres}). */
    static void requireServer() {
        TestPostgres.server();
    }

    static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(URL, ADMIN, ADMIN_PASSWORD);
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL admin statement failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** A fresh role with its own schema; close drops both. */
    static Tenant newTenant() {
        requireServer();
        String name = "c4j_rel_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        admin("CREATE ROLE " + name + " LOGIN");
        admin("CREATE SCHEMA " + name + " AUTHORIZATION " + name);
        return new Tenant(name);
    }

    /** A role and schema of the same name. */
    static final class Tenant implements AutoCloseable {
        final String name;

        Tenant(String name) {
            this.name = name;
        }

        String url() {
            return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + name;
        }

        /** A small pool that fails fast while the database is unreachable. The caller closes it. */
        HikariDataSource pool() {
            HikariConfig cfg = new HikariConfig();
            cfg.setJdbcUrl(url());
            cfg.setUsername(name);
            cfg.setPassword("");
            cfg.setMaximumPoolSize(4);
            cfg.setMinimumIdle(0);
            cfg.setConnectionTimeout(1500);
            cfg.setValidationTimeout(1000);
            cfg.setPoolName("rel-" + name);
            return new HikariDataSource(cfg);
        }

        /** The outage: the role may not log in any more and its open connections are terminated. */
        void cut() {
            admin("ALTER ROLE " + name + " NOLOGIN");
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + name + "'");
        }

        void restore() {
            admin("ALTER ROLE " + name + " LOGIN");
        }

        @Override
        public void close() {
            restore();
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + name + "'");
            admin("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            admin("DROP ROLE IF EXISTS " + name);
        }
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }
}
