package io.github.copilot4j.store.jdbc.state;

import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStateException;
import io.github.copilot4j.spi.SessionStateException.Code;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StateDirEntry;
import io.github.copilot4j.spi.StateFileStat;
import io.github.copilot4j.spi.StatePaths;
import io.github.copilot4j.store.jdbc.Dialect;
import io.github.copilot4j.store.jdbc.internal.Failures;
import io.github.copilot4j.store.jdbc.internal.Migrator;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * A {@link SessionStateStore} in an SQL database (H2 2.x or PostgreSQL 12+), through JDBI: the
 * runtime's per-session files and the session leases, so that any client sharing the database can
 * resume any session on its own CLI, one client at a time.
 *
 * <pre>{@code
 * SessionStateStore state = JdbcSessionStateStore.builder()
 *         .dataSource(pool)      // the same pool as the JdbcSessionStore, or any other; never closed by the store
 *         .build();              // creates/upgrades its tables (migrate(true), the default)
 * CopilotClient client = CopilotClient.builder().sessionStore(sessions).sessionFs(state).build();
 * }</pre>
 *
 * <h2>Schema</h2>
 *
 * Tables {@code copilot4j_state_files} (one row per file or directory: path, parent, size,
 * chunk count, times; unique {@code (session_id, path)}), {@code copilot4j_state_chunks} (a
 * file's content: one row per write or append, deleted with the file by {@code ON DELETE
 * CASCADE}), {@code copilot4j_state_leases} (holder, fencing token, expiry), the sequence {@code
 * copilot4j_state_lease_tokens}. They are version 2 of the same versioned migrations as the
 * session store ({@code io/github/copilot4j/store/jdbc/migrations/{h2,postgres}/V2__session_state.sql},
 * recorded in {@code copilot4j_schema_version}), so one database holds the session index, the
 * history and the runtime's state; building either store brings the schema up to date. With {@code
 * migrate(false)} apply the scripts with your own tool.
 *
 * <h2>Behaviour</h2>
 *
 * <ul>
 *   <li>An append inserts one chunk row and bumps the file's size and chunk count: O(appended
 *       bytes). A read concatenates the chunks in one statement. A write replaces the chunks.
 *   <li>Every write is one transaction that first locks the session's lease row ({@code SELECT
 *       ... FOR UPDATE}) and checks the fencing token, then the file's row: a lease taken over in
 *       between waits for the write or refuses it, never both.
 *   <li>Lease expiry uses the database's clock ({@code CURRENT_TIMESTAMP}), so application hosts
 *       need no synchronized clocks; file times use this store's {@link Clock}.
 *   <li>Lock conflicts, deadlocks and unique-key races are retried a few times, then reported as
 *       {@link SessionStoreException} naming the cause.
 *   <li>Paths are limited to {@value StatePaths#MAX_LENGTH} characters, session ids and holders
 *       to 256.
 * </ul>
 *
 * <p>Threads: thread-safe; every method runs on the caller's thread and blocks on JDBC; the store
 * starts no threads and never closes the DataSource.
 */
public final class JdbcSessionStateStore implements SessionStateStore {
    private static final int MAX_ATTEMPTS = 8;
    private static final String FILES = "copilot4j_state_files";
    private static final String CHUNKS = "copilot4j_state_chunks";
    private static final String LEASES = "copilot4j_state_leases";
    private static final String NODE_COLUMNS = "id, is_dir, size_bytes, chunk_count, modified_at, created_at";

    private final Jdbi jdbi;
    private final boolean postgres;
    private final Clock clock;
    private final String nextToken;
    private final String migrations;

    private JdbcSessionStateStore(Jdbi jdbi, boolean postgres, Clock clock) {
        this.jdbi = jdbi;
        this.postgres = postgres;
        this.clock = clock;
        this.nextToken = postgres
                ? "SELECT nextval('copilot4j_state_lease_tokens')"
                : "SELECT NEXT VALUE FOR copilot4j_state_lease_tokens";
        this.migrations = (postgres ? Dialect.POSTGRES : Dialect.H2).migrationsLocation();
    }

    /** A builder; a data source is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** True on PostgreSQL, false on H2. */
    public boolean isPostgres() {
        return postgres;
    }

    /** Where this dialect's migration scripts are, in Flyway's notation. */
    public String migrationsLocation() {
        return migrations;
    }

    /** A file or directory row. */
    private record Node(long id, boolean dir, long size, int chunks, Instant modifiedAt, Instant createdAt) {}

    // ------------------------------------------------------------------ files

    @Override
    public String readFile(String sessionId, String path) {
        check(sessionId, path);
        return run(
                "read " + path + " of session '" + sessionId + "'",
                () -> jdbi.withHandle(h -> {
                    List<Object[]> rows = h.createQuery(
                                    "SELECT f.is_dir, c.content FROM " + FILES + " f LEFT JOIN " + CHUNKS
                                            + " c ON c.file_id = f.id WHERE f.session_id = :s AND f.path = :p ORDER BY c.chunk_no")
                            .bind("s", sessionId)
                            .bind("p", path)
                            .map((rs, ctx) -> new Object[] {rs.getBoolean(1), rs.getString(2)})
                            .list();
                    if (rows.isEmpty()) {
                        throw new SessionStateException(
                                StatePaths.ROOT.equals(path) ? Code.EISDIR : Code.ENOENT, "open", path);
                    }
                    if ((Boolean) rows.get(0)[0]) {
                        throw new SessionStateException(Code.EISDIR, "read", path);
                    }
                    StringBuilder out = new StringBuilder();
                    for (Object[] r : rows) {
                        if (r[1] != null) {
                            out.append((String) r[1]);
                        }
                    }
                    return out.toString();
                }));
    }

    @Override
    public void writeFile(String sessionId, String path, String content, long fencingToken) {
        write(sessionId, path, content, fencingToken, false);
    }

    @Override
    public void appendFile(String sessionId, String path, String content, long fencingToken) {
        write(sessionId, path, content, fencingToken, true);
    }

    private void write(String sessionId, String path, String content, long fencingToken, boolean append) {
        check(sessionId, path);
        if (content == null) {
            throw new IllegalArgumentException("content must not be null");
        }
        long bytes = content.getBytes(StandardCharsets.UTF_8).length;
        int chunks = content.isEmpty() ? 0 : 1;
        inWriteTransaction(sessionId, fencingToken, (append ? "append to " : "write ") + path, h -> {
            Node n = lockNode(h, sessionId, path);
            if (StatePaths.ROOT.equals(path) || (n != null && n.dir())) {
                throw new SessionStateException(Code.EISDIR, "open", path);
            }
            Instant now = now();
            ensureDirs(h, sessionId, StatePaths.parent(path), now, "open", path);
            if (n == null) {
                long id = insertNode(h, sessionId, path, false, bytes, chunks, now);
                if (chunks > 0) {
                    insertChunk(h, id, 0, content);
                }
            } else if (append) {
                if (chunks > 0) {
                    insertChunk(h, n.id(), n.chunks(), content);
                }
                h.createUpdate("UPDATE " + FILES
                                + " SET size_bytes = size_bytes + :b, chunk_count = chunk_count + :c, modified_at = :t"
                                + " WHERE id = :id")
                        .bind("b", bytes)
                        .bind("c", chunks)
                        .bind("t", ts(now))
                        .bind("id", n.id())
                        .execute();
            } else {
                h.createUpdate("DELETE FROM " + CHUNKS + " WHERE file_id = :id")
                        .bind("id", n.id())
                        .execute();
                if (chunks > 0) {
                    insertChunk(h, n.id(), 0, content);
                }
                h.createUpdate("UPDATE " + FILES
                                + " SET size_bytes = :b, chunk_count = :c, modified_at = :t WHERE id = :id")
                        .bind("b", bytes)
                        .bind("c", chunks)
                        .bind("t", ts(now))
                        .bind("id", n.id())
                        .execute();
            }
        });
    }

    @Override
    public boolean exists(String sessionId, String path) {
        check(sessionId, path);
        if (StatePaths.ROOT.equals(path)) {
            return true;
        }
        return run(
                "check " + path + " of session '" + sessionId + "'",
                () -> jdbi.withHandle(h -> node(h, sessionId, path, false) != null));
    }

    @Override
    public StateFileStat stat(String sessionId, String path) {
        check(sessionId, path);
        if (StatePaths.ROOT.equals(path)) {
            return new StateFileStat(true, 0, Instant.EPOCH, Instant.EPOCH);
        }
        Node n = run(
                "stat " + path + " of session '" + sessionId + "'",
                () -> jdbi.withHandle(h -> node(h, sessionId, path, false)));
        if (n == null) {
            throw new SessionStateException(Code.ENOENT, "stat", path);
        }
        return new StateFileStat(n.dir(), n.size(), n.modifiedAt(), n.createdAt());
    }

    @Override
    public void mkdir(String sessionId, String path, boolean recursive, long fencingToken) {
        check(sessionId, path);
        inWriteTransaction(sessionId, fencingToken, "create directory " + path, h -> {
            boolean root = StatePaths.ROOT.equals(path);
            Node n = root ? null : lockNode(h, sessionId, path);
            if (recursive) {
                if (n != null && !n.dir()) {
                    throw new SessionStateException(Code.EEXIST, "mkdir", path);
                }
                if (n == null && !root) {
                    ensureDirs(h, sessionId, path, now(), "mkdir", path);
                }
                return;
            }
            if (root || n != null) {
                throw new SessionStateException(Code.EEXIST, "mkdir", path);
            }
            if (!isDir(h, sessionId, StatePaths.parent(path))) {
                throw new SessionStateException(Code.ENOENT, "mkdir", path);
            }
            insertNode(h, sessionId, path, true, 0, 0, now());
        });
    }

    @Override
    public List<StateDirEntry> readdir(String sessionId, String path) {
        check(sessionId, path);
        return run(
                "list " + path + " of session '" + sessionId + "'",
                () -> jdbi.withHandle(h -> {
                    if (!StatePaths.ROOT.equals(path)) {
                        Node n = node(h, sessionId, path, false);
                        if (n == null || !n.dir()) {
                            throw new SessionStateException(n == null ? Code.ENOENT : Code.ENOTDIR, "scandir", path);
                        }
                    }
                    List<StateDirEntry> out = new ArrayList<>(h.createQuery(
                                    "SELECT path, is_dir FROM " + FILES + " WHERE session_id = :s AND parent = :p")
                            .bind("s", sessionId)
                            .bind("p", path)
                            .map((rs, ctx) -> new StateDirEntry(StatePaths.name(rs.getString(1)), rs.getBoolean(2)))
                            .list());
                    out.sort((a, b) -> a.name().compareTo(b.name()));
                    return out;
                }));
    }

    @Override
    public void rm(String sessionId, String path, boolean recursive, boolean force, long fencingToken) {
        check(sessionId, path);
        inWriteTransaction(sessionId, fencingToken, "remove " + path, h -> {
            boolean root = StatePaths.ROOT.equals(path);
            Node n = root ? null : lockNode(h, sessionId, path);
            if (n == null && !root) {
                if (!force) {
                    throw new SessionStateException(Code.ENOENT, "rm", path);
                }
                return;
            }
            if (root || n.dir()) {
                if (!recursive) {
                    throw new SessionStateException(Code.EISDIR, "rm", path);
                }
                if (root) {
                    h.createUpdate("DELETE FROM " + FILES + " WHERE session_id = :s")
                            .bind("s", sessionId)
                            .execute();
                    return;
                }
                h.createUpdate("DELETE FROM " + FILES + " WHERE session_id = :s AND path LIKE :prefix ESCAPE '\\'")
                        .bind("s", sessionId)
                        .bind("prefix", likePrefix(path))
                        .execute();
            }
            h.createUpdate("DELETE FROM " + FILES + " WHERE id = :id")
                    .bind("id", n.id())
                    .execute();
        });
    }

    @Override
    public void rename(String sessionId, String source, String destination, long fencingToken) {
        check(sessionId, source);
        check(sessionId, destination);
        String where = source + "' -> '" + destination;
        inWriteTransaction(sessionId, fencingToken, "rename " + source + " to " + destination, h -> {
            if (StatePaths.ROOT.equals(source) || StatePaths.ROOT.equals(destination)) {
                throw new SessionStateException(Code.EINVAL, "rename", where);
            }
            Node src = lockNode(h, sessionId, source);
            if (src == null) {
                throw new SessionStateException(Code.ENOENT, "rename", where);
            }
            if (source.equals(destination)) {
                return;
            }
            if (!isDir(h, sessionId, StatePaths.parent(destination))) {
                throw new SessionStateException(Code.ENOENT, "rename", where);
            }
            Node dest = lockNode(h, sessionId, destination);
            Instant now = now();
            if (!src.dir()) {
                if (dest != null && dest.dir()) {
                    throw new SessionStateException(Code.EISDIR, "rename", where);
                }
                if (dest != null) {
                    h.createUpdate("DELETE FROM " + FILES + " WHERE id = :id")
                            .bind("id", dest.id())
                            .execute();
                }
                move(h, src.id(), destination, now);
                return;
            }
            if (StatePaths.isWithin(destination, source)) {
                throw new SessionStateException(Code.EINVAL, "rename", where);
            }
            if (dest != null) {
                if (!dest.dir()) {
                    throw new SessionStateException(Code.ENOTDIR, "rename", where);
                }
                int children = h.createQuery("SELECT COUNT(*) FROM " + FILES + " WHERE session_id = :s AND parent = :p")
                        .bind("s", sessionId)
                        .bind("p", destination)
                        .mapTo(Integer.class)
                        .one();
                if (children > 0) {
                    throw new SessionStateException(Code.ENOTEMPTY, "rename", where);
                }
                h.createUpdate("DELETE FROM " + FILES + " WHERE id = :id")
                        .bind("id", dest.id())
                        .execute();
            }
            List<Object[]> below = h.createQuery("SELECT id, path FROM " + FILES
                            + " WHERE session_id = :s AND path LIKE :prefix ESCAPE '\\'")
                    .bind("s", sessionId)
                    .bind("prefix", likePrefix(source))
                    .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getString(2)})
                    .list();
            if (!below.isEmpty()) {
                PreparedBatch batch =
                        h.prepareBatch("UPDATE " + FILES + " SET path = :path, parent = :parent WHERE id = :id");
                for (Object[] row : below) {
                    String moved = StatePaths.rebase((String) row[1], source, destination);
                    batch.bind("path", moved)
                            .bind("parent", StatePaths.parent(moved))
                            .bind("id", (Long) row[0])
                            .add();
                }
                batch.execute();
            }
            move(h, src.id(), destination, now);
        });
    }

    @Override
    public boolean deleteSession(String sessionId) {
        requireText("sessionId", sessionId);
        return run(
                "delete the state of session '" + sessionId + "'",
                () -> jdbi.inTransaction(h -> {
                    lockLease(h, sessionId);
                    int files = h.createUpdate("DELETE FROM " + FILES + " WHERE session_id = :s")
                            .bind("s", sessionId)
                            .execute();
                    h.createUpdate("DELETE FROM " + LEASES + " WHERE session_id = :s")
                            .bind("s", sessionId)
                            .execute();
                    return files > 0;
                }));
    }

    // ------------------------------------------------------------------ leases

    @Override
    public SessionLease acquireLease(String sessionId, String holder, Duration duration) {
        requireText("sessionId", sessionId);
        requireText("holder", holder);
        requirePositive(duration);
        return run(
                "acquire the lease on session '" + sessionId + "'",
                () -> jdbi.inTransaction(h -> {
                    Instant now = dbNow(h);
                    SessionLease current = lockLease(h, sessionId);
                    if (current != null
                            && !current.holder().equals(holder)
                            && current.expiresAt().isAfter(now)) {
                        throw new SessionLeaseException.Held(current);
                    }
                    long token = h.createQuery(nextToken).mapTo(Long.class).one();
                    SessionLease granted = new SessionLease(sessionId, holder, token, now.plus(duration));
                    if (current == null) {
                        h.createUpdate(
                                        "INSERT INTO " + LEASES
                                                + " (session_id, holder, token, acquired_at, expires_at) VALUES (:s, :h, :k, :a, :e)")
                                .bind("s", sessionId)
                                .bind("h", holder)
                                .bind("k", token)
                                .bind("a", ts(now))
                                .bind("e", ts(granted.expiresAt()))
                                .execute();
                    } else {
                        h.createUpdate(
                                        "UPDATE " + LEASES
                                                + " SET holder = :h, token = :k, acquired_at = :a, expires_at = :e WHERE session_id = :s")
                                .bind("s", sessionId)
                                .bind("h", holder)
                                .bind("k", token)
                                .bind("a", ts(now))
                                .bind("e", ts(granted.expiresAt()))
                                .execute();
                    }
                    return granted;
                }));
    }

    @Override
    public SessionLease renewLease(SessionLease lease, Duration duration) {
        Objects.requireNonNull(lease, "lease");
        requirePositive(duration);
        return run(
                "renew the lease on session '" + lease.sessionId() + "'",
                () -> jdbi.inTransaction(h -> {
                    Instant now = dbNow(h);
                    SessionLease current = lockLease(h, lease.sessionId());
                    if (!isSame(current, lease)) {
                        throw new SessionLeaseException.Stale(lease.sessionId(), lease.fencingToken(), current);
                    }
                    SessionLease renewed = new SessionLease(
                            lease.sessionId(), lease.holder(), lease.fencingToken(), now.plus(duration));
                    h.createUpdate("UPDATE " + LEASES + " SET expires_at = :e WHERE session_id = :s AND token = :k")
                            .bind("e", ts(renewed.expiresAt()))
                            .bind("s", lease.sessionId())
                            .bind("k", lease.fencingToken())
                            .execute();
                    return renewed;
                }));
    }

    @Override
    public boolean releaseLease(SessionLease lease) {
        Objects.requireNonNull(lease, "lease");
        return run(
                "release the lease on session '" + lease.sessionId() + "'",
                () -> jdbi.withHandle(h -> h.createUpdate("DELETE FROM " + LEASES
                                        + " WHERE session_id = :s AND holder = :h AND token = :k")
                                .bind("s", lease.sessionId())
                                .bind("h", lease.holder())
                                .bind("k", lease.fencingToken())
                                .execute()
                        > 0));
    }

    @Override
    public Optional<SessionLease> findLease(String sessionId) {
        requireText("sessionId", sessionId);
        return run(
                "read the lease on session '" + sessionId + "'",
                () -> jdbi.withHandle(h -> h.createQuery("SELECT session_id, holder, token, expires_at FROM " + LEASES
                                + " WHERE session_id = :s")
                        .bind("s", sessionId)
                        .map((rs, ctx) -> lease(rs))
                        .findOne()));
    }

    /** Nothing to release: the DataSource belongs to the caller. */
    @Override
    public void close() {
        // the store owns no resources
    }

    // ------------------------------------------------------------------ internals

    @FunctionalInterface
    private interface Body {
        void run(Handle h);
    }

    private void inWriteTransaction(String sessionId, long fencingToken, String what, Body body) {
        run(
                what + " of session '" + sessionId + "'",
                () -> jdbi.inTransaction(h -> {
                    SessionLease current = lockLease(h, sessionId);
                    long expected = current == null ? UNFENCED : current.fencingToken();
                    if (fencingToken != expected) {
                        throw new SessionLeaseException.Stale(sessionId, fencingToken, current);
                    }
                    body.run(h);
                    return null;
                }));
    }

    /** Runs a database operation, retrying races and lock conflicts; domain exceptions pass through. */
    private <T> T run(String what, Supplier<T> op) {
        for (int attempt = 1; ; attempt++) {
            try {
                return op.get();
            } catch (SessionStateException
                    | SessionLeaseException
                    | SessionStoreException
                    | IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) {
                if (attempt < MAX_ATTEMPTS && Failures.isTransient(e, true)) {
                    Failures.backoff(attempt, what);
                    continue;
                }
                throw Failures.translate("JDBC session state store", what, e, migrations);
            }
        }
    }

    private static boolean isSame(SessionLease current, SessionLease lease) {
        return current != null
                && current.fencingToken() == lease.fencingToken()
                && current.holder().equals(lease.holder());
    }

    private SessionLease lockLease(Handle h, String sessionId) {
        return h.createQuery("SELECT session_id, holder, token, expires_at FROM " + LEASES
                        + " WHERE session_id = :s FOR UPDATE")
                .bind("s", sessionId)
                .map((rs, ctx) -> lease(rs))
                .findOne()
                .orElse(null);
    }

    private static SessionLease lease(ResultSet rs) throws SQLException {
        return new SessionLease(rs.getString(1), rs.getString(2), rs.getLong(3), instant(rs, 4));
    }

    private Node lockNode(Handle h, String sessionId, String path) {
        return node(h, sessionId, path, true);
    }

    private Node node(Handle h, String sessionId, String path, boolean lock) {
        return h.createQuery("SELECT " + NODE_COLUMNS + " FROM " + FILES + " WHERE session_id = :s AND path = :p"
                        + (lock ? " FOR UPDATE" : ""))
                .bind("s", sessionId)
                .bind("p", path)
                .map((rs, ctx) -> new Node(
                        rs.getLong(1), rs.getBoolean(2), rs.getLong(3), rs.getInt(4), instant(rs, 5), instant(rs, 6)))
                .findOne()
                .orElse(null);
    }

    private boolean isDir(Handle h, String sessionId, String path) {
        if (StatePaths.ROOT.equals(path)) {
            return true;
        }
        Node n = node(h, sessionId, path, false);
        return n != null && n.dir();
    }

    /** Creates {@code dir} and its missing parents; ENOTDIR if one of them is a file. */
    private void ensureDirs(Handle h, String sessionId, String dir, Instant now, String operation, String target) {
        List<String> missing = new ArrayList<>();
        for (String p = dir; p != null && !StatePaths.ROOT.equals(p); p = StatePaths.parent(p)) {
            Node n = node(h, sessionId, p, false);
            if (n != null) {
                if (!n.dir()) {
                    throw new SessionStateException(Code.ENOTDIR, operation, target);
                }
                break;
            }
            missing.add(p);
        }
        for (int i = missing.size() - 1; i >= 0; i--) {
            insertNode(h, sessionId, missing.get(i), true, 0, 0, now);
        }
    }

    private long insertNode(Handle h, String sessionId, String path, boolean dir, long size, int chunks, Instant now) {
        return h.createUpdate("INSERT INTO " + FILES
                        + " (session_id, path, parent, is_dir, size_bytes, chunk_count, modified_at, created_at)"
                        + " VALUES (:s, :p, :parent, :d, :b, :c, :t, :t)")
                .bind("s", sessionId)
                .bind("p", path)
                .bind("parent", StatePaths.parent(path))
                .bind("d", dir)
                .bind("b", size)
                .bind("c", chunks)
                .bind("t", ts(now))
                .executeAndReturnGeneratedKeys("id")
                .map((rs, ctx) -> rs.getLong(1))
                .one();
    }

    private static void insertChunk(Handle h, long fileId, int chunkNo, String content) {
        h.createUpdate("INSERT INTO " + CHUNKS + " (file_id, chunk_no, content) VALUES (:f, :n, :c)")
                .bind("f", fileId)
                .bind("n", chunkNo)
                .bind("c", content)
                .execute();
    }

    private void move(Handle h, long id, String destination, Instant now) {
        h.createUpdate("UPDATE " + FILES + " SET path = :p, parent = :parent, modified_at = :t WHERE id = :id")
                .bind("p", destination)
                .bind("parent", StatePaths.parent(destination))
                .bind("t", ts(now))
                .bind("id", id)
                .execute();
    }

    /** {@code dir/%} for LIKE, with LIKE's own characters escaped. */
    private static String likePrefix(String dir) {
        StringBuilder b = new StringBuilder(dir.length() + 4);
        for (int i = 0; i < dir.length(); i++) {
            char c = dir.charAt(i);
            if (c == '\\' || c == '%' || c == '_') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append("/%").toString();
    }

    private Instant dbNow(Handle h) {
        return h.createQuery("SELECT CURRENT_TIMESTAMP")
                .map((rs, ctx) -> instant(rs, 1))
                .one()
                .truncatedTo(ChronoUnit.MILLIS);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static OffsetDateTime ts(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime odt = rs.getObject(column, OffsetDateTime.class);
        return odt == null ? null : odt.toInstant();
    }

    private static void check(String sessionId, String path) {
        requireText("sessionId", sessionId);
        StatePaths.requireNormalized(path);
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank() || value.length() > SessionRecord.MAX_ID_LENGTH) {
            throw new IllegalArgumentException(
                    name + " must be 1.." + SessionRecord.MAX_ID_LENGTH + " non-blank characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(name + " must not contain control characters");
            }
        }
    }

    private static void requirePositive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("lease duration must be positive, was " + d);
        }
    }

    // ------------------------------------------------------------------ builder

    /** Builds {@link JdbcSessionStateStore}s. */
    public static final class Builder {
        private DataSource dataSource;
        private boolean migrate = true;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The database (H2 or PostgreSQL); required. The store never closes it. */
        public Builder dataSource(DataSource ds) {
            this.dataSource = Objects.requireNonNull(ds, "dataSource");
            return this;
        }

        /** Create or upgrade the state tables at build time (default true); false if your own tool applies the scripts. */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** Clock for file times (default UTC system clock). Lease expiry always uses the database's clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Opens the store; with {@code migrate(true)} (the default) it first creates or upgrades the state schema.
         *
         * @throws SessionStoreException if the database is unreachable, not H2 or PostgreSQL, or its
         *     state schema is newer than this release
         */
        public JdbcSessionStateStore build() {
            if (dataSource == null) {
                throw new IllegalStateException("JdbcSessionStateStore needs a DataSource: call dataSource(...)");
            }
            String product;
            try (Connection c = dataSource.getConnection()) {
                product = c.getMetaData().getDatabaseProductName();
            } catch (SQLException e) {
                throw new SessionStoreException(
                        "JDBC session state store cannot connect to its database (" + e.getMessage()
                                + "); check that the database is running and the DataSource's settings",
                        e);
            }
            Dialect dialect = Dialect.fromProductName(product);
            if (dialect == null) {
                throw new SessionStoreException(
                        "JDBC session state store supports H2 and PostgreSQL, not '" + product + "'");
            }
            boolean postgres = dialect == Dialect.POSTGRES;
            Jdbi jdbi = Jdbi.create(dataSource);
            if (migrate) {
                try {
                    new Migrator(jdbi, postgres, dialect.migrationsPath(), dialect.migrationsLocation()).migrate();
                } catch (SessionStoreException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw Failures.translate(
                            "JDBC session state store", "migrate its schema", e, dialect.migrationsLocation());
                }
            }
            return new JdbcSessionStateStore(jdbi, postgres, clock);
        }
    }
}
