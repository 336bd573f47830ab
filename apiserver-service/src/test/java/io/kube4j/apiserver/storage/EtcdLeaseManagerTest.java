package io.kube4j.apiserver.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EtcdLeaseManagerTest {

    private final AtomicLong clock = new AtomicLong();
    private final List<Long> grantedSeconds = new ArrayList<>();
    private final List<CompletableFuture<Long>> pending = new ArrayList<>();
    private final EtcdLeaseManager leases = new EtcdLeaseManager(seconds -> {
        grantedSeconds.add(seconds);
        CompletableFuture<Long> f = new CompletableFuture<>();
        pending.add(f);
        return f;
    }, clock::get);

    @Test
    void aBurstSharesOneGrant() {
        List<CompletableFuture<Long>> handedOut = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            handedOut.add(leases.leaseFor(Duration.ofHours(1)));
        }
        pending.get(0).complete(42L);

        assertThat(grantedSeconds).containsExactly(3600L + 60);
        assertThat(handedOut).allMatch(f -> f.join() == 42L);
    }

    @Test
    void aLeaseIsReusedOnlyWithinItsWindow() {
        leases.leaseFor(Duration.ofHours(1));
        pending.get(0).complete(1L);
        clock.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(leases.leaseFor(Duration.ofHours(1)).join()).isEqualTo(1L);

        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        CompletableFuture<Long> next = leases.leaseFor(Duration.ofHours(1));
        pending.get(1).complete(2L);
        assertThat(next.join()).isEqualTo(2L);
        assertThat(grantedSeconds).hasSize(2);
    }

    @Test
    void differentTtlsGetDifferentLeases() {
        leases.leaseFor(Duration.ofSeconds(10));
        leases.leaseFor(Duration.ofSeconds(20));
        leases.leaseFor(Duration.ofMillis(9500)); // rounds up to 10 s: shares the first
        assertThat(grantedSeconds).containsExactly(11L, 21L);
    }

    @Test
    void aFailedGrantIsNotCached() {
        CompletableFuture<Long> first = leases.leaseFor(Duration.ofSeconds(30));
        pending.get(0).completeExceptionally(new IllegalStateException("etcd down"));
        assertThat(first).isCompletedExceptionally();

        leases.leaseFor(Duration.ofSeconds(30));
        assertThat(grantedSeconds).hasSize(2);
    }

    @Test
    void anInvalidatedLeaseIsGrantedAgain() {
        leases.leaseFor(Duration.ofSeconds(30));
        pending.get(0).complete(7L);
        leases.invalidate(7L);
        leases.leaseFor(Duration.ofSeconds(30));
        assertThat(grantedSeconds).hasSize(2);
    }

    @Test
    void nonPositiveTtlIsRejected() {
        assertThatThrownBy(() -> leases.leaseFor(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "2, 1", "60, 3", "3600, 60", "86400, 60"})
    void reuseWindowIsFivePercentBetweenOneAndSixtySeconds(long ttl, long reuse) {
        assertThat(EtcdLeaseManager.reuseSeconds(ttl)).isEqualTo(reuse);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "/registry/pods/default/web-0, pods",
            "/registry/deployments/default/web, deployments",
            "/registry/namespaces/default, namespaces",
            "/registry/pods/, pods",
            "/registry/pods, pods",
            "/registry/, none",
            "/other/pods/x, none",
            "null, none"})
    void metricTypeIsTheResourceOfTheKey(String key, String type) {
        assertThat(EtcdStorage.resourceOf(key)).isEqualTo(type);
    }
}
