package io.github.copilot4j.store.jdbc;

import io.github.copilot4j.Page;
import io.github.copilot4j.SessionQuery;
import io.github.copilot4j.spi.KeysetCursor;
import io.github.copilot4j.spi.NewEvent;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStore;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StoredEvent;
import io.github.copilot4j.store.jdbc.internal.Claims;
import io.github.copilot4j.store.jdbc.internal.ConfigCodec;
import io.github.copilot4j.store.jdbc.internal.Failures;
import io.github.copilot4j.store.jdbc.internal.H2DataSources;
import io.github.copilot4j.store.jdbc.internal.Inputs;
import io.github.copilot4j.store.jdbc.internal.Migrator;
import io.github.copilot4j.store.jdbc.internal.Rows;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.TemplateEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SessionStore} in an SQL database, through JDBI: H2 (embedded file, in-memory, or
 * server) or PostgreSQL. Several processes may share one database; they see each other's
 * sessions, and concurrent appends to one session from any number of threads and processes keep
 * its {@code seq} gap-free and strictly increasing without losing or duplicating an event.
 *
 * <pre>{@code
 * SessionStore store = JdbcSessionStore.h2(Path.of("/var/lib/myapp/sessions"));   // embedded H2 file
 * SessionStore test  = JdbcSessionStore.h2InMemory("tests");                       // this JVM only
 * SessionStore pg    = JdbcSessionStore.builder()
 *         .dataSource(hikariDataSource)          // any pool; the store never closes it
 *         .dialect(Dialect.POSTGRES)             // or leave unset to detect it
 *         .migrate(true)                         // default: create/upgrade the tables at start
 *         .build();
 * }</pre>
 *
 * <h2>Schema and migrations</h2>
 *
 * Tables {@code copilot4j_sessions} (one row per session, with an optimistic {@code version} and
 * the {@code last_seq} counter), {@code copilot4j_events} (append-only; primary key {@code
 * (session_id, seq)}, unique {@code (session_id, event_id)}, deleted with their session by {@code
 * ON DELETE CASCADE}), {@code copilot4j_session_claims} (who drives a session: holder, fencing
 * token from the sequence {@code copilot4j_session_claim_tokens}, expiry) and {@code
 * copilot4j_schema_version}. The DDL ships as versioned SQL resources, one folder per dialect
 * ({@code V2__session_state.sql} belongs to {@code JdbcSessionStateStore}):
 *
 * <ul>
 *   <li>{@code io/github/copilot4j/store/jdbc/migrations/h2/V1__sessions.sql}, {@code V3__session_claims.sql}
 *   <li>{@code io/github/copilot4j/store/jdbc/migrations/postgres/V1__sessions.sql}, {@code V3__session_claims.sql}
 * </ul>
 *
 * With {@code migrate(true)} (the default) the store applies the missing ones at start and records
 * them in {@code copilot4j_schema_version}; a second start is a no-op, two processes starting at
 * once are safe (PostgreSQL: one transaction under an advisory lock; H2: idempotent {@code IF NOT
 * EXISTS} DDL), and a database whose recorded version is newer than {@link #SCHEMA_VERSION} is
 * refused ("schema version 7 is newer than this copilot4j supports (1); upgrade copilot4j"). With
 * {@code migrate(false)} the store neither creates nor checks anything: run the scripts with your
 * own tool ({@link Dialect#migrationsLocation()} gives Flyway's notation; the file names follow
 * Flyway's {@code V<n>__<name>.sql}). If the tables are missing, the first operation fails with a
 * {@link SessionStoreException} saying so.
 *
 * <h2>Behaviour</h2>
 *
 * <ul>
 *   <li>{@code append} runs one transaction: it locks the session row ({@code SELECT ... FOR
 *       UPDATE}), skips event ids the session already has (and repeats within the batch),
 *       allocates seq from {@code last_seq}, batch-inserts, and moves {@code last_seq} and {@code
 *       last_activity_at} forward (to the newest of the stored value, the events' timestamps and
 *       the clock's now; never back). Lock timeouts, deadlocks, serialization failures and
 *       unique-key races are retried a few times, then reported. In the same transaction it locks
 *       the session's claim row and refuses a fencing token that is not the current claim's
 *       ({@link SessionLeaseException.Stale}); the unfenced {@code append(id, events)} is refused
 *       for a claimed session.
 *   <li>Claims ({@code claimSession}, {@code renewClaim}, {@code releaseClaim}) are one
 *       transaction each that locks the claim row; expiry uses the database's clock ({@code
 *       CURRENT_TIMESTAMP}), so application hosts need no synchronized clocks. {@code delete}
 *       removes the claim with the session.
 *   <li>{@code update} is optimistic on {@code version}; it sets {@code updatedAt} from the clock
 *       and never moves {@code lastActivityAt} back (an update based on a record read before a
 *       concurrent append keeps the append's newer activity time).
 *   <li>{@code list} uses keyset cursors ({@link KeysetCursor}) over {@code (last_activity_at
 *       DESC, id DESC)}, never OFFSET; ids and owners compare exactly (case, spaces and Unicode
 *       normalisation matter).
 *   <li>Every value is a bound parameter. Session ids, owners and event ids are limited to 256
 *       characters, and no text may contain U+0000 or an unpaired surrogate (databases cannot
 *       store those faithfully): such input is refused with {@link IllegalArgumentException}.
 *       Database failures surface as {@link SessionStoreException} with the cause attached.
 * </ul>
 *
 * <h2>H2 file databases</h2>
 *
 * {@link #h2(Path)} opens {@code <dir>/copilot4j.mv.db} in H2's automatic mixed mode ({@code
 * AUTO_SERVER=TRUE}): the first process opens the file and serves the others over a TCP port
 * that only accepts clients presenting the random key H2 keeps in {@code <dir>/copilot4j.lock.db}.
 * Every file of the database (the database, the lock file with the key, trace and temporary
 * files) is created owner-only ({@code rw-------}, where the file system has POSIX permissions),
 * whatever the directory's permissions and the umask; files left by an older release are made
 * owner-only when the store opens them. A missing directory is created owner-only; an existing
 * one is left as it is. The auto-server listens on loopback only: H2 offers no per-database
 * setting for that (AUTO_SERVER_PORT chooses only the port), only the JVM-wide system property
 * {@code h2.bindAddress}, which H2 reads once when it is first loaded. The store sets it to
 * {@code 127.0.0.1} unless it is set already; set it yourself (e.g. {@code
 * -Dh2.bindAddress=0.0.0.0}) if processes on other hosts must share the file. If H2 was loaded in
 * this JVM before the store could set it, the store logs a warning naming the fix. So processes
 * sharing one file database must run on one host (which a file database needs anyway). If the
 * serving process exits, the others' open transactions are rolled back and they reconnect.
 *
 * <p>Threads: thread-safe; every method runs on the caller's thread and blocks on JDBC. The store
 * starts no threads. {@link #close()} releases only a pool the store created itself ({@link
 * #h2(Path)}, {@link #h2InMemory(String)}); a DataSource given to the builder stays open.
 */
public final class JdbcSessionStore implements SessionStore {

    /** The schema version this release writes and the newest it accepts. */
    public static final int SCHEMA_VERSION = Migrator.LATEST;

    private static final Logger log = LoggerFactory.getLogger(JdbcSessionStore.class);
    private static final int MAX_ATTEMPTS = 8;
    private static final int IN_LIST_CHUNK = 500;

    private static final String SESSIONS = "copilot4j_sessions";
    private static final String EVENTS = "copilot4j_events";

    private final Jdbi jdbi;
    private final DataSource dataSource;
    private final Dialect dialect;
    private final Clock clock;
    private final AutoCloseable owned;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String insertSession;
    private final String updateSession;
    private final String insertEvent;
    private final Claims claims;

    private JdbcSessionStore(Jdbi jdbi, DataSource dataSource, Dialect dialect, Clock clock, AutoCloseable owned) {
        this.dataSource = dataSource;
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.clock = clock;
        this.owned = owned;
        this.claims = new Claims(dialect == Dialect.POSTGRES);
        String json = dialect == Dialect.POSTGRES ? "CAST(:config AS jsonb)" : ":config";
        String data = dialect == Dialect.POSTGRES ? "CAST(:data AS json)" : ":data";
        this.insertSession =
                "INSERT INTO " + SESSIONS + " (" + Rows.SESSION_COLUMNS + ", last_seq) VALUES (:id, :owner,"
                        + " :model, :summary, :created_at, :updated_at, :last_activity_at, :expires_at, :status, :version, "
                        + json + ", 0)";
        this.updateSession = "UPDATE " + SESSIONS + " SET owner = :owner, model = :model, summary = :summary,"
                + " created_at = :created_at, updated_at = :updated_at, last_activity_at = :last_activity_at,"
                + " expires_at = :expires_at, status = :status, version = :version, config = " + json
                + " WHERE id = :id";
        this.insertEvent = "INSERT INTO " + EVENTS + " (" + Rows.EVENT_COLUMNS
                + ") VALUES (:session_id, :seq, :event_id," + " :type, :ts, :parent_id, :agent_id, " + data + ")";
    }

    /**
     * A store in the H2 file database in {@code dir} (created if missing), shareable by several
     * processes of this host: its files are owner-only and its auto-server listens on loopback
     * (see "H2 file databases" above, also for the JVM-wide {@code h2.bindAddress} it sets). The
     * store owns its connection pool and closes it on {@link #close()}. Needs {@code
     * com.h2database:h2} on the classpath.
     *
     * @throws IllegalArgumentException if the path contains {@code ;} (it would become a URL setting)
     * @throws SessionStoreException if the database cannot be opened or migrated
     */
    public static JdbcSessionStore h2(Path dir) {
        Objects.requireNonNull(dir, "dir");
        requireH2Driver();
        H2DataSources.Owned ds = H2DataSources.file(dir);
        return builder()
                .dataSource(ds.dataSource())
                .dialect(Dialect.H2)
                .ownDataSource(ds.closer())
                .build();
    }

    /**
     * A store in the named H2 in-memory database of this JVM; stores opened with the same name
     * share it, and it disappears when the last of them closes.
     *
     * @param name 1..64 characters of {@code [A-Za-z0-9_-]}
     */
    public static JdbcSessionStore h2InMemory(String name) {
        requireH2Driver();
        H2DataSources.Owned ds = H2DataSources.memory(name);
        return builder()
                .dataSource(ds.dataSource())
                .dialect(Dialect.H2)
                .ownDataSource(ds.closer())
                .build();
    }

    /**
     * The database this store uses, e.g. to put a {@code JdbcSessionStateStore} in the same database:
     * {@code JdbcSessionStateStore.builder().dataSource(store.dataSource()).build()}. Owned by this
     * store when it created it ({@link #h2(Path)}): it closes with the store.
     */
    public DataSource dataSource() {
        return dataSource;
    }

    /** A builder; a data source is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The dialect in use (given or detected). */
    public Dialect dialect() {
        return dialect;
    }

    // ------------------------------------------------------------------------------------------
    // SessionStore

    @Override
    public SessionRecord create(SessionRecord record) {
        Inputs.record(record);
        SessionRecord stored = record.withVersion(1);
        return run("create session '" + record.sessionId() + "'", false, () -> {
            try {
                jdbi.useHandle(
                        h -> bindRecord(h.createUpdate(insertSession), stored).execute());
            } catch (RuntimeException e) {
                if (Failures.isUniqueViolation(e)) {
                    throw new SessionStoreException.DuplicateSession(record.sessionId());
                }
                throw e;
            }
            return stored;
        });
    }

    @Override
    public SessionRecord update(SessionRecord record) {
        Inputs.record(record);
        String id = record.sessionId();
        return run(
                "update session '" + id + "'",
                false,
                () -> jdbi.inTransaction(h -> {
                    Locked cur = lock(h, id).orElseThrow(() -> new SessionStoreException.NoSuchSession(id));
                    if (cur.version() != record.version()) {
                        throw new SessionStoreException.StaleVersion(id, record.version(), cur.version());
                    }
                    Instant activity = later(cur.lastActivityAt(), record.lastActivityAt());
                    SessionRecord stored = record.withVersion(cur.version() + 1)
                            .withUpdatedAt(clock.instant())
                            .withLastActivityAt(activity);
                    bindRecord(h.createUpdate(updateSession), stored).execute();
                    return stored;
                }));
    }

    @Override
    public Optional<SessionRecord> find(String sessionId) {
        Inputs.sessionId(sessionId);
        return run(
                "read session '" + sessionId + "'",
                false,
                () -> jdbi.withHandle(
                        h -> h.createQuery("SELECT " + Rows.SESSION_COLUMNS + " FROM " + SESSIONS + " WHERE id = :id")
                                .bind("id", sessionId)
                                .map(Rows.SESSION)
                                .findOne()));
    }

    @Override
    public List<StoredEvent> append(String sessionId, List<NewEvent> events) {
        return append(sessionId, events, UNFENCED);
    }

    @Override
    public List<StoredEvent> append(String sessionId, List<NewEvent> events, long fencingToken) {
        Inputs.sessionId(sessionId);
        Inputs.events(events);
        List<NewEvent> batch = List.copyOf(events);
        return run(
                "append to session '" + sessionId + "'",
                true,
                () -> jdbi.inTransaction(h -> appendInTransaction(h, sessionId, batch, fencingToken)));
    }

    private List<StoredEvent> appendInTransaction(
            Handle h, String sessionId, List<NewEvent> events, long fencingToken) {
        Locked cur = lock(h, sessionId).orElseThrow(() -> new SessionStoreException.NoSuchSession(sessionId));
        claims.checkToken(h, sessionId, fencingToken);
        if (events.isEmpty()) {
            return List.of();
        }
        Map<String, NewEvent> unique = new LinkedHashMap<>();
        for (NewEvent e : events) {
            unique.putIfAbsent(e.eventId(), e);
        }
        if (cur.lastSeq() > 0) {
            unique.keySet().removeAll(existingEventIds(h, sessionId, new ArrayList<>(unique.keySet())));
        }
        if (unique.isEmpty()) {
            return List.of();
        }
        List<StoredEvent> stored = new ArrayList<>(unique.size());
        long seq = cur.lastSeq();
        Instant activity = later(cur.lastActivityAt(), clock.instant());
        PreparedBatch insert = h.prepareBatch(insertEvent);
        for (NewEvent e : unique.values()) {
            StoredEvent se = StoredEvent.of(sessionId, ++seq, e);
            stored.add(se);
            activity = later(activity, se.timestamp());
            insert.bind("session_id", sessionId)
                    .bind("seq", se.seq())
                    .bind("event_id", se.eventId())
                    .bind("type", se.type())
                    .bind("ts", Rows.timestamp(se.timestamp()))
                    .bind("parent_id", se.parentId())
                    .bind("agent_id", se.agentId())
                    .bind("data", se.dataJson())
                    .add();
        }
        insert.execute();
        h.createUpdate("UPDATE " + SESSIONS + " SET last_seq = :seq, last_activity_at = :act WHERE id = :id")
                .bind("seq", seq)
                .bind("act", Rows.timestamp(activity))
                .bind("id", sessionId)
                .execute();
        return List.copyOf(stored);
    }

    private Set<String> existingEventIds(Handle h, String sessionId, List<String> ids) {
        Set<String> found = new HashSet<>();
        for (int from = 0; from < ids.size(); from += IN_LIST_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST_CHUNK));
            if (dialect == Dialect.POSTGRES) {
                // One unique-key lookup per id. With "event_id IN (...)" PostgreSQL may read every event
                // of the session and filter (it does when its statistics say the session is small), which
                // made each append cost time linear in the session's length; the LIMIT keeps the lateral
                // subquery from being flattened into such a plan.
                found.addAll(h.createQuery(
                                "SELECT e.event_id FROM unnest(:ids) AS u(id) CROSS JOIN LATERAL (SELECT event_id FROM "
                                        + EVENTS + " WHERE session_id = :sid AND event_id = u.id LIMIT 1) e")
                        .bindArray("ids", String.class, chunk)
                        .bind("sid", sessionId)
                        .mapTo(String.class)
                        .list());
                continue;
            }
            StringBuilder sql =
                    new StringBuilder("SELECT event_id FROM " + EVENTS + " WHERE session_id = :sid AND event_id IN (");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? ":e0" : ", :e" + i);
            }
            Query q = h.createQuery(sql.append(')').toString()).bind("sid", sessionId);
            for (int i = 0; i < chunk.size(); i++) {
                q.bind("e" + i, chunk.get(i));
            }
            found.addAll(q.mapTo(String.class).list());
        }
        return found;
    }

    @Override
    public List<StoredEvent> readEvents(String sessionId, long afterSeq, int limit) {
        Inputs.sessionId(sessionId);
        Inputs.nonNegative("limit", limit);
        if (limit == 0) {
            return List.of();
        }
        return run(
                "read events of session '" + sessionId + "'",
                false,
                () -> jdbi.withHandle(h -> h.createQuery("SELECT " + Rows.EVENT_COLUMNS + " FROM " + EVENTS
                                + " WHERE session_id = :id AND seq > :after ORDER BY seq LIMIT :limit")
                        .bind("id", sessionId)
                        .bind("after", afterSeq)
                        .bind("limit", limit)
                        .map(Rows.EVENT)
                        .list()));
    }

    @Override
    public List<StoredEvent> lastEvents(String sessionId, int count) {
        Inputs.sessionId(sessionId);
        Inputs.nonNegative("count", count);
        if (count == 0) {
            return List.of();
        }
        // seq is gap-free from 1 to last_seq, so the last n are a key range: a primary-key range scan on
        // every database (H2 would otherwise read and sort every event of the session, data included).
        return run(
                "read events of session '" + sessionId + "'",
                false,
                () -> jdbi.withHandle(h -> h.createQuery("SELECT " + Rows.EVENT_COLUMNS + " FROM " + EVENTS
                                + " WHERE session_id = :id" + " AND seq > (SELECT last_seq FROM " + SESSIONS
                                + " WHERE id = :id) - :n ORDER BY seq")
                        .bind("id", sessionId)
                        .bind("n", count)
                        .map(Rows.EVENT)
                        .list()));
    }

    @Override
    public Page<SessionRecord> list(SessionQuery query) {
        Objects.requireNonNull(query, "query");
        KeysetCursor cursor = query.after() == null ? null : KeysetCursor.decode(query.after());
        if (cursor != null) {
            try {
                Inputs.text("cursor", cursor.sessionId());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Not a session page cursor: '" + query.after() + "'; pass the nextCursor of a previous page",
                        e);
            }
        }
        Inputs.owner(query.owner());
        StringBuilder sql = new StringBuilder("SELECT " + Rows.SESSION_COLUMNS + " FROM " + SESSIONS + " WHERE 1 = 1");
        if (query.owner() != null) {
            sql.append(" AND owner = :owner");
        }
        if (query.activeSince() != null) {
            sql.append(" AND last_activity_at >= :since");
        }
        if (cursor != null) {
            // Same as (at < cts OR (at = cts AND id < cid)), with a leading range the index can seek to.
            sql.append(" AND last_activity_at <= :cts AND (last_activity_at < :cts OR id < :cid)");
        }
        // With an owner, ordering by it too (a constant) lets H2 read the (owner, activity, id) index in order.
        sql.append(
                query.owner() != null
                        ? " ORDER BY owner, last_activity_at DESC, id DESC LIMIT :n"
                        : " ORDER BY last_activity_at DESC, id DESC LIMIT :n");
        List<SessionRecord> rows = run(
                "list sessions",
                false,
                () -> jdbi.withHandle(h -> {
                    Query q = h.createQuery(sql.toString()).bind("n", query.limit() + 1);
                    if (query.owner() != null) {
                        q.bind("owner", query.owner());
                    }
                    if (query.activeSince() != null) {
                        q.bind("since", Rows.timestamp(query.activeSince()));
                    }
                    if (cursor != null) {
                        q.bind("cts", Rows.timestamp(cursor.lastActivityAt())).bind("cid", cursor.sessionId());
                    }
                    return q.map(Rows.SESSION).list();
                }));
        if (rows.size() > query.limit()) {
            List<SessionRecord> page = rows.subList(0, query.limit());
            return new Page<>(
                    page,
                    Optional.of(KeysetCursor.after(page.get(page.size() - 1)).encode()));
        }
        return Page.last(rows);
    }

    @Override
    public boolean delete(String sessionId) {
        Inputs.sessionId(sessionId);
        return run(
                "delete session '" + sessionId + "'",
                false,
                () -> jdbi.inTransaction(h -> {
                    boolean deleted = h.createUpdate("DELETE FROM " + SESSIONS + " WHERE id = :id")
                                    .bind("id", sessionId)
                                    .execute()
                            > 0;
                    claims.delete(h, sessionId);
                    return deleted;
                }));
    }

    /** Deletes only a session of {@code owner}, in one statement (its events go by cascade). */
    @Override
    public boolean delete(String sessionId, String owner) {
        Inputs.sessionId(sessionId);
        if (owner == null) {
            throw new IllegalArgumentException("owner must not be null for an owner-scoped call");
        }
        return run(
                "delete session '" + sessionId + "' of its owner",
                false,
                () -> jdbi.inTransaction(h -> {
                    boolean deleted = h.createUpdate("DELETE FROM " + SESSIONS + " WHERE id = :id AND owner = :owner")
                                    .bind("id", sessionId)
                                    .bind("owner", owner)
                                    .execute()
                            > 0;
                    if (deleted) {
                        claims.delete(h, sessionId);
                    }
                    return deleted;
                }));
    }

    @Override
    public SessionLease claimSession(String sessionId, String holder, Duration duration) {
        Inputs.sessionId(sessionId);
        if (holder == null || holder.isBlank() || holder.length() > Inputs.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("holder must be 1.." + Inputs.MAX_KEY_LENGTH
                    + " characters and not blank, was " + (holder == null ? "null" : holder.length() + " characters"));
        }
        Inputs.text("holder", holder);
        requirePositive(duration);
        return run(
                "claim session '" + sessionId + "'",
                true,
                () -> jdbi.inTransaction(h -> claims.claim(h, sessionId, holder, duration)));
    }

    @Override
    public SessionLease renewClaim(SessionLease claim, Duration duration) {
        Objects.requireNonNull(claim, "claim");
        requirePositive(duration);
        return run(
                "renew the claim on session '" + claim.sessionId() + "'",
                false,
                () -> jdbi.inTransaction(h -> claims.renew(h, claim, duration)));
    }

    @Override
    public boolean releaseClaim(SessionLease claim) {
        Objects.requireNonNull(claim, "claim");
        return run(
                "release the claim on session '" + claim.sessionId() + "'",
                false,
                () -> jdbi.inTransaction(h -> claims.release(h, claim)));
    }

    @Override
    public Optional<SessionLease> findClaim(String sessionId) {
        Inputs.sessionId(sessionId);
        return run(
                "read the claim on session '" + sessionId + "'",
                false,
                () -> jdbi.withHandle(h -> claims.find(h, sessionId)));
    }

    private static void requirePositive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("claim duration must be positive, was " + d);
        }
    }

    @Override
    public int deleteExpired(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return run(
                "delete expired sessions",
                false,
                () -> jdbi.inTransaction(h -> h.createUpdate("DELETE FROM " + SESSIONS + " WHERE expires_at < :cutoff")
                        .bind("cutoff", Rows.timestamp(cutoff))
                        .execute()));
    }

    /** Closes the connection pool if the store created it; otherwise only marks the store closed. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                log.warn("Closing the JDBC session store's connection pool failed: {}", e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "JdbcSessionStore[" + dialect + (closed.get() ? ", closed]" : "]");
    }

    // ------------------------------------------------------------------------------------------

    /** The locked session row's counters. */
    private record Locked(long version, long lastSeq, Instant lastActivityAt) {}

    private static Optional<Locked> lock(Handle h, String sessionId) {
        return h.createQuery(
                        "SELECT version, last_seq, last_activity_at FROM " + SESSIONS + " WHERE id = :id FOR UPDATE")
                .bind("id", sessionId)
                .map((rs, ctx) -> new Locked(
                        rs.getLong("version"),
                        rs.getLong("last_seq"),
                        rs.getObject("last_activity_at", OffsetDateTime.class).toInstant()))
                .findOne();
    }

    private static <S extends SqlStatement<S>> S bindRecord(S st, SessionRecord r) {
        return st.bind("id", r.sessionId())
                .bind("owner", r.owner())
                .bind("model", r.model())
                .bind("summary", r.summary())
                .bind("created_at", Rows.timestamp(r.createdAt()))
                .bind("updated_at", Rows.timestamp(r.updatedAt()))
                .bind("last_activity_at", Rows.timestamp(r.lastActivityAt()))
                .bind("expires_at", Rows.timestamp(r.expiresAt()))
                .bind("status", r.status().name())
                .bind("version", r.version())
                .bind("config", ConfigCodec.toJson(r.config()));
    }

    private static Instant later(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }

    /**
     * Runs {@code op}, retrying transient database failures, and turns any other database failure
     * into a {@link SessionStoreException} about {@code what}.
     */
    private <T> T run(String what, boolean uniqueIsRace, Supplier<T> op) {
        if (closed.get()) {
            throw new SessionStoreException("Cannot " + what + ": this JdbcSessionStore is closed");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return op.get();
            } catch (SessionStoreException | SessionLeaseException | IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) {
                if (attempt < MAX_ATTEMPTS && Failures.isTransient(e, uniqueIsRace)) {
                    log.debug(
                            "Retrying to {} after a transient database failure (attempt {}): {}",
                            what,
                            attempt,
                            e.toString());
                    Failures.backoff(attempt, what);
                    continue;
                }
                throw Failures.translate(what, e, dialect.migrationsLocation());
            }
        }
    }

    private static void requireH2Driver() {
        try {
            Class.forName("org.h2.Driver", false, JdbcSessionStore.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new SessionStoreException(
                    "JdbcSessionStore.h2(...) needs the H2 database driver: add "
                            + "com.h2database:h2 to your dependencies",
                    e);
        }
    }

    /** Builds a {@link JdbcSessionStore} over any {@link DataSource}. Not thread-safe; build once. */
    public static final class Builder {
        private DataSource dataSource;
        private Dialect dialect;
        private boolean migrate = true;
        private Clock clock = Clock.systemUTC();
        private AutoCloseable owned;

        private Builder() {}

        /** Where connections come from (required). The store does not close it. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The SQL dialect; if not set (or null), detected from the database's product name. */
        public Builder dialect(Dialect dialect) {
            this.dialect = dialect;
            return this;
        }

        /**
         * Whether to create and upgrade the schema at start (default true). Pass false when Flyway,
         * Liquibase or a DBA applies the SQL scripts (see the class comment for where they are).
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** The clock for {@code updatedAt} on update and "now" on append (default: system UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        Builder ownDataSource(AutoCloseable closer) {
            this.owned = closer;
            return this;
        }

        /**
         * Connects (to detect the dialect if needed) and migrates the schema (if enabled).
         *
         * @throws SessionStoreException if the database cannot be reached, is not supported, or
         *     has a newer schema than this release supports
         */
        public JdbcSessionStore build() {
            if (dataSource == null) {
                throw new IllegalStateException("JdbcSessionStore.builder() needs a dataSource(...)");
            }
            try {
                Jdbi jdbi = Jdbi.create(dataSource);
                // Plain SQL: no <template> syntax, so a '<' in a statement is always SQL.
                jdbi.setTemplateEngine(TemplateEngine.NOP);
                Dialect d = dialect != null ? dialect : detect(jdbi);
                JdbcSessionStore store = new JdbcSessionStore(jdbi, dataSource, d, clock, owned);
                if (migrate) {
                    new Migrator(jdbi, d == Dialect.POSTGRES, d.migrationsPath(), d.migrationsLocation()).migrate();
                }
                return store;
            } catch (RuntimeException e) {
                closeOwned();
                if (e instanceof SessionStoreException || e instanceof IllegalArgumentException) {
                    throw e;
                }
                throw Failures.translate(
                        migrate ? "start (migrating the schema)" : "start",
                        e,
                        dialect == null ? "io/github/copilot4j/store/jdbc/migrations/" : dialect.migrationsLocation());
            }
        }

        private Dialect detect(Jdbi jdbi) {
            String product;
            try {
                product = jdbi.withHandle(h -> h.getConnection().getMetaData().getDatabaseProductName());
            } catch (SQLException e) {
                throw Failures.translate(
                        "detect the database product", e, "io/github/copilot4j/store/jdbc/migrations/");
            }
            Dialect d = Dialect.fromProductName(product);
            if (d == null) {
                throw new SessionStoreException(
                        "JdbcSessionStore supports H2 and PostgreSQL, but the DataSource connects to '" + product
                                + "'; use one of those, or implement SessionStore for your database");
            }
            return d;
        }

        private void closeOwned() {
            if (owned != null) {
                try {
                    owned.close();
                } catch (Exception suppressed) {
                    log.debug("Closing the pool after a failed start failed too: {}", suppressed.toString());
                }
            }
        }
    }
}
