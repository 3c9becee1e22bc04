package io.github.copilot4j.store.jdbc.internal;

import io.github.copilot4j.spi.SessionStoreException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Connection pools for the H2 databases that {@code JdbcSessionStore.h2(...)} creates. Only this
 * class refers to H2's classes, so the H2 jar is needed only when these factories are used (callers
 * check that the driver is present before touching this class).
 */
public final class H2DataSources {

    /** The database file's base name inside the directory ({@code copilot4j.mv.db}). */
    public static final String FILE_NAME = "copilot4j";

    private static final Pattern MEMORY_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_CONNECTIONS = 16;
    // Waits on a row lock up to 10 s before H2 reports a (retried) lock timeout.
    private static final String COMMON_SETTINGS = ";LOCK_TIMEOUT=10000";

    private H2DataSources() {}

    /** A DataSource the store owns, and how to release it. */
    public record Owned(DataSource dataSource, AutoCloseable closer) {}

    /**
     * A pool on the H2 file database in {@code dir}, creating the directory (owner-only
     * permissions where POSIX) if missing, in automatic mixed mode so other processes can share it.
     */
    public static Owned file(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        String text = abs.toString();
        if (text.indexOf(';') >= 0) {
            // Everything after ';' in an H2 URL is a setting: refuse rather than let a path inject one.
            throw new IllegalArgumentException("The H2 store directory must not contain ';': " + text);
        }
        try {
            if (!Files.isDirectory(abs)) {
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(abs);
                }
            }
        } catch (IOException e) {
            throw new SessionStoreException("Cannot create the H2 store directory " + abs + ": " + e.getMessage()
                    + "; check that the parent exists and is writable", e);
        }
        String url = "jdbc:h2:file:" + abs.resolve(FILE_NAME) + ";AUTO_SERVER=TRUE" + COMMON_SETTINGS;
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        pool.setMaxConnections(MAX_CONNECTIONS);
        return new Owned(pool, pool::dispose);
    }

    /**
     * A pool on the named in-memory database of this JVM. The database lives while any store on it
     * is open (each holds one connection) and is dropped when the last one closes.
     */
    public static Owned memory(String name) {
        if (name == null || !MEMORY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("In-memory database name must be 1..64 characters of [A-Za-z0-9_-], was '"
                    + name + "'");
        }
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:mem:" + name + COMMON_SETTINGS, "sa", "");
        pool.setMaxConnections(MAX_CONNECTIONS);
        Connection keeper;
        try {
            keeper = pool.getConnection();
        } catch (SQLException e) {
            pool.dispose();
            throw new SessionStoreException("Cannot open the in-memory H2 database '" + name + "': " + e.getMessage(), e);
        }
        return new Owned(pool, () -> {
            try {
                keeper.close();
            } finally {
                pool.dispose();
            }
        });
    }
}
