package io.kube4j.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTermBuilder;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.Plugin;

/**
 * The nodes and pods of the scheduler benchmarks, as kube-scheduler's scheduler_perf templates: nodes of realistic
 * sizes (4/8/16/32 cpu with 4 GiB per cpu, 110 pods) labelled with hostname, one of three zones and a region; pods
 * with cpu and memory requests, optionally with a PodTopologySpread constraint on zone (maxSkew 1, DoNotSchedule)
 * plus one on hostname (ScheduleAnyway), and optionally with required anti-affinity on hostname and preferred
 * anti-affinity on zone, each against the pods of their own group ({@code app=group-N}).
 */
final class SchedulerWorkload {

    static final String ZONE = "topology.kubernetes.io/zone";
    static final String REGION = "topology.kubernetes.io/region";
    static final String HOSTNAME = "kubernetes.io/hostname";
    private static final int[] CPUS = {4, 8, 16, 32};
    private static final String[] POD_CPU = {"100m", "250m", "500m", "1"};
    private static final String[] POD_MEMORY = {"128Mi", "256Mi", "512Mi", "1Gi"};

    final boolean spread;
    final boolean affinity;
    final int groupSize;

    SchedulerWorkload(boolean spread, boolean affinity, int groupSize) {
        this.spread = spread;
        this.affinity = affinity;
        this.groupSize = groupSize;
    }

    static SchedulerWorkload fromProperties() {
        return new SchedulerWorkload(Boolean.getBoolean("spread"), Boolean.getBoolean("affinity"),
                BenchSupport.intProp("group.size", 100));
    }

    /** Node {@code i}: its size cycles through 4, 8, 16 and 32 cpu, its zone through three zones. */
    static Node node(int i) {
        String name = nodeName(i);
        int cpu = CPUS[i % CPUS.length];
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity(Integer.toString(cpu)),
                "memory", new Quantity(cpu * 4 + "Gi"), "pods", new Quantity("110"),
                "ephemeral-storage", new Quantity("100Gi"));
        return new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of(HOSTNAME, name, ZONE, "zone-" + (char) ('a' + i % 3), REGION, "region-1",
                        "node.kubernetes.io/instance-type", "std-" + cpu))
                .endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withCapacity(capacity).withAllocatable(capacity)
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
    }

    static String nodeName(int i) {
        return String.format("node-%05d", i);
    }

    /** Pod {@code i} in {@code namespace}, unscheduled. */
    Pod pod(String namespace, String prefix, int i) {
        String group = "group-" + (i / groupSize);
        PodBuilder b = new PodBuilder().withNewMetadata().withName(prefix + "-" + i).withNamespace(namespace)
                .withUid(UUID.randomUUID().toString()).withLabels(Map.of("app", group, "bench", "scheduler"))
                .withCreationTimestamp(java.time.Instant.now().toString())
                .endMetadata()
                .withNewSpec()
                .addNewContainer().withName("app").withImage("registry.example.com/team/app:1.4.2")
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity(POD_CPU[i % POD_CPU.length]),
                        "memory", new Quantity(POD_MEMORY[(i / 4) % POD_MEMORY.length])))
                .endResources().endContainer()
                .endSpec();
        Pod pod = b.build();
        var selector = new LabelSelectorBuilder().withMatchLabels(Map.of("app", group)).build();
        if (spread) {
            pod.getSpec().setTopologySpreadConstraints(List.of(
                    new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(ZONE)
                            .withWhenUnsatisfiable("DoNotSchedule").withLabelSelector(selector).build(),
                    new TopologySpreadConstraintBuilder().withMaxSkew(1).withTopologyKey(HOSTNAME)
                            .withWhenUnsatisfiable("ScheduleAnyway").withLabelSelector(selector).build()));
        }
        if (affinity) {
            pod.getSpec().setAffinity(new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewPodAntiAffinity()
                    .withRequiredDuringSchedulingIgnoredDuringExecution(new PodAffinityTermBuilder()
                            .withLabelSelector(selector).withTopologyKey(HOSTNAME).build())
                    .withPreferredDuringSchedulingIgnoredDuringExecution(new WeightedPodAffinityTermBuilder()
                            .withWeight(100).withPodAffinityTerm(new PodAffinityTermBuilder()
                                    .withLabelSelector(selector).withTopologyKey(ZONE).build())
                            .build())
                    .endPodAntiAffinity().build());
        }
        return pod;
    }

    String describe() {
        return "pods request 100m-1 cpu and 128Mi-1Gi memory"
                + (spread ? "; PodTopologySpread: zone maxSkew 1 DoNotSchedule + hostname maxSkew 1 ScheduleAnyway"
                        + " over groups of " + groupSize : "")
                + (affinity ? "; pod anti-affinity: required on hostname + preferred (weight 100) on zone within"
                        + " groups of " + groupSize : "");
    }

    /** The profile's plugins, so a rerun after more plugins are merged shows which ones ran. */
    static String plugins(Framework fw) {
        return fw.profile().plugins().stream().map(Plugin::name).collect(Collectors.joining(", "));
    }

    /** Warns when the workload asks for plugins the profile does not have (the figures then do not include them). */
    String missingPlugins(Framework fw) {
        List<String> names = fw.profile().plugins().stream().map(Plugin::name).toList();
        List<String> missing = new ArrayList<>();
        if (spread && !names.contains("PodTopologySpread")) {
            missing.add("PodTopologySpread");
        }
        if (affinity && !names.contains("InterPodAffinity")) {
            missing.add("InterPodAffinity");
        }
        return missing.isEmpty() ? null : "NOTE: the workload uses " + missing + " but the profile lacks "
                + (missing.size() == 1 ? "it" : "them") + ": those constraints are ignored in this run";
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    static String jvm() {
        Runtime rt = Runtime.getRuntime();
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", "
                + rt.availableProcessors() + " cores, max heap " + rt.maxMemory() / (1024 * 1024) + " MiB, GC "
                + ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                        .collect(Collectors.joining("/"));
    }

    /** CPU time of this JVM so far (all threads), or 0 when the platform does not tell. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    /** Bytes allocated by this JVM's live threads so far, or 0 when the platform does not tell. */
    static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                ? t.getTotalThreadAllocatedBytes() : 0;
    }

    /** GC collections and milliseconds so far. */
    static long[] gc() {
        long n = 0;
        long ms = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
            ms += Math.max(0, b.getCollectionTime());
        }
        return new long[] {n, ms};
    }
}
