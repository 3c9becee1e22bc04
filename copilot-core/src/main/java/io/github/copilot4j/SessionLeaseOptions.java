package io.github.copilot4j;

import io.github.copilot4j.internal.Validation;
import io.github.copilot4j.spi.SessionRecord;
import java.time.Duration;

/**
 * How a client claims the sessions it drives in its {@link io.github.copilot4j.spi.SessionStore}
 * ({@link CopilotClient.Builder#sessionLeases}), so that no two clients drive one session at a
 * time. Not used in session filesystem mode, where {@link SessionFsOptions} holds the same
 * settings for the lease in the session state store. Immutable; build with {@link #builder()}.
 *
 * @param holderId this client's name in the claims; unique per client (default: host, pid and a
 *     random suffix)
 * @param leaseDuration how long a claim lasts unless renewed (default 30 s): a client that dies
 *     without closing its sessions blocks them at most this long
 * @param leaseRenewInterval how often held claims are renewed (default a third of the duration)
 * @param leaseWait how long create/resume/delete waits for another client's claim to end before
 *     failing with {@link io.github.copilot4j.spi.SessionLeaseException.Held} (default zero: fail
 *     at once)
 */
public record SessionLeaseOptions(
        String holderId, Duration leaseDuration, Duration leaseRenewInterval, Duration leaseWait) {

    /** Validates the options: positive durations, a renew interval shorter than the duration. */
    public SessionLeaseOptions {
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

    /** The defaults (a fresh random holder id). */
    public static SessionLeaseOptions defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    private static void positive(String name, Duration d) {
        Validation.requireNonNull(name, d);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** Builds {@link SessionLeaseOptions}. */
    public static final class Builder {
        private String holderId;
        private Duration leaseDuration = Duration.ofSeconds(30);
        private Duration leaseRenewInterval;
        private Duration leaseWait = Duration.ZERO;

        private Builder() {}

        /** This client's name in the claims (default: host, pid and a random suffix). */
        public Builder holderId(String id) {
            this.holderId = id;
            return this;
        }

        /** Also sets the renew interval to a third of it, unless set explicitly. */
        public Builder leaseDuration(Duration d) {
            this.leaseDuration = d;
            return this;
        }

        /** How often held claims are renewed; shorter than the lease duration. */
        public Builder leaseRenewInterval(Duration d) {
            this.leaseRenewInterval = d;
            return this;
        }

        /** How long create/resume/delete wait for another client's claim to end (default zero). */
        public Builder leaseWait(Duration d) {
            this.leaseWait = d;
            return this;
        }

        /** Builds the validated options. */
        public SessionLeaseOptions build() {
            Duration renew = leaseRenewInterval != null
                    ? leaseRenewInterval
                    : leaseDuration == null ? null : leaseDuration.dividedBy(3);
            return new SessionLeaseOptions(
                    holderId != null ? holderId : SessionFsOptions.defaultHolderId(), leaseDuration, renew, leaseWait);
        }
    }
}
