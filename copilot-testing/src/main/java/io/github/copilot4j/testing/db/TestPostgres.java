package io.github.copilot4j.testing.db;

import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds a PostgreSQL for the tests, once per JVM: the server named by env {@code COPILOT4J_PG_URL}
 * or system property {@code copilot4j.pg.url} (default {@value #DEFAULT_URL}, user {@code
 * postgres} or {@code COPILOT4J_PG_USER}, password {@code COPILOT4J_PG_PASSWORD} or none) when it
 * answers; else a Testcontainers PostgreSQL when a Docker engine is available; else the tests are
 * skipped with a loud reason, except when env {@code CI=true} or system property {@code
 * copilot4j.requirePostgres=true}, where they fail (CI must never skip them silently).
 *
 * <p>Each test gets its own schema ({@link #newSchema()}), so parallel runs never collide.
 *
 * <p>Needs, on the test class path, the PostgreSQL JDBC driver and HikariCP (and Testcontainers'
 * {@code postgresql} module for the Docker fallback); copilot-testing declares them optional.
 * Testcontainers is reached by reflection, so that this module's descriptor needs no module name for
 * it (Testcontainers jars have none).
 */
public final class TestPostgres {

    /** The server tried first when none is configured. */
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    /** Where the server is: JDBC URL and credentials. */
    public record Server(String url, String user, String password, String origin) {}

    private static Server server;
    private static String unavailable;

    private TestPostgres() {}

    /** True when a missing PostgreSQL must fail the tests (CI) instead of skipping them. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI"))
                || "true".equalsIgnoreCase(System.getenv("COPILOT4J_REQUIRE_POSTGRES"))
                || Boolean.getBoolean("copilot4j.requirePostgres");
    }

    /** The server, or a skipped test (a failed one where PostgreSQL is required). */
    public static synchronized Server server() {
        if (server == null && unavailable == null) {
            resolve();
        }
        if (server == null) {
            String msg = "PostgreSQL tests cannot run: " + unavailable;
            if (required()) {
                fail(msg + " (required because CI=true or -Dcopilot4j.requirePostgres=true)");
            }
            System.err.println("WARNING: SKIPPING POSTGRESQL TESTS. " + msg);
            Assumptions.abort(msg);
        }
        return server;
    }

    private static void resolve() {
        String url =
                firstNonBlank(System.getenv("COPILOT4J_PG_URL"), System.getProperty("copilot4j.pg.url"), DEFAULT_URL);
        String user =
                firstNonBlank(System.getenv("COPILOT4J_PG_USER"), System.getProperty("copilot4j.pg.user"), "postgres");
        String password =
                firstNonBlank(System.getenv("COPILOT4J_PG_PASSWORD"), System.getProperty("copilot4j.pg.password"), "");
        String localProblem;
        try (Connection c =
                DriverManager.getConnection(withParam(url, "connectTimeout=5&loginTimeout=5"), user, password)) {
            c.isValid(5);
            server = new Server(url, user, password, "local server " + url);
            return;
        } catch (SQLException e) {
            localProblem = url + " is not reachable (" + e.getMessage() + ")";
        }
        boolean docker;
        try {
            Class<?> factory = Class.forName("org.testcontainers.DockerClientFactory");
            Object instance = factory.getMethod("instance").invoke(null);
            docker = (Boolean) factory.getMethod("isDockerAvailable").invoke(instance);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            docker = false;
        }
        if (!docker) {
            unavailable = localProblem + ", and no Docker engine is available for Testcontainers."
                    + " Start PostgreSQL (e.g. pg_ctlcluster <version> main start) or set COPILOT4J_PG_URL";
            return;
        }
        try {
            Class<?> type = Class.forName("org.testcontainers.containers.PostgreSQLContainer");
            Object pg = type.getConstructor(String.class).newInstance("postgres:16-alpine");
            type.getMethod("start").invoke(pg);
            Method stop = type.getMethod("stop");
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    stop.invoke(pg);
                                } catch (ReflectiveOperationException e) {
                                    // the JVM is exiting; Testcontainers' own reaper removes the container
                                }
                            },
                            "stop-test-postgres"));
            server = new Server(
                    (String) type.getMethod("getJdbcUrl").invoke(pg),
                    (String) type.getMethod("getUsername").invoke(pg),
                    (String) type.getMethod("getPassword").invoke(pg),
                    "Testcontainers " + type.getMethod("getDockerImageName").invoke(pg));
        } catch (InvocationTargetException e) {
            unavailable = localProblem + ", and starting a Testcontainers PostgreSQL failed: " + e.getCause();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            unavailable = localProblem + ", and starting a Testcontainers PostgreSQL failed: " + e;
        }
    }

    /** A fresh schema on the server, with a pool whose connections use it. Close to drop it. */
    public static TestSchema newSchema() {
        Server s = server();
        String schema = "c4j_t_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        admin(s, "CREATE SCHEMA " + schema);
        return new TestSchema(s, schema);
    }

    /** Runs one SQL statement on the server, as the configured user. */
    public static void admin(Server s, String sql) {
        try (Connection c = DriverManager.getConnection(s.url(), s.user(), s.password());
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL admin statement failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** The JDBC URL with one more query parameter. */
    public static String withParam(String url, String param) {
        return url + (url.contains("?") ? "&" : "?") + param;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }

    /** One test's schema and a small pool on it. */
    public static final class TestSchema implements AutoCloseable {
        /** The server the schema is on. */
        public final Server server;
        /** The schema's name. */
        public final String schema;

        private HikariDataSource pool;

        TestSchema(Server server, String schema) {
            this.server = server;
            this.schema = schema;
        }

        /** JDBC URL whose connections use this schema. */
        public String url() {
            return withParam(server.url(), "currentSchema=" + schema);
        }

        /** A pool on this schema (one per TestSchema; closed with it). */
        public synchronized HikariDataSource dataSource() {
            if (pool == null) {
                pool = newPool();
            }
            return pool;
        }

        /** Another, independent pool on this schema (the caller closes it). */
        public HikariDataSource newPool() {
            HikariConfig cfg = new HikariConfig();
            cfg.setJdbcUrl(url());
            cfg.setUsername(server.user());
            cfg.setPassword(server.password());
            cfg.setMaximumPoolSize(10);
            cfg.setMinimumIdle(0);
            cfg.setConnectionTimeout(10_000);
            cfg.setPoolName("test-" + schema);
            return new HikariDataSource(cfg);
        }

        @Override
        public synchronized void close() {
            if (pool != null) {
                pool.close();
            }
            admin(server, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
