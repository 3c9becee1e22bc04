package io.github.copilot4j;

import io.github.copilot4j.internal.Validation;
import io.github.copilot4j.spi.SessionRecord;
import io.github.copilot4j.spi.StatePaths;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.UUID;

/**
 * Settings of a client that is the runtime's session filesystem ({@link
 * CopilotClient.Builder#sessionFs}). Immutable; build with {@link #builder()}.
 *
 * @param sessionStatePath the virtual directory the runtime keeps each session's state in; the
 *     same on every client sharing a store (default {@value #DEFAULT_SESSION_STATE_PATH}); it does
 *     not need to exist on any disk
 * @param initialCwd the working directory a resumed session falls back to when its recorded one
 *     is unknown here (default: this JVM's {@code user.dir})
 * @param holderId this client's name in session leases; unique per client (default: host, pid and
 *     a random suffix)
 * @param leaseDuration how long a lease lasts unless renewed (default 30 s): a client that dies
 *     blocks its sessions at most this long
 * @param leaseRenewInterval how often held leases are renewed (default a third of the duration)
 * @param leaseWait how long create/resume waits for another client's lease to end before failing
 *     with {@link io.github.copilot4j.spi.SessionLeaseException.Held} (default zero: fail at once)
 */
public record SessionFsOptions(
        String sessionStatePath,
        String initialCwd,
        String holderId,
        Duration leaseDuration,
        Duration leaseRenewInterval,
        Duration leaseWait) {

    /** Default {@link #sessionStatePath()}. */
    public static final String DEFAULT_SESSION_STATE_PATH = "/copilot4j/session-state";

    /** Validates the values and fills in the defaults. */
    public SessionFsOptions {
        sessionStatePath = StatePaths.normalize(Validation.requireText("sessionStatePath", sessionStatePath, 512));
        if (StatePaths.ROOT.equals(sessionStatePath)) {
            throw new IllegalArgumentException("sessionStatePath must not be '/'");
        }
        Validation.requireText("initialCwd", initialCwd, 4096);
        Validation.requireText("holderId", holderId, SessionRecord.MAX_ID_LENGTH);
        positive("leaseDuration", leaseDuration);
        positive("leaseRenewInterval", leaseRenewInterval);
        if (leaseRenewInterval.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("leaseRenewInterval (" + leaseRenewInterval
                    + ") must be shorter than leaseDuration (" + leaseDuration + ")");
        }
        Validation.requireNonNull("leaseWait", leaseWait);
        if (leaseWait.isNegative()) {
            throw new IllegalArgumentException("leaseWait must not be negative");
        }
    }

    /** The defaults. */
    public static SessionFsOptions defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.sessionStatePath = sessionStatePath;
        b.initialCwd = initialCwd;
        b.holderId = holderId;
        b.leaseDuration = leaseDuration;
        b.leaseRenewInterval = leaseRenewInterval;
        b.leaseWait = leaseWait;
        return b;
    }

    private static void positive(String name, Duration d) {
        Validation.requireNonNull(name, d);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    static String defaultHolderId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            host = "host";
        }
        String pid;
        try {
            pid = Long.toString(ProcessHandle.current().pid());
        } catch (UnsupportedOperationException e) {
            pid = ManagementFactory.getRuntimeMXBean().getName();
        }
        String id = host + "/" + pid + "/" + UUID.randomUUID().toString().substring(0, 8);
        return id.length() > 200 ? id.substring(id.length() - 200) : id;
    }

    /** Builds {@link SessionFsOptions}. */
    public static final class Builder {
        private String sessionStatePath = DEFAULT_SESSION_STATE_PATH;
        private String initialCwd;
        private String holderId;
        private Duration leaseDuration = Duration.ofSeconds(30);
        private Duration leaseRenewInterval;
        private Duration leaseWait = Duration.ZERO;

        private Builder() {}

        /** The virtual directory of the runtime's session state. */
        public Builder sessionStatePath(String path) {
            this.sessionStatePath = path;
            return this;
        }

        /** The working directory a resumed session falls back to. */
        public Builder initialCwd(String dir) {
            this.initialCwd = dir;
            return this;
        }

        /** This client's name in session leases. */
        public Builder holderId(String id) {
            this.holderId = id;
            return this;
        }

        /** Also sets the renew interval to a third of it, unless set explicitly. */
        public Builder leaseDuration(Duration d) {
            this.leaseDuration = d;
            return this;
        }

        /** How often held leases are renewed. */
        public Builder leaseRenewInterval(Duration d) {
            this.leaseRenewInterval = d;
            return this;
        }

        /** How long create and resume wait for another client's lease to end. */
        public Builder leaseWait(Duration d) {
            this.leaseWait = d;
            return this;
        }

        /** Builds the validated options. */
        public SessionFsOptions build() {
            Duration duration = leaseDuration;
            Duration renew =
                    leaseRenewInterval != null ? leaseRenewInterval : duration == null ? null : duration.dividedBy(3);
            return new SessionFsOptions(
                    sessionStatePath,
                    initialCwd != null ? initialCwd : System.getProperty("user.dir", "/"),
                    holderId != null ? holderId : defaultHolderId(),
                    duration,
                    renew,
                    leaseWait);
        }
    }
}
