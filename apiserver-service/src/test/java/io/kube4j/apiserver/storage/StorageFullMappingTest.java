package io.kube4j.apiserver.storage;

import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import io.kube4j.apiserver.rest.ResourceHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** An out-of-space store, either backend, is answered with 507 InsufficientStorage; a deadline is 504;
 * other store trouble stays 503. */
class StorageFullMappingTest {

    @Test
    void storageFullIs507AndUnavailableStays503() {
        assertThat(ResourceHandler.toErrorResponse(new StorageFullException("disk is full", null)).block()
                .statusCode().value()).isEqualTo(507);
        assertThat(ResourceHandler.toErrorResponse(new StorageUnavailableException("etcd down", null)).block()
                .statusCode().value()).isEqualTo(503);
    }

    @Test
    void aStorageDeadlineIs504BecauseAWriteMayStillBeApplied() {
        assertThat(ResourceHandler.toErrorResponse(new StorageTimeoutException("etcd did not answer", null)).block()
                .statusCode().value()).isEqualTo(504);
        try (EtcdStorage etcd = new EtcdStorage(new EtcdStorageConfig(List.of("http://127.0.0.1:1"),
                Duration.ofSeconds(1), Duration.ofSeconds(1), null, null, null), new SimpleMeterRegistry())) {
            RuntimeException ours = etcd.translate(new java.util.concurrent.TimeoutException("no answer"), "create",
                    "/registry/configmaps/default/a", 0);
            assertThat(ours).isInstanceOf(StorageTimeoutException.class).hasMessageContaining("may still be applied");
            RuntimeException etcds = etcd.translate(EtcdExceptionFactory.toEtcdException(
                    Status.DEADLINE_EXCEEDED.withDescription("etcdserver: request timed out")), "update",
                    "/registry/configmaps/default/a", 0);
            assertThat(etcds).isInstanceOf(StorageTimeoutException.class);
        }
    }

    @Test
    void etcdQuotaExceededIsStorageFull() {
        // the jetcd client connects lazily: nothing is dialled here
        try (EtcdStorage etcd = new EtcdStorage(new EtcdStorageConfig(List.of("http://127.0.0.1:1"),
                Duration.ofSeconds(1), Duration.ofSeconds(1), null, null, null), new SimpleMeterRegistry())) {
            RuntimeException quota = etcd.translate(EtcdExceptionFactory.toEtcdException(
                    Status.RESOURCE_EXHAUSTED.withDescription("etcdserver: mvcc: database space exceeded")),
                    "create", "/registry/configmaps/default/a", 0);
            assertThat(quota).isInstanceOf(StorageFullException.class).hasMessageContaining("out of space");
            RuntimeException down = etcd.translate(EtcdExceptionFactory.toEtcdException(
                    Status.UNAVAILABLE.withDescription("connection refused")), "create", "/registry/configmaps/default/a", 0);
            assertThat(down).isInstanceOf(StorageUnavailableException.class).isNotInstanceOf(StorageFullException.class);
        }
    }
}
