package io.kube4j.client.leaderelection;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the Lease lives, who we are, and the timing: a leader gives up after failing to renew for
 * {@code renewDeadline}, which must be shorter than {@code leaseDuration} so it stops before anyone else may take
 * the lease over; it tries every {@code retryPeriod}.
 */
public record LeaderElectionConfig(String leaseNamespace, String leaseName, String identity, Duration leaseDuration,
        Duration renewDeadline, Duration retryPeriod, boolean releaseOnStop) {

    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
    public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);

    public LeaderElectionConfig {
        Objects.requireNonNull(leaseNamespace, "leaseNamespace");
        Objects.requireNonNull(leaseName, "leaseName");
        if (identity == null || identity.isBlank()) {
            throw new IllegalArgumentException("leader election needs a non-empty identity");
        }
        if (retryPeriod.isNegative() || retryPeriod.isZero()) {
            throw new IllegalArgumentException("retryPeriod must be positive, got " + retryPeriod);
        }
        if (leaseDuration.compareTo(renewDeadline) <= 0) {
            throw new IllegalArgumentException("leaseDuration (" + leaseDuration
                    + ") must be greater than renewDeadline (" + renewDeadline + ")");
        }
        if (renewDeadline.compareTo(retryPeriod) <= 0) {
            throw new IllegalArgumentException("renewDeadline (" + renewDeadline
                    + ") must be greater than retryPeriod (" + retryPeriod + ")");
        }
        if (leaseDuration.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("leaseDuration must be whole seconds (Lease.spec.leaseDurationSeconds), got "
                    + leaseDuration);
        }
    }

    /** The defaults: lease 15 s, renew deadline 10 s, retry every 2 s, no release on stop. */
    /** A replica's identity as Kubernetes' components make it: the host name and a random UUID. */
    public static String defaultIdentity() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = java.util.Objects.requireNonNullElse(System.getenv("HOSTNAME"), "localhost");
        }
        return host + "_" + java.util.UUID.randomUUID();
    }

    public static LeaderElectionConfig of(String leaseNamespace, String leaseName, String identity) {
        return new LeaderElectionConfig(leaseNamespace, leaseName, identity, DEFAULT_LEASE_DURATION,
                DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY_PERIOD, false);
    }

    public LeaderElectionConfig withTimings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        return new LeaderElectionConfig(leaseNamespace, leaseName, identity, leaseDuration, renewDeadline, retryPeriod,
                releaseOnStop);
    }

    /** Clear the holder on {@link LeaderElector#stop} so a successor need not wait for the lease to expire. */
    public LeaderElectionConfig withReleaseOnStop(boolean release) {
        return new LeaderElectionConfig(leaseNamespace, leaseName, identity, leaseDuration, renewDeadline, retryPeriod,
                release);
    }
}
