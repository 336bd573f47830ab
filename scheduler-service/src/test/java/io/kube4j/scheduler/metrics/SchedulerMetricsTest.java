package io.kube4j.scheduler.metrics;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.util.FakeClock;
import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.PluginMetricsRecorder.ExtensionPoint;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.queuesort.PrioritySort;
import io.kube4j.scheduler.queue.SchedulingQueue;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulerMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SchedulerMetrics metrics = new SchedulerMetrics(registry);
    private final Parallelizer parallelizer = new Parallelizer(2);

    @AfterEach
    void close() {
        parallelizer.close();
    }

    @Test
    void attemptsAndDurationsAreExposedUnderKubernetesNames() {
        metrics.attempt(SchedulerMetrics.SCHEDULED, "default-scheduler", 3_000_000);
        metrics.attempt(SchedulerMetrics.SCHEDULED, "default-scheduler", 5_000_000);
        metrics.attempt(SchedulerMetrics.UNSCHEDULABLE, "default-scheduler", 1_000_000);
        metrics.podScheduled(1, 20_000_000);
        String text = registry.scrape();
        assertThat(text)
                .contains("scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"scheduled\"} 2")
                .contains("scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"unschedulable\"} 1")
                .contains("scheduler_scheduling_attempt_duration_seconds_count{profile=\"default-scheduler\","
                        + "result=\"scheduled\"} 2")
                // Kubernetes' buckets: 1 ms doubling; 3 ms and 5 ms are both within 8 ms, neither within 2 ms
                .contains("scheduler_scheduling_attempt_duration_seconds_bucket{profile=\"default-scheduler\","
                        + "result=\"scheduled\",le=\"0.008\"} 2")
                .contains("scheduler_scheduling_attempt_duration_seconds_bucket{profile=\"default-scheduler\","
                        + "result=\"scheduled\",le=\"0.002\"} 0")
                .contains("scheduler_pod_scheduling_duration_seconds_count{attempts=\"1\"} 1");
    }

    @Test
    void pendingPodsArePerQueue() {
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        SchedulingQueue queue = new SchedulingQueue(new PrioritySort(), clock, Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofSeconds(60));
        metrics.registerQueue(queue);
        queue.add(pod("a").build());
        queue.add(pod("b").build());
        String text = registry.scrape();
        assertThat(text).contains("scheduler_pending_pods{queue=\"active\"} 2")
                .contains("scheduler_pending_pods{queue=\"backoff\"} 0")
                .contains("scheduler_pending_pods{queue=\"unschedulable\"} 0")
                .contains("scheduler_pending_pods{queue=\"gated\"} 0");
    }

    @Test
    void preemptionAttemptsAndVictims() {
        metrics.preemptionAttempted();
        metrics.preemptionAttempted();
        metrics.preemptionVictims(3);
        String text = registry.scrape();
        assertThat(text).contains("scheduler_preemption_attempts_total 2")
                .contains("scheduler_preemption_victims_count 1")
                .contains("scheduler_preemption_victims_sum 3")
                .contains("scheduler_preemption_victims_bucket{le=\"2.0\"} 0")
                .contains("scheduler_preemption_victims_bucket{le=\"4.0\"} 1");
    }

    @Test
    void pluginDurationsAreRecordedOnlyOnSampledCycles() {
        Framework fw = new Framework(DefaultPlugins.profile("default-scheduler", new BindPlugin() {
            @Override
            public String name() {
                return "NoopBinder";
            }

            @Override
            public Status bind(CycleState state, Pod pod, String nodeName) {
                return Status.success();
            }
        }, 0), parallelizer, new Random(1));
        fw.setPluginMetrics(metrics);
        Snapshot snapshot = Snapshot.of(List.of(NodeInfo.of(node("a", "1", "1Gi").build()),
                NodeInfo.of(node("b", "4", "8Gi").build()), NodeInfo.of(node("c", "4", "8Gi").build())));
        Pod pod = pod("p", "cpu", "2").build();

        fw.schedule(new CycleState(), pod, snapshot);
        assertThat(registry.find("scheduler.plugin.execution.duration").timers()).isEmpty();

        CycleState sampled = new CycleState();
        sampled.setRecordPluginMetrics(true);
        fw.schedule(sampled, pod, snapshot);
        fw.runBind(sampled, pod, "b");
        // every node passes each filter until one rejects it: a is rejected by NodeResourcesFit
        assertThat(count("NodeResourcesFit", "Filter", "Unschedulable")).isEqualTo(1);
        assertThat(count("NodeResourcesFit", "Filter", "Success")).isEqualTo(2);
        assertThat(count("NodeUnschedulable", "Filter", "Success")).isEqualTo(3);
        assertThat(count("NodeResourcesFit", "Score", "Success")).isEqualTo(2);
        assertThat(count("NodeResourcesFit", "ScoreExtensionNormalize", "Success")).isEqualTo(1);
        assertThat(count("NoopBinder", "Bind", "Success")).isEqualTo(1);
        assertThat(registry.scrape()).contains("scheduler_plugin_execution_duration_seconds_bucket{"
                + "extension_point=\"Filter\",plugin=\"NodeResourcesFit\",status=\"Unschedulable\",le=\"");
    }

    private long count(String plugin, String point, String status) {
        var t = registry.find("scheduler.plugin.execution.duration").tag("plugin", plugin)
                .tag("extension_point", point).tag("status", status).timer();
        return t == null ? 0 : t.count();
    }

    @Test
    void theSchedulerHandsItsMetricsToEveryProfileForPreemption() {
        Framework fw = new Framework(DefaultPlugins.profile("default-scheduler", new BindPlugin() {
            @Override
            public String name() {
                return "NoopBinder";
            }

            @Override
            public Status bind(CycleState state, Pod pod, String nodeName) {
                return Status.success();
            }
        }, 0), parallelizer, new Random(1));
        assertThat(fw.preemptionMetrics()).isSameAs(io.kube4j.scheduler.framework.PreemptionMetrics.NOOP);
        fw.setPreemptionMetrics(metrics);
        fw.preemptionMetrics().preemptionAttempted();
        fw.preemptionMetrics().preemptionVictims(2);
        assertThat(registry.scrape()).contains("scheduler_preemption_attempts_total 1")
                .contains("scheduler_preemption_victims_count 1");
    }

    @Test
    void aboutATenthOfTheCyclesAreSampled() {
        int sampled = 0;
        for (int i = 0; i < 20_000; i++) {
            if (metrics.samplePluginMetrics()) {
                sampled++;
            }
        }
        assertThat(sampled).isBetween(1_600, 2_400);
    }

    @Test
    void statusLabelsAreKubernetesCodeNames() {
        assertThat(SchedulerMetrics.statusLabel(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE))
                .isEqualTo("UnschedulableAndUnresolvable");
        assertThat(SchedulerMetrics.statusLabel(Status.Code.SUCCESS)).isEqualTo("Success");
        assertThat(ExtensionPoint.SCORE_NORMALIZE.label()).isEqualTo("ScoreExtensionNormalize");
    }
}
