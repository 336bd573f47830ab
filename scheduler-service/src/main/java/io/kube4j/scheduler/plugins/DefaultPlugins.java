package io.kube4j.scheduler.plugins;

import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.Profile;
import io.kube4j.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.kube4j.scheduler.plugins.nodename.NodeName;
import io.kube4j.scheduler.plugins.noderesources.NodeResourcesFit;
import io.kube4j.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import io.kube4j.scheduler.plugins.queuesort.PrioritySort;
import io.kube4j.scheduler.plugins.tainttoleration.TaintToleration;

/** The default profile's plugins, in Kubernetes' order, with its score weights. */
public final class DefaultPlugins {

    private DefaultPlugins() {
    }

    public static Profile profile(String schedulerName, BindPlugin binder, int percentageOfNodesToScore) {
        return Profile.builder(schedulerName, new PrioritySort())
                .plugin(new NodeUnschedulable())
                .plugin(new NodeName())
                .plugin(new TaintToleration(), 3)
                .plugin(new NodeAffinity(), 2)
                .plugin(new NodeResourcesFit(), 1)
                .plugin(binder)
                .percentageOfNodesToScore(percentageOfNodesToScore)
                .build();
    }
}
