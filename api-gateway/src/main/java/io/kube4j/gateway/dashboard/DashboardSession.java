package io.kube4j.gateway.dashboard;

import io.kube4j.security.UserInfo;

import java.time.Instant;

/**
 * One dashboard login: the user the token was reviewed as, the CSRF token the browser must echo on unsafe
 * requests, and its timestamps. The login token itself is not kept: requests go on as this user through the
 * front-proxy headers.
 */
public final class DashboardSession {

    private final String id;
    private final UserInfo user;
    private final String csrfToken;
    private final Instant created;
    private volatile Instant lastUsed;

    DashboardSession(String id, UserInfo user, String csrfToken, Instant created) {
        this.id = id;
        this.user = user;
        this.csrfToken = csrfToken;
        this.created = created;
        this.lastUsed = created;
    }

    public String id() {
        return id;
    }

    public UserInfo user() {
        return user;
    }

    public String csrfToken() {
        return csrfToken;
    }

    public Instant created() {
        return created;
    }

    public Instant lastUsed() {
        return lastUsed;
    }

    void touch(Instant now) {
        if (now.isAfter(lastUsed)) {
            lastUsed = now;
        }
    }
}
