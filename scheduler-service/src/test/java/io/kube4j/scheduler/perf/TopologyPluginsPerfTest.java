package io.kube4j.scheduler.perf;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.ScheduleResult;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Per-cycle cost of the default profile on 5,000 nodes (3 zones) holding 10,000 pods, with and without topology
 * spread / inter-pod affinity in the pod; in-process, no apiserver. Run with {@code -Dperf=true}; prints figures,
 * asserts only that pods were placed; figures are the best batch. (The benchmarks module measures throughput end to end.)
 */
@EnabledIfSystemProperty(named = "perf", matches = "true")
class TopologyPluginsPerfTest {

    static final String ZONE = "topology.kubernetes.io/zone";
    static final String HOST = "kubernetes.io/hostname";

    @Test
    void cycleCostAtFiveThousandNodes() {
        try (Parallelizer par = new Parallelizer(2)) {
            List<NodeInfo> infos = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                String name = "n" + i;
                NodeInfo info = NodeInfo.of(node(name, "32", "128Gi").editMetadata().addToLabels(ZONE, "z" + i % 3)
                        .addToLabels(HOST, name).endMetadata().build());
                for (int j = 0; j < 2; j++) {
                    PodBuilder b = pod("e-" + i + "-" + j, "cpu", "100m").editMetadata()
                            .addToLabels("app", "app" + (i * 2 + j) % 50).endMetadata().editSpec().withNodeName(name)
                            .endSpec();
                    if ((i + j) % 10 == 0) {
                        b = antiAffinity(b, "app" + (i * 2 + j) % 50);
                    }
                    info.addPod(b.build());
                }
                infos.add(info);
            }
            Snapshot snap = Snapshot.of(infos);
            BindPlugin noop = new BindPlugin() {
                @Override
                public String name() {
                    return "NoopBinder";
                }

                @Override
                public Status bind(CycleState state, Pod pod, String nodeName) {
                    return Status.success();
                }
            };
            Framework fw = new Framework(DefaultPlugins.profile("perf", noop, 0, FrameworkHandle.offline(par)), par,
                    new Random(1));
            Pod plain = pod("plain", "cpu", "100m").editMetadata().addToLabels("app", "web").endMetadata().build();
            Pod spread = pod("spread", "cpu", "100m").editMetadata().addToLabels("app", "app7").endMetadata()
                    .editSpec().withTopologySpreadConstraints(new TopologySpreadConstraintBuilder().withMaxSkew(1)
                            .withTopologyKey(ZONE).withWhenUnsatisfiable("DoNotSchedule").withLabelSelector(
                                    new LabelSelectorBuilder().withMatchLabels(Map.of("app", "app7")).build())
                            .build(), new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(HOST)
                            .withWhenUnsatisfiable("ScheduleAnyway").withLabelSelector(
                                    new LabelSelectorBuilder().withMatchLabels(Map.of("app", "app7")).build())
                            .build()).endSpec().build();
            Pod anti = antiAffinity(pod("anti", "cpu", "100m").editMetadata().addToLabels("app", "app9")
                    .endMetadata(), "app9").build();
            Framework base = new Framework(io.kube4j.scheduler.framework.Profile.builder("base",
                    new io.kube4j.scheduler.plugins.queuesort.PrioritySort())
                    .plugin(new io.kube4j.scheduler.plugins.nodeunschedulable.NodeUnschedulable())
                    .plugin(new io.kube4j.scheduler.plugins.nodename.NodeName())
                    .plugin(new io.kube4j.scheduler.plugins.tainttoleration.TaintToleration(), 3)
                    .plugin(new io.kube4j.scheduler.plugins.nodeaffinity.NodeAffinity(), 2)
                    .plugin(new io.kube4j.scheduler.plugins.noderesources.NodeResourcesFit(), 1)
                    .plugin(noop).build(), par, new Random(1));
            System.out.printf("PERF 5000 nodes, 10000 pods, plain pod, profile without the two plugins: %.0f us"
                    + " per cycle%n", measure(base, plain, snap));
            io.kube4j.scheduler.plugins.podtopologyspread.PodTopologySpread pts =
                    new io.kube4j.scheduler.plugins.podtopologyspread.PodTopologySpread(
                            io.kube4j.scheduler.framework.PluginArgs.empty("PodTopologySpread"),
                            FrameworkHandle.offline(par));
            for (int round = 0; round < 2; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 300; i++) {
                    CycleState st = new CycleState();
                    st.setSnapshot(snap);
                    pts.preFilter(st, spread);
                }
                long t1 = System.nanoTime();
                List<NodeInfo> feasible = snap.nodes().subList(0, 500);
                for (int i = 0; i < 300; i++) {
                    CycleState st = new CycleState();
                    st.setSnapshot(snap);
                    pts.preScore(st, spread, feasible);
                }
                long t2 = System.nanoTime();
                System.out.printf("PERF-PHASE preFilter %.0f us, preScore %.0f us%n", (t1 - t0) / 300e3,
                        (t2 - t1) / 300e3);
            }
            Pod zoneOnly = new PodBuilder(spread).editMetadata().withName("zone-spread").endMetadata().editSpec()
                    .withTopologySpreadConstraints(spread.getSpec().getTopologySpreadConstraints().get(0)).endSpec()
                    .build();
            for (Pod p : List.of(plain, zoneOnly, spread, anti, spread)) {
                double micros = measure(fw, p, snap);
                System.out.printf("PERF 5000 nodes, 10000 pods, %s pod: %.0f us per cycle%n",
                        p.getMetadata().getName(), micros);
            }
        }
    }

    static PodBuilder antiAffinity(PodBuilder b, String app) {
        return b.editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addToRequiredDuringSchedulingIgnoredDuringExecution(new PodAffinityTermBuilder()
                        .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", app)).build())
                        .withTopologyKey(HOST).build()).endPodAntiAffinity().endAffinity().endSpec();
    }

    /** Microseconds per cycle: the best of 20 batches of 50 cycles, as other processes share this machine. */
    static double measure(Framework fw, Pod pod, Snapshot snap) {
        for (int i = 0; i < 300; i++) {
            fw.schedule(new CycleState(), pod, snap);
        }
        double best = Double.MAX_VALUE;
        for (int batch = 0; batch < 20; batch++) {
            long start = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                ScheduleResult r = fw.schedule(new CycleState(), pod, snap);
                assertThat(r.suggestedHost()).isNotNull();
            }
            best = Math.min(best, (System.nanoTime() - start) / 1000.0 / 50);
        }
        return best;
    }
}
