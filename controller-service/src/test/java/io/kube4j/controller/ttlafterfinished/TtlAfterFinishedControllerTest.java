package io.kube4j.controller.ttlafterfinished;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.informer.Indexers;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.FakeClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** TTL expiry on a fake clock: requeued until the TTL passes, then a foreground delete with preconditions. */
class TtlAfterFinishedControllerTest {

    static final Instant FINISHED = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(FINISHED.plusSeconds(1));
    private SharedIndexInformer<Job> informer;
    private ResourceClient<Job> client;
    private TtlAfterFinishedController ttl;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void setUp() {
        client = mock(ResourceClient.class);
        informer = new SharedIndexInformer<>(client, null, ListOptions.all(), Duration.ZERO, Indexers.all());
        when(client.get(anyString(), anyString()))
                .thenAnswer(inv -> Mono.justOrEmpty(informer.lister().get(inv.getArgument(0), inv.getArgument(1))));
        when(client.delete(anyString(), anyString(), any())).thenReturn(Mono.empty());
        ttl = new TtlAfterFinishedController(informer, client, clock);
        ttl.register(ControllerBuilder.controller("ttl-test").clock(clock));
    }

    static Job finished(String name, Integer ttlSeconds, String condition) {
        return new JobBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-" + name)
                .withResourceVersion("7").endMetadata().withNewSpec().withTtlSecondsAfterFinished(ttlSeconds)
                .endSpec().withNewStatus().withCompletionTime(FINISHED.toString()).addNewCondition()
                .withType(condition).withStatus("True").withLastTransitionTime(FINISHED.toString()).endCondition()
                .endStatus().build();
    }

    @Test
    void deletesAFinishedJobInTheForegroundOnceItsTtlPassed() {
        informer.getIndexer().add(finished("done", 60, "Complete"));
        Result r = ttl.reconcile(new Request("ns", "done"));
        assertThat(r.requeueAfter()).isEqualTo(Duration.ofSeconds(59));
        verify(client, never()).delete(anyString(), anyString(), any());

        clock.advance(Duration.ofSeconds(59));
        ttl.reconcile(new Request("ns", "done"));
        verify(client).delete(eq("ns"), eq("done"), eq(new DeleteOptions(null, "Foreground", "uid-done", "7")));
    }

    @Test
    void aFailedJobExpiresToo() {
        informer.getIndexer().add(finished("bad", 0, "Failed"));
        ttl.reconcile(new Request("ns", "bad"));
        verify(client).delete(eq("ns"), eq("bad"), any());
    }

    @Test
    void leavesJobsWithoutTtlOrUnfinished() {
        informer.getIndexer().add(finished("keep", null, "Complete"));
        informer.getIndexer().add(finished("running", 0, "SuccessCriteriaMet"));
        clock.advance(Duration.ofDays(1));
        ttl.reconcile(new Request("ns", "keep"));
        ttl.reconcile(new Request("ns", "running"));
        verify(client, never()).delete(anyString(), anyString(), any());
    }
}
