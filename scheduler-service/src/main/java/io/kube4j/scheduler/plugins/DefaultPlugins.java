package io.kube4j.scheduler.plugins;

import java.time.Duration;

import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PluginRegistry;
import io.kube4j.scheduler.framework.Profile;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.kube4j.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.kube4j.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.kube4j.scheduler.plugins.nodename.NodeName;
import io.kube4j.scheduler.plugins.noderesources.NodeResourcesFit;
import io.kube4j.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import io.kube4j.scheduler.plugins.podtopologyspread.PodTopologySpread;
import io.kube4j.scheduler.plugins.queuesort.PrioritySort;
import io.kube4j.scheduler.plugins.tainttoleration.TaintToleration;

/** The built-in plugins: their registry, and the default profile's plugins in Kubernetes' order with its weights. */
public final class DefaultPlugins {

    private DefaultPlugins() {
    }

    /**
     * The built-in plugin factories. {@code bindTimeout} is the default binder's timeout for the binding request.
     * (Plugin args are not read yet by the built-ins.)
     */
    public static PluginRegistry registry(Duration bindTimeout) {
        return new PluginRegistry()
                .register(PrioritySort.NAME, (a, h) -> new PrioritySort())
                .register(NodeUnschedulable.NAME, (a, h) -> new NodeUnschedulable())
                .register(NodeName.NAME, (a, h) -> new NodeName())
                .register(TaintToleration.NAME, (a, h) -> new TaintToleration())
                .register(NodeAffinity.NAME, (a, h) -> new NodeAffinity())
                .register(NodeResourcesFit.NAME, (a, h) -> new NodeResourcesFit())
                .register(PodTopologySpread.NAME, PodTopologySpread::new)
                .register(InterPodAffinity.NAME, InterPodAffinity::new)
                .register(DefaultBinder.NAME, (a, h) -> new DefaultBinder(h.client(), bindTimeout));
    }

    public static Profile profile(String schedulerName, BindPlugin binder, int percentageOfNodesToScore) {
        return basicProfile(schedulerName, binder, percentageOfNodesToScore, FrameworkHandle.offline(null));
    }

    /** The default profile with {@code handle} (see {@link #basicProfile}). */
    public static Profile profile(String schedulerName, BindPlugin binder, int percentageOfNodesToScore,
            FrameworkHandle handle) {
        return basicProfile(schedulerName, binder, percentageOfNodesToScore, handle);
    }

    /**
     * The default profile's queue-sort, filter, score and bind plugins; {@code handle} gives plugins their
     * parallelizer and informers (PodTopologySpread's default selectors, InterPodAffinity's namespace selectors).
     */
    public static Profile basicProfile(String schedulerName, BindPlugin binder, int percentageOfNodesToScore,
            FrameworkHandle handle) {
        return Profile.builder(schedulerName, new PrioritySort())
                .plugin(new NodeUnschedulable())
                .plugin(new NodeName())
                .plugin(new TaintToleration(), 3)
                .plugin(new NodeAffinity(), 2)
                .plugin(new NodeResourcesFit(), 1)
                .plugin(new PodTopologySpread(PluginArgs.empty(PodTopologySpread.NAME), handle), 2)
                .plugin(new InterPodAffinity(PluginArgs.empty(InterPodAffinity.NAME), handle), 2)
                .plugin(binder)
                .percentageOfNodesToScore(percentageOfNodesToScore)
                .build();
    }
}
