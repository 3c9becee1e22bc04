package io.github.copilot4j.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The runtime's per-session state files ({@code events.jsonl}, {@code workspace.yaml},
 * checkpoints...), kept by the client instead of the CLI's disk when the client is the runtime's
 * session filesystem ({@code CopilotClient.Builder.sessionFs}), plus the session leases that let
 * exactly one client drive a session at a time. A store shared by several processes (a database)
 * lets a CLI on any machine, with an empty home, resume any session.
 *
 * <h2>Files</h2>
 *
 * Each session has its own tree, keyed by {@code (sessionId, path)}; paths are absolute,
 * normalized POSIX paths ({@link StatePaths}); the root {@code "/"} of every session always
 * exists. Content is text (UTF-8); sizes count its UTF-8 bytes. The semantics are Node's {@code
 * fs} (what the CLI expects from a local disk):
 *
 * <ul>
 *   <li>{@code writeFile}/{@code appendFile} create missing parent directories; {@code EISDIR}
 *       on a directory; {@code ENOTDIR} when a parent is a file.
 *   <li>{@code appendFile} costs O(appended bytes): stores keep appends as separate chunks, never
 *       rewriting the file. {@code readFile} returns the concatenation.
 *   <li>{@code mkdir}: recursive succeeds when the directory exists; otherwise {@code EEXIST}, or
 *       {@code ENOENT} when the parent is missing.
 *   <li>{@code readdir}: {@code ENOENT} if missing, {@code ENOTDIR} on a file; entries by name.
 *   <li>{@code rm}: {@code ENOENT} unless {@code force}; {@code EISDIR} for a directory unless
 *       {@code recursive}.
 *   <li>{@code rename} replaces a destination file (atomic writes rename a temporary file over the
 *       target) and an empty destination directory; moves whole subtrees; {@code ENOENT} when the
 *       source or the destination's parent is missing.
 * </ul>
 *
 * File-level failures are {@link SessionStateException}s carrying the errno-style code.
 *
 * <h2>Leases and fencing</h2>
 *
 * <ul>
 *   <li>{@link #acquireLease} grants a session to a holder if nobody holds it, its lease expired,
 *       or the same holder asks again; each grant gets a new fencing token, larger than every
 *       token the store ever issued. Otherwise it throws {@link SessionLeaseException.Held}.
 *   <li>{@link #renewLease} extends a lease that is still the current one (even if it expired,
 *       as long as nobody took it over); else {@link SessionLeaseException.Stale}.
 *   <li>Every write takes a fencing token: the current lease's token, or {@link #UNFENCED} for a
 *       session that has no lease. Any other token is refused with {@link
 *       SessionLeaseException.Stale}, atomically with the write. Reads need no token.
 * </ul>
 *
 * Expiry is judged by the store's clock (a database uses its own), so clients on different
 * machines need no synchronized clocks.
 *
 * <p>Failures of the backing storage surface as {@link SessionStoreException}. Implementations
 * are safe for concurrent use by many threads (and, for shared stores, processes). Every bundled
 * or third-party implementation should pass {@code SessionStateStoreContract} from {@code
 * copilot-testing}.
 */
public interface SessionStateStore extends AutoCloseable {

    /** The fencing token of writes to a session that has no lease. */
    long UNFENCED = 0;

    // ------------------------------------------------------------------ files

    /**
     * The whole content of a file.
     *
     * @throws SessionStateException {@code ENOENT} if missing, {@code EISDIR} on a directory
     */
    String readFile(String sessionId, String path);

    /** Creates or replaces a file, creating missing parent directories. */
    void writeFile(String sessionId, String path, String content, long fencingToken);

    /** Appends to a file (creating it and its parents if missing), in O(appended bytes). */
    void appendFile(String sessionId, String path, String content, long fencingToken);

    /** True if the path is a file or a directory. Never throws {@link SessionStateException}. */
    boolean exists(String sessionId, String path);

    /**
     * Type, size and times of a path.
     *
     * @throws SessionStateException {@code ENOENT} if missing
     */
    StateFileStat stat(String sessionId, String path);

    /** Creates a directory; with {@code recursive}, also its missing parents, and an existing one is fine. */
    void mkdir(String sessionId, String path, boolean recursive, long fencingToken);

    /**
     * The entries of a directory, sorted by name.
     *
     * @throws SessionStateException {@code ENOENT} if missing, {@code ENOTDIR} on a file
     */
    List<StateDirEntry> readdir(String sessionId, String path);

    /** Removes a file, or a directory with everything below it ({@code recursive}). */
    void rm(String sessionId, String path, boolean recursive, boolean force, long fencingToken);

    /** Moves a file or directory, replacing a destination file or empty directory. */
    void rename(String sessionId, String source, String destination, long fencingToken);

    /**
     * Removes every file and directory of the session and its lease, whoever holds it. Returns
     * false if the session had no files or directories (a lease alone does not count).
     */
    boolean deleteSession(String sessionId);

    // ------------------------------------------------------------------ leases

    /**
     * Grants the session to {@code holder} for {@code duration}, with a new fencing token.
     *
     * @throws SessionLeaseException.Held if another holder's lease has not expired
     */
    SessionLease acquireLease(String sessionId, String holder, Duration duration);

    /**
     * Extends {@code lease} to {@code duration} from now, if it is still the session's current lease.
     *
     * @return the renewed lease (same token, later expiry)
     * @throws SessionLeaseException.Stale if another lease replaced it, or it was released
     */
    SessionLease renewLease(SessionLease lease, Duration duration);

    /** Ends {@code lease} if it is still current; returns false if it was not. */
    boolean releaseLease(SessionLease lease);

    /** The session's current lease (possibly expired), if any. */
    Optional<SessionLease> findLease(String sessionId);

    /** Releases what the store owns (connection pools it created). Idempotent. */
    @Override
    void close();
}
