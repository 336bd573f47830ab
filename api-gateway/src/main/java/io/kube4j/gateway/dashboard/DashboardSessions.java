package io.kube4j.gateway.dashboard;

import io.kube4j.security.UserInfo;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's server-side sessions of this gateway replica, in memory, keyed by a random 256-bit id (the
 * cookie's value). A session ends after {@link DashboardProperties#idleTimeout()} without use, at
 * {@link DashboardProperties#absoluteTimeout()} after its login, or on logout.
 */
public final class DashboardSessions {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DashboardProperties props;
    private final Clock clock;
    private final Map<String, DashboardSession> sessions = new ConcurrentHashMap<>();

    public DashboardSessions(DashboardProperties props, Clock clock) {
        this.props = props;
        this.clock = clock;
    }

    /** A new session for {@code user}. */
    public DashboardSession create(UserInfo user) {
        Instant now = clock.instant();
        purgeExpired(now);
        while (sessions.size() >= props.maxSessions()) {
            sessions.values().stream().min(Comparator.comparing(DashboardSession::lastUsed))
                    .ifPresent(s -> sessions.remove(s.id(), s));
        }
        DashboardSession s = new DashboardSession(randomId(), user, randomId(), now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session of this id (its idle clock restarted), or empty when unknown or expired. */
    public Optional<DashboardSession> use(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        DashboardSession s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(s, now)) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        s.touch(now);
        return Optional.of(s);
    }

    /** Ends the session (logout). */
    public void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    public int size() {
        return sessions.size();
    }

    /** Whether {@code presented} is the session's CSRF token (constant-time comparison). */
    public static boolean csrfMatches(DashboardSession s, String presented) {
        return presented != null && MessageDigest.isEqual(s.csrfToken().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                presented.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private boolean expired(DashboardSession s, Instant now) {
        return !now.isBefore(s.lastUsed().plus(props.idleTimeout()))
                || !now.isBefore(s.created().plus(props.absoluteTimeout()));
    }

    private void purgeExpired(Instant now) {
        sessions.values().removeIf(s -> expired(s, now));
    }

    private static String randomId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
