package io.kube4j.gateway.ratelimit;

import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitRulesTest {

    static final List<RateLimitProperties.Rule> RULES = List.of(
            new RateLimitProperties.Rule(null, "batch", 5.0, 10),
            new RateLimitProperties.Rule(null, "ci", 20.0, 5),
            new RateLimitProperties.Rule(null, "ci", 20.0, 50),
            new RateLimitProperties.Rule("throttled", null, 0.5, 1),
            new RateLimitProperties.Rule(null, "burst-only", null, 1000));

    final RateLimitRules rules = new RateLimitRules(new RateLimitProperties(true, 50.0, 100, RULES, null, null, null));

    @ParameterizedTest(name = "{0} in [{1}] -> {2} qps, burst {3}")
    @CsvSource(delimiter = '|', textBlock = """
            alice     |                             | 50.0 | 100
            alice     | batch                       | 5.0  | 10
            alice     | batch ci                    | 20.0 | 50
            alice     | ci batch                    | 20.0 | 50
            throttled | ci                          | 0.5  | 1
            bob       | burst-only                  | 50.0 | 1000
            bob       | burst-only ci               | 50.0 | 1000
            system:anonymous | system:unauthenticated | 50.0 | 100
            """)
    void resolves(String user, String groups, double qps, long burst) {
        UserInfo u = UserInfo.of(user, groups == null ? new String[0] : groups.trim().split(" +"));
        assertThat(rules.limitFor(u)).contains(new Limit(qps, burst));
    }

    @Test
    void exemptGroupsAreNotLimited() {
        assertThat(rules.limitFor(UserInfo.of("admin", UserInfo.SYSTEM_MASTERS, "batch"))).isEqualTo(Optional.empty());
        RateLimitRules none = new RateLimitRules(new RateLimitProperties(true, 1.0, 1, List.of(), List.of(), null,
                null));
        assertThat(none.limitFor(UserInfo.of("admin", UserInfo.SYSTEM_MASTERS))).isPresent();
    }

    @Test
    void defaults() {
        RateLimitProperties p = new RateLimitProperties(null, null, null, null, null, null, null);
        assertThat(p.enabled()).isTrue();
        assertThat(p.defaultLimit()).isEqualTo(new Limit(50, 100));
        assertThat(p.exemptGroups()).containsExactly(UserInfo.SYSTEM_MASTERS);
        assertThat(p.idleEviction()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.failedAuthentication().burst()).isEqualTo(10);
        assertThat(p.failedAuthentication().limit().tokenInterval()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void badRulesFailAtStart() {
        assertThatThrownBy(() -> new RateLimitProperties.Rule("u", "g", 1.0, 1))
                .hasMessageContaining("exactly one of user or group");
        assertThatThrownBy(() -> new RateLimitProperties.Rule(null, null, 1.0, 1))
                .hasMessageContaining("exactly one of user or group");
        assertThatThrownBy(() -> new RateLimitRules(new RateLimitProperties(true, 1.0, 1,
                List.of(new RateLimitProperties.Rule("u", null, 0.0, 1)), null, null, null)))
                .hasMessageContaining("qps > 0");
        assertThatThrownBy(() -> new RateLimitProperties(true, 1.0, 0, null, null, null, null))
                .hasMessageContaining("burst >= 1");
        assertThatThrownBy(() -> new RateLimitProperties.FailedAuthentication(true, 3, Duration.ZERO))
                .hasMessageContaining("refill-interval");
    }

    @Test
    void generosityOrdersByRateThenBurst() {
        List<Limit> limits = Arrays.asList(new Limit(5, 100), new Limit(10, 1), new Limit(10, 2));
        assertThat(limits.stream().max(Limit::compareTo)).contains(new Limit(10, 2));
    }
}
