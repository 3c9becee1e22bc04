package io.github.copilot4j.store.jdbc;

import java.util.Locale;

/** The SQL databases {@link JdbcSessionStore} supports. */
public enum Dialect {
    /** H2 2.x, embedded (file or in-memory) or client/server. */
    H2("h2"),
    /** PostgreSQL 12 or later. */
    POSTGRES("postgres");

    private final String directory;

    Dialect(String directory) {
        this.directory = directory;
    }

    /**
     * Where this dialect's migration scripts are on the classpath, in Flyway's notation, e.g.
     * {@code classpath:io/github/copilot4j/store/jdbc/migrations/postgres}. The files there are
     * named {@code V<n>__<description>.sql}; point Flyway or Liquibase at them if you build the
     * store with {@code migrate(false)}.
     */
    public String migrationsLocation() {
        return "classpath:" + migrationsPath();
    }

    /** The migrations' resource folder, without a leading slash. */
    public String migrationsPath() {
        return "io/github/copilot4j/store/jdbc/migrations/" + directory;
    }

    /** The dialect of a database, from JDBC's {@code DatabaseMetaData.getDatabaseProductName()}; null if unsupported. */
    public static Dialect fromProductName(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.equals("h2")) {
            return H2;
        }
        if (p.contains("postgres")) {
            return POSTGRES;
        }
        return null;
    }
}
