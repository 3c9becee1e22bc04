package io.github.copilot4j.store;

import io.github.copilot4j.internal.Validation;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.SessionStateException;
import io.github.copilot4j.spi.SessionStateException.Code;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.StateDirEntry;
import io.github.copilot4j.spi.StateFileStat;
import io.github.copilot4j.spi.StatePaths;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link SessionStateStore} in this JVM's memory, for tests and single-process use: nothing
 * survives the process, and only clients in this JVM can share it. Thread-safe: every operation
 * holds one lock. Appends add to a buffer (amortized O(appended bytes)). Lease expiry follows the
 * given {@link Clock}, so tests can move time forward.
 */
public final class InMemorySessionStateStore implements SessionStateStore {

    private final Object lock = new Object();
    private final Clock clock;
    private final Map<String, NavigableMap<String, Node>> sessions = new HashMap<>();
    private final Map<String, SessionLease> leases = new HashMap<>();
    private long lastToken;

    /** A file (content) or a directory (content null). */
    private static final class Node {
        final StringBuilder content;
        long size;
        Instant modifiedAt;
        final Instant createdAt;

        Node(StringBuilder content, Instant now) {
            this.content = content;
            this.size = content == null ? 0 : utf8Length(content);
            this.modifiedAt = now;
            this.createdAt = now;
        }

        boolean isDir() {
            return content == null;
        }
    }

    /** A store on the system clock. */
    public InMemorySessionStateStore() {
        this(Clock.systemUTC());
    }

    /** A store whose times and lease expiry follow {@code clock}. */
    public InMemorySessionStateStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ------------------------------------------------------------------ files

    @Override
    public String readFile(String sessionId, String path) {
        check(sessionId, path);
        synchronized (lock) {
            Node n = node(sessionId, path);
            if (n == null) {
                throw new SessionStateException(Code.ENOENT, "open", path);
            }
            if (n.isDir()) {
                throw new SessionStateException(Code.EISDIR, "read", path);
            }
            return n.content.toString();
        }
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
        Objects.requireNonNull(content, "content");
        synchronized (lock) {
            fence(sessionId, fencingToken);
            Node n = node(sessionId, path);
            if ((n != null && n.isDir()) || StatePaths.ROOT.equals(path)) {
                throw new SessionStateException(Code.EISDIR, "open", path);
            }
            Instant now = clock.instant();
            mkdirs(sessionId, StatePaths.parent(path), now, "open", path);
            if (n == null) {
                tree(sessionId).put(path, new Node(new StringBuilder(content), now));
                return;
            }
            if (append) {
                n.content.append(content);
                n.size += utf8Length(content);
            } else {
                n.content.setLength(0);
                n.content.append(content);
                n.size = utf8Length(content);
            }
            n.modifiedAt = now;
        }
    }

    @Override
    public boolean exists(String sessionId, String path) {
        check(sessionId, path);
        synchronized (lock) {
            return StatePaths.ROOT.equals(path) || node(sessionId, path) != null;
        }
    }

    @Override
    public StateFileStat stat(String sessionId, String path) {
        check(sessionId, path);
        synchronized (lock) {
            if (StatePaths.ROOT.equals(path)) {
                return new StateFileStat(true, 0, Instant.EPOCH, Instant.EPOCH);
            }
            Node n = node(sessionId, path);
            if (n == null) {
                throw new SessionStateException(Code.ENOENT, "stat", path);
            }
            return new StateFileStat(n.isDir(), n.size, n.modifiedAt, n.createdAt);
        }
    }

    @Override
    public void mkdir(String sessionId, String path, boolean recursive, long fencingToken) {
        check(sessionId, path);
        synchronized (lock) {
            fence(sessionId, fencingToken);
            Node n = node(sessionId, path);
            boolean exists = StatePaths.ROOT.equals(path) || n != null;
            if (recursive) {
                if (n != null && !n.isDir()) {
                    throw new SessionStateException(Code.EEXIST, "mkdir", path);
                }
                if (!exists) {
                    mkdirs(sessionId, path, clock.instant(), "mkdir", path);
                }
                return;
            }
            if (exists) {
                throw new SessionStateException(Code.EEXIST, "mkdir", path);
            }
            if (!isDir(sessionId, StatePaths.parent(path))) {
                throw new SessionStateException(Code.ENOENT, "mkdir", path);
            }
            tree(sessionId).put(path, new Node(null, clock.instant()));
        }
    }

    @Override
    public List<StateDirEntry> readdir(String sessionId, String path) {
        check(sessionId, path);
        synchronized (lock) {
            if (!isDir(sessionId, path)) {
                throw new SessionStateException(
                        node(sessionId, path) == null ? Code.ENOENT : Code.ENOTDIR, "scandir", path);
            }
            List<StateDirEntry> out = new ArrayList<>();
            for (Map.Entry<String, Node> e : descendants(sessionId, path).entrySet()) {
                if (path.equals(StatePaths.parent(e.getKey()))) {
                    out.add(new StateDirEntry(
                            StatePaths.name(e.getKey()), e.getValue().isDir()));
                }
            }
            out.sort((a, b) -> a.name().compareTo(b.name()));
            return out;
        }
    }

    @Override
    public void rm(String sessionId, String path, boolean recursive, boolean force, long fencingToken) {
        check(sessionId, path);
        synchronized (lock) {
            fence(sessionId, fencingToken);
            Node n = node(sessionId, path);
            boolean root = StatePaths.ROOT.equals(path);
            if (n == null && !root) {
                if (!force) {
                    throw new SessionStateException(Code.ENOENT, "rm", path);
                }
                return;
            }
            if (root || n.isDir()) {
                if (!recursive) {
                    throw new SessionStateException(Code.EISDIR, "rm", path);
                }
                descendants(sessionId, path).clear();
            }
            if (!root) {
                tree(sessionId).remove(path);
            }
        }
    }

    @Override
    public void rename(String sessionId, String source, String destination, long fencingToken) {
        check(sessionId, source);
        check(sessionId, destination);
        synchronized (lock) {
            fence(sessionId, fencingToken);
            Node src = node(sessionId, source);
            if (src == null || StatePaths.ROOT.equals(source) || StatePaths.ROOT.equals(destination)) {
                throw new SessionStateException(
                        src == null && !StatePaths.ROOT.equals(source) ? Code.ENOENT : Code.EINVAL,
                        "rename",
                        source + "' -> '" + destination);
            }
            if (source.equals(destination)) {
                return;
            }
            if (!isDir(sessionId, StatePaths.parent(destination))) {
                throw new SessionStateException(Code.ENOENT, "rename", source + "' -> '" + destination);
            }
            Node dest = node(sessionId, destination);
            NavigableMap<String, Node> tree = tree(sessionId);
            Instant now = clock.instant();
            if (!src.isDir()) {
                if (dest != null && dest.isDir()) {
                    throw new SessionStateException(Code.EISDIR, "rename", source + "' -> '" + destination);
                }
                tree.remove(source);
                tree.put(destination, src);
                src.modifiedAt = now;
                return;
            }
            if (StatePaths.isWithin(destination, source)) {
                throw new SessionStateException(Code.EINVAL, "rename", source + "' -> '" + destination);
            }
            if (dest != null) {
                if (!dest.isDir()) {
                    throw new SessionStateException(Code.ENOTDIR, "rename", source + "' -> '" + destination);
                }
                if (!descendants(sessionId, destination).isEmpty()) {
                    throw new SessionStateException(Code.ENOTEMPTY, "rename", source + "' -> '" + destination);
                }
                tree.remove(destination);
            }
            Map<String, Node> moved = new TreeMap<>(descendants(sessionId, source));
            descendants(sessionId, source).clear();
            tree.remove(source);
            tree.put(destination, src);
            src.modifiedAt = now;
            for (Map.Entry<String, Node> e : moved.entrySet()) {
                tree.put(StatePaths.rebase(e.getKey(), source, destination), e.getValue());
            }
        }
    }

    @Override
    public boolean deleteSession(String sessionId) {
        Validation.requireText("sessionId", sessionId, SessionRecord.MAX_ID_LENGTH);
        synchronized (lock) {
            NavigableMap<String, Node> tree = sessions.remove(sessionId);
            leases.remove(sessionId);
            return tree != null && !tree.isEmpty();
        }
    }

    // ------------------------------------------------------------------ leases

    @Override
    public SessionLease acquireLease(String sessionId, String holder, Duration duration) {
        Validation.requireText("sessionId", sessionId, SessionRecord.MAX_ID_LENGTH);
        Validation.requireText("holder", holder, SessionRecord.MAX_ID_LENGTH);
        requirePositive(duration);
        synchronized (lock) {
            Instant now = clock.instant();
            SessionLease current = leases.get(sessionId);
            if (current != null
                    && !current.holder().equals(holder)
                    && current.expiresAt().isAfter(now)) {
                throw new SessionLeaseException.Held(current);
            }
            SessionLease granted = new SessionLease(sessionId, holder, ++lastToken, now.plus(duration));
            leases.put(sessionId, granted);
            return granted;
        }
    }

    @Override
    public SessionLease renewLease(SessionLease lease, Duration duration) {
        Objects.requireNonNull(lease, "lease");
        requirePositive(duration);
        synchronized (lock) {
            SessionLease current = leases.get(lease.sessionId());
            if (!isSame(current, lease)) {
                throw new SessionLeaseException.Stale(lease.sessionId(), lease.fencingToken(), current);
            }
            SessionLease renewed = new SessionLease(
                    lease.sessionId(),
                    lease.holder(),
                    lease.fencingToken(),
                    clock.instant().plus(duration));
            leases.put(lease.sessionId(), renewed);
            return renewed;
        }
    }

    @Override
    public boolean releaseLease(SessionLease lease) {
        Objects.requireNonNull(lease, "lease");
        synchronized (lock) {
            if (!isSame(leases.get(lease.sessionId()), lease)) {
                return false;
            }
            leases.remove(lease.sessionId());
            return true;
        }
    }

    @Override
    public Optional<SessionLease> findLease(String sessionId) {
        synchronized (lock) {
            return Optional.ofNullable(leases.get(sessionId));
        }
    }

    @Override
    public void close() {
        // nothing to release
    }

    // ------------------------------------------------------------------ internals (under lock)

    private static boolean isSame(SessionLease current, SessionLease lease) {
        return current != null
                && current.fencingToken() == lease.fencingToken()
                && current.holder().equals(lease.holder());
    }

    private void fence(String sessionId, long token) {
        SessionLease current = leases.get(sessionId);
        long expected = current == null ? UNFENCED : current.fencingToken();
        if (token != expected) {
            throw new SessionLeaseException.Stale(sessionId, token, current);
        }
    }

    private NavigableMap<String, Node> tree(String sessionId) {
        return sessions.computeIfAbsent(sessionId, k -> new TreeMap<>());
    }

    private Node node(String sessionId, String path) {
        NavigableMap<String, Node> tree = sessions.get(sessionId);
        return tree == null ? null : tree.get(path);
    }

    private boolean isDir(String sessionId, String path) {
        if (StatePaths.ROOT.equals(path)) {
            return true;
        }
        Node n = node(sessionId, path);
        return n != null && n.isDir();
    }

    /** Everything strictly below {@code dir} (a live view). */
    private NavigableMap<String, Node> descendants(String sessionId, String dir) {
        NavigableMap<String, Node> tree = tree(sessionId);
        String prefix = StatePaths.ROOT.equals(dir) ? "/" : dir + "/";
        // '/' + 1 == '0': every path starting with prefix sorts below prefix-without-slash + '0'
        String end = prefix.substring(0, prefix.length() - 1) + (char) ('/' + 1);
        return tree.subMap(prefix, true, end, false);
    }

    /** Creates {@code dir} and its missing parents; ENOTDIR if one of them is a file. */
    private void mkdirs(String sessionId, String dir, Instant now, String operation, String target) {
        List<String> missing = new ArrayList<>();
        for (String p = dir; p != null && !StatePaths.ROOT.equals(p); p = StatePaths.parent(p)) {
            Node n = node(sessionId, p);
            if (n != null) {
                if (!n.isDir()) {
                    throw new SessionStateException(Code.ENOTDIR, operation, target);
                }
                break;
            }
            missing.add(p);
        }
        for (String p : missing) {
            tree(sessionId).put(p, new Node(null, now));
        }
    }

    private static void check(String sessionId, String path) {
        Validation.requireText("sessionId", sessionId, SessionRecord.MAX_ID_LENGTH);
        StatePaths.requireNormalized(path);
    }

    private static void requirePositive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("lease duration must be positive, was " + d);
        }
    }

    private static long utf8Length(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
