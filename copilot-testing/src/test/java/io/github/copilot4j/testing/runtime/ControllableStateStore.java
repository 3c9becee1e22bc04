package io.github.copilot4j.testing.runtime;

import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.SessionStoreException;
import io.github.copilot4j.spi.StateDirEntry;
import io.github.copilot4j.spi.StateFileStat;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Delegates to a real store; tests can make appends fail, block reads of a path, and see the calling threads. */
final class ControllableStateStore implements SessionStateStore {
    final SessionStateStore delegate;
    final AtomicInteger failAppends = new AtomicInteger();
    final Set<String> threadNames = ConcurrentHashMap.newKeySet();
    volatile String blockReadsOf;
    final CountDownLatch unblock = new CountDownLatch(1);
    final CountDownLatch blocked = new CountDownLatch(1);

    ControllableStateStore(SessionStateStore delegate) {
        this.delegate = delegate;
    }

    private void seen() {
        threadNames.add(Thread.currentThread().getName());
    }

    @Override
    public String readFile(String sessionId, String path) {
        seen();
        if (path.equals(blockReadsOf)) {
            blocked.countDown();
            try {
                unblock.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return delegate.readFile(sessionId, path);
    }

    @Override
    public void writeFile(String sessionId, String path, String content, long fencingToken) {
        seen();
        delegate.writeFile(sessionId, path, content, fencingToken);
    }

    @Override
    public void appendFile(String sessionId, String path, String content, long fencingToken) {
        seen();
        if (failAppends.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new SessionStoreException("simulated database outage");
        }
        delegate.appendFile(sessionId, path, content, fencingToken);
    }

    @Override
    public boolean exists(String sessionId, String path) {
        seen();
        return delegate.exists(sessionId, path);
    }

    @Override
    public StateFileStat stat(String sessionId, String path) {
        seen();
        return delegate.stat(sessionId, path);
    }

    @Override
    public void mkdir(String sessionId, String path, boolean recursive, long fencingToken) {
        seen();
        delegate.mkdir(sessionId, path, recursive, fencingToken);
    }

    @Override
    public List<StateDirEntry> readdir(String sessionId, String path) {
        seen();
        return delegate.readdir(sessionId, path);
    }

    @Override
    public void rm(String sessionId, String path, boolean recursive, boolean force, long fencingToken) {
        seen();
        delegate.rm(sessionId, path, recursive, force, fencingToken);
    }

    @Override
    public void rename(String sessionId, String source, String destination, long fencingToken) {
        seen();
        delegate.rename(sessionId, source, destination, fencingToken);
    }

    @Override
    public boolean deleteSession(String sessionId) {
        return delegate.deleteSession(sessionId);
    }

    @Override
    public SessionLease acquireLease(String sessionId, String holder, Duration duration) {
        return delegate.acquireLease(sessionId, holder, duration);
    }

    @Override
    public SessionLease renewLease(SessionLease lease, Duration duration) {
        return delegate.renewLease(lease, duration);
    }

    @Override
    public boolean releaseLease(SessionLease lease) {
        return delegate.releaseLease(lease);
    }

    @Override
    public Optional<SessionLease> findLease(String sessionId) {
        return delegate.findLease(sessionId);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
