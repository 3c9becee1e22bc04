package io.github.copilot4j.internal.sessionfs;

import io.github.copilot4j.CopilotException;
import io.github.copilot4j.internal.Executors2;
import io.github.copilot4j.spi.SessionLease;
import io.github.copilot4j.spi.SessionLeaseException;
import io.github.copilot4j.spi.SessionStateStore;
import io.github.copilot4j.spi.SessionStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session leases one client holds, and their renewal: one driver per session. The leases live
 * in one place per client ({@link Backend}): the session state store in session filesystem mode,
 * else the session store's claims. A session store without claims ({@link
 * UnsupportedOperationException}) is driven unfenced, with one warning.
 *
 * <p>Threading: {@link #acquire} runs on the caller's thread (it may wait up to {@code leaseWait});
 * the other methods are thread-safe and quick apart from their store call. Renewal runs on one
 * daemon scheduler thread per keeper ({@code copilot4j-lease-renewer}), started with the first
 * lease and stopped by {@link #close()}; the lost-lease callback runs on that thread too.
 */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
    private static final long MAX_POLL_MILLIS = 250;

    private final Backend store;
    private final Settings options;
    private final BiConsumer<String, SessionLeaseException> onLost;
    private volatile boolean unsupportedWarned;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Object schedulerLock = new Object();
    private ScheduledExecutorService scheduler;
    private boolean closed;

    /** One held lease; {@code lost} is set once the store refused it. */
    private static final class Held {
        volatile SessionLease lease;
        volatile SessionLeaseException lost;

        Held(SessionLease lease) {
            this.lease = lease;
        }
    }

    /** Where the leases are kept. */
    public interface Backend {
        SessionLease acquire(String sessionId, String holder, Duration duration);

        SessionLease renew(SessionLease lease, Duration duration);

        boolean release(SessionLease lease);

        /** For messages: which store. */
        String describe();
    }

    /** The leases of session filesystem mode: in the state store, next to the state they fence. */
    public static Backend backend(SessionStateStore store) {
        return new Backend() {
            @Override
            public SessionLease acquire(String sessionId, String holder, Duration duration) {
                return store.acquireLease(sessionId, holder, duration);
            }

            @Override
            public SessionLease renew(SessionLease lease, Duration duration) {
                return store.renewLease(lease, duration);
            }

            @Override
            public boolean release(SessionLease lease) {
                return store.releaseLease(lease);
            }

            @Override
            public String describe() {
                return "session state store " + store.getClass().getSimpleName();
            }
        };
    }

    /** The claims of the session store, which fence its appends. */
    public static Backend backend(SessionStore store) {
        return new Backend() {
            @Override
            public SessionLease acquire(String sessionId, String holder, Duration duration) {
                return store.claimSession(sessionId, holder, duration);
            }

            @Override
            public SessionLease renew(SessionLease lease, Duration duration) {
                return store.renewClaim(lease, duration);
            }

            @Override
            public boolean release(SessionLease lease) {
                return store.releaseClaim(lease);
            }

            @Override
            public String describe() {
                return "session store " + store.getClass().getName();
            }
        };
    }

    /** Holder id and timings (from {@code SessionFsOptions} or {@code SessionLeaseOptions}). */
    public record Settings(String holderId, Duration leaseDuration, Duration leaseRenewInterval, Duration leaseWait) {}

    /**
     * @param onLost called (on the renewer thread, or the thread that saw the refusal) when the
     *     store says a held lease is no longer current
     */
    public LeaseKeeper(Backend store, Settings options, BiConsumer<String, SessionLeaseException> onLost) {
        this.store = store;
        this.options = options;
        this.onLost = onLost;
    }

    public String holderId() {
        return options.holderId();
    }

    /**
     * Takes the session's lease for this client, waiting up to {@code leaseWait} while another
     * client holds it.
     *
     * @return the lease, or null if the store has no leases (it is then driven unfenced)
     * @throws SessionLeaseException.Held if another client still holds it after the wait
     */
    public SessionLease acquire(String sessionId) {
        ensureScheduler();
        long deadline = System.nanoTime() + options.leaseWait().toNanos();
        while (true) {
            try {
                SessionLease lease;
                try {
                    lease = store.acquire(sessionId, options.holderId(), options.leaseDuration());
                } catch (UnsupportedOperationException unsupported) {
                    if (!unsupportedWarned) {
                        unsupportedWarned = true;
                        log.warn(
                                "The {} has no session claims, so nothing keeps another process from driving the same session"
                                        + " (its history would fork); implement SessionStore.claimSession and the fenced append: {}",
                                store.describe(),
                                unsupported.getMessage());
                    }
                    return null;
                }
                held.put(sessionId, new Held(lease));
                log.debug(
                        "Acquired the lease on session {} (token {}, until {})",
                        sessionId,
                        lease.fencingToken(),
                        lease.expiresAt());
                return lease;
            } catch (SessionLeaseException.Held busy) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw busy;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(
                            Math.max(1, Math.min(MAX_POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CopilotException(
                            "Interrupted while waiting for the lease on session '" + sessionId + "'", e);
                }
            }
        }
    }

    /**
     * The fencing token for a session store append to {@code sessionId}: the held lease's, or
     * {@link SessionStore#UNFENCED} if this client holds none (the store then refuses the append if
     * someone else claimed the session).
     *
     * @throws SessionLeaseException if the store refused this client's lease on it
     */
    public long appendToken(String sessionId) {
        Held h = held.get(sessionId);
        if (h == null) {
            return SessionStore.UNFENCED;
        }
        SessionLeaseException lost = h.lost;
        if (lost != null) {
            throw lost;
        }
        return h.lease.fencingToken();
    }

    /**
     * The fencing token for a write to {@code sessionId}.
     *
     * @throws SessionLeaseException if this client holds no (current) lease on it
     */
    public long fencingToken(String sessionId) {
        Held h = held.get(sessionId);
        if (h == null) {
            throw new SessionLeaseException(
                    sessionId,
                    "This client (holder '" + options.holderId() + "') holds no lease on session '" + sessionId
                            + "', so it does not write its state; create or resume the session in this client first");
        }
        SessionLeaseException lost = h.lost;
        if (lost != null) {
            throw lost;
        }
        return h.lease.fencingToken();
    }

    /** True while this client holds a lease on the session that the store has not refused. */
    public boolean holds(String sessionId) {
        Held h = held.get(sessionId);
        return h != null && h.lost == null;
    }

    /** Records that the store refused this client's lease on the session (a stale fencing token). */
    public void markLost(String sessionId, SessionLeaseException why) {
        Held h = held.get(sessionId);
        if (h != null && h.lost == null) {
            h.lost = why;
            log.error("Lost the lease on session {}: {}", sessionId, why.getMessage());
            notifyLost(sessionId, why);
        }
    }

    /** Gives the session's lease back (if still ours). Never throws. */
    public void release(String sessionId) {
        Held h = held.remove(sessionId);
        if (h == null || h.lost != null) {
            return;
        }
        try {
            if (store.release(h.lease)) {
                log.debug("Released the lease on session {}", sessionId);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Could not release the lease on session {} (it lapses on its own by {}): {}",
                    sessionId,
                    h.lease.expiresAt(),
                    e.toString());
        }
    }

    /** Gives back every lease. Never throws. */
    public void releaseAll() {
        for (String id : held.keySet()) {
            release(id);
        }
    }

    /** Renews every held lease once (the scheduler calls this; tests may too). */
    public void renewAll() {
        for (Map.Entry<String, Held> e : held.entrySet()) {
            Held h = e.getValue();
            if (h.lost != null) {
                continue;
            }
            try {
                h.lease = store.renew(h.lease, options.leaseDuration());
            } catch (SessionLeaseException lost) {
                if (held.get(e.getKey()) == h) {
                    markLost(e.getKey(), lost);
                }
            } catch (RuntimeException failure) {
                log.warn(
                        "Could not renew the lease on session {} (valid until {}); retrying in {} ms: {}",
                        e.getKey(),
                        h.lease.expiresAt(),
                        options.leaseRenewInterval().toMillis(),
                        failure.toString());
            }
        }
    }

    private void notifyLost(String sessionId, SessionLeaseException why) {
        try {
            onLost.accept(sessionId, why);
        } catch (RuntimeException e) {
            log.warn("Lost-lease callback for session {} failed: {}", sessionId, e.toString());
        }
    }

    @SuppressWarnings(
            "FutureReturnValueIgnored") // renewAllQuietly catches and logs everything; shutdownNow stops the task
    private void ensureScheduler() {
        synchronized (schedulerLock) {
            if (closed) {
                throw new IllegalStateException("the client is closed");
            }
            if (scheduler == null) {
                ScheduledThreadPoolExecutor s =
                        new ScheduledThreadPoolExecutor(1, Executors2.daemonFactory("copilot4j-lease-renewer"));
                s.setRemoveOnCancelPolicy(true);
                long every = Math.max(1, options.leaseRenewInterval().toMillis());
                s.scheduleWithFixedDelay(this::renewAllQuietly, every, every, TimeUnit.MILLISECONDS);
                scheduler = s;
            }
        }
    }

    private void renewAllQuietly() {
        try {
            renewAll();
        } catch (Throwable t) {
            log.warn("Lease renewal failed; retrying later", t);
        }
    }

    /** Releases every lease and stops the renewer thread (waits for it briefly). Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (schedulerLock) {
            if (closed) {
                return;
            }
            closed = true;
            s = scheduler;
        }
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(Duration.ofSeconds(2).toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        releaseAll();
    }

    /** Whether the renewer thread is running (tests). */
    public boolean renewerRunning() {
        synchronized (schedulerLock) {
            return scheduler != null && !scheduler.isShutdown();
        }
    }
}
