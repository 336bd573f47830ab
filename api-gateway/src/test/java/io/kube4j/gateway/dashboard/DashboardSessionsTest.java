package io.kube4j.gateway.dashboard;

import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** Session lifetimes: idle expiry renewed by use, absolute expiry however active, the cap on live sessions. */
class DashboardSessionsTest {

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    final MutableClock clock = new MutableClock();
    final DashboardSessions sessions = new DashboardSessions(new DashboardProperties(true, Duration.ofMinutes(30),
            Duration.ofHours(12), 3, true), clock);

    @Test
    void useRenewsTheIdleClockUntilTheAbsoluteLimit() {
        DashboardSession s = sessions.create(UserInfo.of("alice"));
        for (int i = 0; i < 23; i++) {
            clock.advance(Duration.ofMinutes(29));
            assertThat(sessions.use(s.id())).as("after %d uses", i).contains(s);
        }
        clock.advance(Duration.ofMinutes(29)); // 24 * 29 min = 11.6 h
        assertThat(sessions.use(s.id())).isPresent();
        clock.advance(Duration.ofMinutes(25)); // past 12 h since login
        assertThat(sessions.use(s.id())).isEmpty();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void anIdleSessionEnds() {
        DashboardSession s = sessions.create(UserInfo.of("alice"));
        clock.advance(Duration.ofMinutes(30));
        assertThat(sessions.use(s.id())).isEmpty();
        assertThat(sessions.use(null)).isEmpty();
        assertThat(sessions.use("unknown")).isEmpty();
    }

    @Test
    void theLeastRecentlyUsedSessionGivesWayBeyondTheCap() {
        DashboardSession a = sessions.create(UserInfo.of("a"));
        clock.advance(Duration.ofSeconds(1));
        DashboardSession b = sessions.create(UserInfo.of("b"));
        clock.advance(Duration.ofSeconds(1));
        DashboardSession c = sessions.create(UserInfo.of("c"));
        clock.advance(Duration.ofSeconds(1));
        sessions.use(a.id());
        DashboardSession d = sessions.create(UserInfo.of("d"));
        assertThat(sessions.size()).isEqualTo(3);
        assertThat(sessions.use(b.id())).isEmpty();
        assertThat(sessions.use(a.id())).isPresent();
        assertThat(sessions.use(c.id())).isPresent();
        assertThat(sessions.use(d.id())).isPresent();
    }

    @Test
    void idsAndCsrfTokensAreRandomAndCsrfComparisonIsExact() {
        DashboardSession a = sessions.create(UserInfo.of("a"));
        DashboardSession b = sessions.create(UserInfo.of("a"));
        assertThat(a.id()).isNotEqualTo(b.id()).hasSize(43);
        assertThat(a.csrfToken()).isNotEqualTo(b.csrfToken()).isNotEqualTo(a.id());
        assertThat(DashboardSessions.csrfMatches(a, a.csrfToken())).isTrue();
        assertThat(DashboardSessions.csrfMatches(a, b.csrfToken())).isFalse();
        assertThat(DashboardSessions.csrfMatches(a, null)).isFalse();
        assertThat(DashboardSessions.csrfMatches(a, "")).isFalse();
    }
}
