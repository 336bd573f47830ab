package io.kube4j.scheduler.plugins;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.kube4j.scheduler.config.ProfileConfig;
import io.kube4j.scheduler.config.ProfileConfig.PluginRef;
import io.kube4j.scheduler.config.ProfileFactory;
import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.PluginFactory;
import io.kube4j.scheduler.framework.PluginRegistry;
import io.kube4j.scheduler.framework.Profile;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.kube4j.scheduler.plugins.defaultpreemption.DefaultPreemption;
import io.kube4j.scheduler.plugins.imagelocality.ImageLocality;
import io.kube4j.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.kube4j.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.kube4j.scheduler.plugins.nodename.NodeName;
import io.kube4j.scheduler.plugins.nodeports.NodePorts;
import io.kube4j.scheduler.plugins.noderesources.BalancedAllocation;
import io.kube4j.scheduler.plugins.noderesources.NodeResourcesFit;
import io.kube4j.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import io.kube4j.scheduler.plugins.podtopologyspread.PodTopologySpread;
import io.kube4j.scheduler.plugins.queuesort.PrioritySort;
import io.kube4j.scheduler.plugins.tainttoleration.TaintToleration;
import io.kube4j.scheduler.plugins.volumebinding.VolumeBinding;
import io.kube4j.scheduler.plugins.volumerestrictions.VolumeRestrictions;

/** The built-in plugins: their registry, and the default profile's plugins in Kubernetes' order with its weights. */
public final class DefaultPlugins {

    /**
     * The default profile's {@code multiPoint} plugins, in Kubernetes' order (kube-scheduler v1
     * {@code getDefaultPlugins}) with its score weights (0: none given, 1 for score plugins). Kubernetes defaults kube4j
     * does not have (SchedulingGates, NodeVolumeLimits, VolumeZone) are left out.
     */
    public static final List<PluginRef> MULTI_POINT = List.of(
            new PluginRef(PrioritySort.NAME, 0),
            new PluginRef(NodeUnschedulable.NAME, 0),
            new PluginRef(NodeName.NAME, 0),
            new PluginRef(TaintToleration.NAME, 3),
            new PluginRef(NodeAffinity.NAME, 2),
            new PluginRef(NodePorts.NAME, 0),
            new PluginRef(NodeResourcesFit.NAME, 1),
            new PluginRef(VolumeRestrictions.NAME, 0),
            new PluginRef(VolumeBinding.NAME, 0),
            new PluginRef(PodTopologySpread.NAME, 2),
            new PluginRef(InterPodAffinity.NAME, 2),
            new PluginRef(DefaultPreemption.NAME, 0),
            new PluginRef(BalancedAllocation.NAME, 1),
            new PluginRef(ImageLocality.NAME, 1),
            new PluginRef(DefaultBinder.NAME, 0));

    private DefaultPlugins() {
    }

    /** The built-in plugin factories. {@code bindTimeout} is the default binder's timeout for the binding request. */
    public static PluginRegistry registry(Duration bindTimeout) {
        return new PluginRegistry()
                .register(PrioritySort.NAME, (a, h) -> new PrioritySort())
                .register(NodeUnschedulable.NAME, (a, h) -> new NodeUnschedulable())
                .register(NodeName.NAME, (a, h) -> new NodeName())
                .register(TaintToleration.NAME, (a, h) -> new TaintToleration())
                .register(NodeAffinity.NAME, (a, h) -> new NodeAffinity())
                .register(NodePorts.NAME, (a, h) -> new NodePorts())
                .register(NodeResourcesFit.NAME, (a, h) -> NodeResourcesFit.of(a))
                .register(VolumeRestrictions.NAME, (a, h) -> new VolumeRestrictions(h))
                .register(VolumeBinding.NAME, VolumeBinding::new)
                .register(BalancedAllocation.NAME, (a, h) -> BalancedAllocation.of(a))
                .register(ImageLocality.NAME, (a, h) -> new ImageLocality())
                .register(DefaultPreemption.NAME, (a, h) -> new DefaultPreemption(a, h))
                .register(PodTopologySpread.NAME, PodTopologySpread::new)
                .register(InterPodAffinity.NAME, InterPodAffinity::new)
                .register(DefaultBinder.NAME, (a, h) -> new DefaultBinder(h.client(), bindTimeout));
    }

    /**
     * The default profile with {@code binder} in place of the default binder and without {@link DefaultPreemption}
     * (which needs an apiserver), for runs without one (benchmarks, tests).
     */
    public static Profile profile(String schedulerName, BindPlugin binder, int percentageOfNodesToScore) {
        return profile(schedulerName, binder, percentageOfNodesToScore, FrameworkHandle.offline(null), false);
    }

    /**
     * The default profile with {@code binder} in place of the default binder, and {@link DefaultPreemption} as its
     * PostFilter, which deletes victims through {@code handle}'s client and reads PodDisruptionBudgets from its
     * informers.
     */
    public static Profile profile(String schedulerName, BindPlugin binder, int percentageOfNodesToScore,
            FrameworkHandle handle) {
        return profile(schedulerName, binder, percentageOfNodesToScore, handle, true);
    }

    /**
     * The default profile with {@code binder} in place of the default binder; {@code handle} gives plugins their
     * parallelizer and informers, and {@link DefaultPreemption} is included when {@code preemption} (it needs a client).
     */
    public static Profile profile(String schedulerName, BindPlugin binder, int percentageOfNodesToScore,
            FrameworkHandle handle, boolean preemption) {
        PluginRegistry reg = new PluginRegistry();
        for (PluginFactory f : registry(Duration.ofSeconds(30)).all()) {
            if (!f.name().equals(DefaultBinder.NAME) && !f.name().equals(binder.name())) {
                reg.register(f);
            }
        }
        reg.register(binder.name(), (a, h) -> binder);
        List<PluginRef> defaults = new ArrayList<>();
        for (PluginRef r : MULTI_POINT) {
            if (!preemption && r.name().equals(DefaultPreemption.NAME)) {
                continue;
            }
            defaults.add(r.name().equals(DefaultBinder.NAME) ? new PluginRef(binder.name(), 0) : r);
        }
        return new ProfileFactory(reg, defaults, handle)
                .build(new ProfileConfig(null, List.of()), schedulerName, percentageOfNodesToScore).get(0);
    }
}
