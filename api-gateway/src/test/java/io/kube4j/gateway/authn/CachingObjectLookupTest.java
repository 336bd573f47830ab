package io.kube4j.gateway.authn;

import io.kube4j.security.authn.AuthenticationException;
import io.kube4j.security.authn.ServiceAccountTokens;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lookup cache: answers reused within the TTL, deletions seen after it, failures never kept. */
class CachingObjectLookupTest {

    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-27T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final MovableClock clock = new MovableClock();
    final Map<String, String> objects = new HashMap<>(Map.of("ServiceAccount/ns/sa", "uid-1"));
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean failing;
    final ServiceAccountTokens.ObjectLookup backend = (kind, ns, name) -> Mono.defer(() -> {
        calls.incrementAndGet();
        return failing ? Mono.error(new AuthenticationException("apiserver unreachable"))
                : Mono.justOrEmpty(objects.get(kind + "/" + ns + "/" + name));
    });
    final CachingObjectLookup lookup = new CachingObjectLookup(backend, Duration.ofSeconds(3), clock);

    @Test
    void answersAreReusedWithinTheTtlAndADeletionIsSeenAfterIt() {
        for (int i = 0; i < 5; i++) {
            assertThat(lookup.uid("ServiceAccount", "ns", "sa").block()).isEqualTo("uid-1");
        }
        assertThat(calls).hasValue(1);
        objects.remove("ServiceAccount/ns/sa");
        clock.now = clock.now.plusSeconds(2);
        assertThat(lookup.uid("ServiceAccount", "ns", "sa").block()).isEqualTo("uid-1");
        clock.now = clock.now.plusSeconds(2);
        assertThat(lookup.uid("ServiceAccount", "ns", "sa").block()).isNull();
        assertThat(calls).hasValue(2);
    }

    @Test
    void absenceIsNotKeptSoAnObjectCreatedAfterwardsIsFoundAtOnce() {
        assertThat(lookup.uid("Pod", "ns", "p").block()).isNull();
        objects.put("Pod/ns/p", "uid-new");
        assertThat(lookup.uid("Pod", "ns", "p").block()).isEqualTo("uid-new");
        assertThat(calls).hasValue(2);
    }

    @Test
    void failuresAreNotKept() {
        failing = true;
        assertThatThrownBy(() -> lookup.uid("ServiceAccount", "ns", "sa").block()).hasMessageContaining("unreachable");
        failing = false;
        assertThat(lookup.uid("ServiceAccount", "ns", "sa").block()).isEqualTo("uid-1");
        assertThat(calls).hasValue(2);
    }

    @Test
    void objectsAreCachedByKindNamespaceAndName() {
        objects.put("Secret/ns/sa", "uid-secret");
        assertThat(lookup.uid("ServiceAccount", "ns", "sa").block()).isEqualTo("uid-1");
        assertThat(lookup.uid("Secret", "ns", "sa").block()).isEqualTo("uid-secret");
        assertThat(lookup.uid("ServiceAccount", "other", "sa").block()).isNull();
        assertThat(calls).hasValue(3);
        assertThat(lookup.uid("ServiceAccount", "ns", "sa").block()).isEqualTo("uid-1");
        assertThat(calls).hasValue(3);
    }
}
