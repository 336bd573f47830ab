package io.kube4j.node.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.kube4j.client.util.FakeClock;
import org.junit.jupiter.api.Test;

class ServiceAccountTokenManagerTest {

    final FakeClock clock = new FakeClock(Instant.parse("2026-11-27T10:00:00Z"));
    final FakeTokenRequester api = new FakeTokenRequester(clock);
    final ServiceAccountTokenManager tokens = new ServiceAccountTokenManager(api, clock);

    static TokenRequest request(String podUid, long seconds, String... audiences) {
        return new TokenRequestBuilder().withNewSpec().withAudiences(List.of(audiences)).withExpirationSeconds(seconds)
                .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName("p").withUid(podUid)
                .endBoundObjectRef().endSpec().build();
    }

    String token(String podUid, long seconds, String... audiences) {
        return tokens.serviceAccountToken("ns", "sa", request(podUid, seconds, audiences)).getStatus().getToken();
    }

    @Test
    void aTokenIsReusedUntil80PercentOfItsLifetimeHasPassed() {
        String first = token("u1", 3600);
        clock.advance(Duration.ofMinutes(47)); // 78%, and more than the 10 s jitter before 80%
        assertThat(token("u1", 3600)).isEqualTo(first);
        assertThat(api.calls).hasSize(1);

        clock.advance(Duration.ofMinutes(2)); // 81%
        String second = token("u1", 3600);
        assertThat(second).isNotEqualTo(first);
        assertThat(api.calls).hasSize(2);
        assertThat(token("u1", 3600)).isEqualTo(second);
    }

    @Test
    void aLongLivedTokenIsRefreshedAfter24Hours() {
        String first = token("u1", Duration.ofDays(7).toSeconds());
        clock.advance(Duration.ofHours(23).plusMinutes(59));
        assertThat(token("u1", Duration.ofDays(7).toSeconds())).isEqualTo(first);
        clock.advance(Duration.ofMinutes(2));
        assertThat(token("u1", Duration.ofDays(7).toSeconds())).isNotEqualTo(first);
    }

    @Test
    void tokensAreCachedPerAudienceExpirationAndBoundPod() {
        String a = token("u1", 3600, "vault");
        String b = token("u1", 3600);
        String c = token("u2", 3600, "vault");
        String d = token("u1", 7200, "vault");
        assertThat(List.of(a, b, c, d)).doesNotHaveDuplicates();
        assertThat(api.calls).hasSize(4);
        assertThat(api.calls.get(0).request().getSpec().getAudiences()).containsExactly("vault");
        assertThat(api.calls.get(0).request().getSpec().getBoundObjectRef().getUid()).isEqualTo("u1");
        assertThat(api.calls.get(0).serviceAccount()).isEqualTo("sa");

        tokens.deleteServiceAccountTokens("u1");
        assertThat(tokens.size()).isEqualTo(1);
    }

    @Test
    void aFailedRefreshKeepsTheOldTokenWhileItIsValidAndFailsAfter() {
        String first = token("u1", 600);
        clock.advance(Duration.ofMinutes(9)); // needs a refresh
        api.failure = new IllegalStateException("apiserver down");
        assertThat(token("u1", 600)).isEqualTo(first);

        clock.advance(Duration.ofMinutes(2)); // expired
        assertThatThrownBy(() -> token("u1", 600)).hasMessage("apiserver down");
        tokens.cleanup();
        assertThat(tokens.size()).isZero();
    }

    @Test
    void anAnswerWithoutItsLifetimeIsTakenToLiveAsLongAsAsked() {
        ServiceAccountTokenManager m = new ServiceAccountTokenManager((ns, sa, tr) -> {
            TokenRequest answer = api.request(ns, sa, tr);
            answer.setSpec(null);
            return answer;
        }, clock);
        String first = m.serviceAccountToken("ns", "sa", request("u1", 3600)).getStatus().getToken();
        clock.advance(Duration.ofMinutes(30));
        assertThat(m.serviceAccountToken("ns", "sa", request("u1", 3600)).getStatus().getToken()).isEqualTo(first);
        clock.advance(Duration.ofMinutes(20));
        assertThat(m.serviceAccountToken("ns", "sa", request("u1", 3600)).getStatus().getToken()).isNotEqualTo(first);
    }

    @Test
    void anAnswerWithoutATokenIsAnError() {
        ServiceAccountTokenManager broken = new ServiceAccountTokenManager((ns, sa, tr) -> tr, clock);
        assertThatThrownBy(() -> broken.serviceAccountToken("ns", "sa", request("u1", 600)))
                .hasMessageContaining("without a token");
    }
}
