package io.kube4j.gateway.dashboard;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The dashboard ({@code kube4j.gateway.dashboard.*}): the single-page app at {@code /dashboard/} and its login
 * sessions.
 *
 * @param enabled          serve the dashboard and accept its session cookie
 * @param idleTimeout      a session unused this long ends (the user logs in again)
 * @param absoluteTimeout  a session ends this long after its login, however active
 * @param maxSessions      sessions kept per gateway replica; a login beyond it ends the oldest session
 * @param secureCookie     mark the session cookie {@code Secure} (leave on: the gateway serves HTTPS)
 */
@ConfigurationProperties("kube4j.gateway.dashboard")
public record DashboardProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("30m") Duration idleTimeout,
        @DefaultValue("12h") Duration absoluteTimeout,
        @DefaultValue("10000") int maxSessions,
        @DefaultValue("true") boolean secureCookie) {
}
