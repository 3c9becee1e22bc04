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
import org.h2.engine.SysProperties;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection pools for the H2 databases that {@code JdbcSessionStore.h2(...)} creates. Only this
 * class (and {@link PrivateFiles}) refers to H2's classes, so the H2 jar is needed only when these
 * factories are used (callers check that the driver is present before touching this class).
 *
 * <p>File databases are private to this user: every file is created owner-only ({@link
 * PrivateFiles}), and the AUTO_SERVER listener binds to loopback. H2 has no per-database setting
 * for the address its auto-server binds to (AUTO_SERVER_PORT sets only the port); it reads the
 * JVM-wide system property {@value #BIND_PROPERTY} once, when its {@code SysProperties} class
 * loads. So loading this class sets that property to {@code 127.0.0.1} unless it is already set
 * (set it yourself, e.g. {@code -Dh2.bindAddress=0.0.0.0}, to serve other hosts: the processes
 * sharing the file must then reach each other there). If H2 was loaded in this JVM before, without
 * the property, the auto-server listens on every interface: that is logged as a warning with the fix.
 */
public final class H2DataSources {
    private static final Logger log = LoggerFactory.getLogger(H2DataSources.class);

    /** H2's system property for the address its servers (including AUTO_SERVER) bind to. */
    public static final String BIND_PROPERTY = "h2.bindAddress";

    static {
        // Before any H2 class reads its system properties: this class is the store's door to H2.
        if (System.getProperty(BIND_PROPERTY) == null) {
            System.setProperty(BIND_PROPERTY, "127.0.0.1");
        }
    }

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
     * Its files are created owner-only even in an existing directory, and existing ones (from an
     * older release) are made owner-only.
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
                    Files.createDirectories(
                            abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(abs);
                }
            }
        } catch (IOException e) {
            throw new SessionStoreException(
                    "Cannot create the H2 store directory " + abs + ": " + e.getMessage()
                            + "; check that the parent exists and is writable",
                    e);
        }
        try {
            PrivateFiles.tighten(abs.resolve(FILE_NAME + ".mv.db"));
            PrivateFiles.tighten(abs.resolve(FILE_NAME + ".trace.db"));
        } catch (IOException e) {
            throw new SessionStoreException(
                    "Cannot make the H2 store files in " + abs + " owner-only: " + e.getMessage()
                            + "; they must belong to the user running this process",
                    e);
        }
        warnIfAutoServerIsNotLoopback();
        PrivateFiles.register();
        String url =
                "jdbc:h2:" + PrivateFiles.SCHEME + ":" + abs.resolve(FILE_NAME) + ";AUTO_SERVER=TRUE" + COMMON_SETTINGS;
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        pool.setMaxConnections(MAX_CONNECTIONS);
        return new Owned(pool, pool::dispose);
    }

    private static volatile boolean warned;

    private static void warnIfAutoServerIsNotLoopback() {
        String bind = SysProperties.BIND_ADDRESS;
        boolean loopback;
        try {
            loopback = bind != null
                    && !bind.isEmpty()
                    && java.net.InetAddress.getByName(bind).isLoopbackAddress();
        } catch (IOException e) {
            loopback = false;
        }
        if (!loopback && !warned) {
            warned = true;
            log.warn(
                    "The H2 auto-server of the session store listens on {}, not on loopback only (H2 read the JVM-wide {}"
                            + " when it was first loaded: it was set so, or H2 was loaded before copilot4j set it to 127.0.0.1). Start the"
                            + " JVM with -D{}=127.0.0.1 to keep it local; other hosts still need the key in the owner-only .lock.db",
                    bind == null || bind.isEmpty() ? "every interface" : bind,
                    BIND_PROPERTY,
                    BIND_PROPERTY);
        }
    }

    /**
     * A pool on the named in-memory database of this JVM. The database lives while any store on it
     * is open (each holds one connection) and is dropped when the last one closes.
     */
    public static Owned memory(String name) {
        if (name == null || !MEMORY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "In-memory database name must be 1..64 characters of [A-Za-z0-9_-], was '" + name + "'");
        }
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:mem:" + name + COMMON_SETTINGS, "sa", "");
        pool.setMaxConnections(MAX_CONNECTIONS);
        Connection keeper;
        try {
            keeper = pool.getConnection();
        } catch (SQLException e) {
            pool.dispose();
            throw new SessionStoreException(
                    "Cannot open the in-memory H2 database '" + name + "': " + e.getMessage(), e);
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
