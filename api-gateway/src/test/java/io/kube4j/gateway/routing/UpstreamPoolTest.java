package io.kube4j.gateway.routing;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Selection of the pool: least outstanding requests, ties round-robin, unhealthy and excluded replicas skipped. */
class UpstreamPoolTest {

    static UpstreamPool pool(int n) {
        return UpstreamPool.of(UpstreamProperties.of(
                java.util.stream.IntStream.range(0, n).mapToObj(i -> "https://10.0.0." + i + ":6443").toList()));
    }

    @Test
    void picksTheReplicaWithFewestOutstandingRequests() {
        UpstreamPool pool = pool(3);
        List<UpstreamReplica> r = pool.replicas();
        r.get(0).acquire();
        r.get(0).acquire();
        r.get(1).acquire();
        // r2 idle
        for (int i = 0; i < 10; i++) {
            assertThat(pool.select(Set.of())).isSameAs(r.get(2));
        }
        UpstreamReplica.Lease l = r.get(2).acquire();
        r.get(2).acquire();
        assertThat(pool.select(Set.of())).isSameAs(r.get(1));
        l.release();
        l.release(); // released once only
        assertThat(r.get(2).outstanding()).isEqualTo(1);
    }

    @Test
    void tiesAreBrokenRoundRobin() {
        UpstreamPool pool = pool(3);
        Map<UpstreamReplica, Integer> picks = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            picks.merge(pool.select(Set.of()), 1, Integer::sum);
        }
        assertThat(picks).hasSize(3).allSatisfy((r, n) -> assertThat(n).isEqualTo(100));
    }

    @Test
    void leastOutstandingBalancesConcurrentRequests() {
        UpstreamPool pool = pool(2);
        // requests that stay in flight go alternately to both replicas
        for (int i = 0; i < 10; i++) {
            pool.select(Set.of()).acquire();
        }
        assertThat(pool.replicas()).allSatisfy(r -> assertThat(r.outstanding()).isEqualTo(5));
    }

    @Test
    void unhealthyAndExcludedReplicasAreSkipped() {
        UpstreamPool pool = pool(3);
        List<UpstreamReplica> r = pool.replicas();
        r.get(0).markFailed(new java.net.ConnectException("refused"));
        for (int i = 0; i < 10; i++) {
            assertThat(pool.select(Set.of())).isNotSameAs(r.get(0));
            assertThat(pool.select(Set.of(r.get(1)))).isSameAs(r.get(2));
        }
        assertThat(pool.select(Set.of(r.get(1), r.get(2)))).isNull();
        assertThat(pool.hasOther(Set.of(r.get(1), r.get(2)))).isFalse();
        assertThat(pool.hasOther(Set.of(r.get(1)))).isTrue();
    }

    @Test
    void noHealthyReplicaSelectsNone() {
        UpstreamPool pool = pool(2);
        pool.replicas().forEach(r -> r.markFailed(new java.net.ConnectException("refused")));
        assertThat(pool.select(Set.of())).isNull();
    }

    @Test
    void activeChecksUseTheThresholdsAndAPassiveMarkEndsWithTheNextGoodCheck() {
        UpstreamReplica r = new UpstreamReplica("https://10.0.0.1:6443", 2, 3);
        r.recordCheck(false, "HTTP 500");
        assertThat(r.healthy()).as("one failure is below the threshold").isTrue();
        r.recordCheck(false, "HTTP 500");
        assertThat(r.healthy()).isFalse();
        r.recordCheck(true, "ok");
        r.recordCheck(true, "ok");
        assertThat(r.healthy()).as("two of three good checks").isFalse();
        r.recordCheck(true, "ok");
        assertThat(r.healthy()).isTrue();

        assertThat(r.markFailed(new java.io.IOException("reset"))).isTrue();
        assertThat(r.markFailed(new java.io.IOException("reset"))).as("already out").isFalse();
        assertThat(r.healthy()).isFalse();
        r.recordCheck(true, "ok");
        assertThat(r.healthy()).isTrue();
    }

    @Test
    void rewriteKeepsPathAndRawQueryExactly() {
        UpstreamReplica r = new UpstreamReplica("https://10.0.0.1:6443", 1, 1);
        URI in = URI.create("https://gateway:8443/api/v1/namespaces/a/configmaps/x%2Fy?labelSelector=app%3Dweb%2Ctier+in+%28a%29&watch=1");
        URI out = r.rewrite(in);
        assertThat(out.toString()).isEqualTo(
                "https://10.0.0.1:6443/api/v1/namespaces/a/configmaps/x%2Fy?labelSelector=app%3Dweb%2Ctier+in+%28a%29&watch=1");
        assertThat(new UpstreamReplica("https://h:1/prefix/", 1, 1).rewrite(URI.create("https://g/version")))
                .hasToString("https://h:1/prefix/version");
    }
}
