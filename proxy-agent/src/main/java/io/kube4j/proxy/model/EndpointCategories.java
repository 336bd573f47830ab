package io.kube4j.proxy.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which endpoints of a Service port each kind of traffic may use: kube-proxy's {@code CategorizeEndpoints}
 * (pkg/proxy/topology.go, without topology hints), shared by every proxy mode so that they agree on it.
 *
 * <p>Only ready endpoints serve, unless none is ready: then serving-and-terminating ones do (so that a rolling
 * update that takes every pod down at once still drains). The local list applies the same rule to this node's
 * endpoints only.
 *
 * @param cluster     the endpoints for {@code Cluster} traffic policies (empty when the port does not use them)
 * @param local       this node's endpoints for {@code Local} policies (empty when the port does not use them, or
 *                    the node has none)
 * @param reachable   every endpoint some traffic may reach ({@code cluster} ∪ {@code local}), in the state's order
 * @param hasAny      whether the Service port has any usable endpoint anywhere (false: traffic is rejected)
 * @param usesCluster whether some traffic uses the cluster list: internal traffic with policy Cluster, or any
 *                    externally accessible port (even with externalTrafficPolicy Local, traffic from pods and from
 *                    the node itself short-circuits to the cluster list)
 * @param usesLocal   whether some traffic uses the local list (an internal or external policy Local)
 */
public record EndpointCategories(List<EndpointInfo> cluster, List<EndpointInfo> local, List<EndpointInfo> reachable,
                                 boolean hasAny, boolean usesCluster, boolean usesLocal) {

    /** Categorizes {@code endpoints} (the state's list, any condition) of {@code svc}. */
    public static EndpointCategories of(ServicePortInfo svc, List<EndpointInfo> endpoints) {
        boolean internalLocal = svc.internalPolicyLocal();
        boolean usesCluster = !internalLocal || svc.externallyAccessible();
        boolean usesLocal = internalLocal || svc.externallyAccessibleLocalOnly();
        List<EndpointInfo> cluster = List.of();
        boolean hasAny = false;
        if (usesCluster) {
            cluster = new ArrayList<>(endpoints.size());
            for (EndpointInfo ep : endpoints) {
                if (ep.ready()) {
                    cluster.add(ep);
                }
            }
            if (cluster.isEmpty()) {
                for (EndpointInfo ep : endpoints) {
                    if (ep.serving() && ep.terminating()) {
                        cluster.add(ep);
                    }
                }
            }
            hasAny = !cluster.isEmpty();
        }
        if (!usesLocal) {
            return new EndpointCategories(cluster, List.of(), cluster, hasAny, true, false);
        }
        boolean localReady = false;
        boolean localServingTerminating = false;
        for (EndpointInfo ep : endpoints) {
            if (ep.ready()) {
                hasAny = true;
                localReady |= ep.local();
            } else if (ep.serving() && ep.terminating()) {
                hasAny = true;
                localServingTerminating |= ep.local();
            }
        }
        List<EndpointInfo> local = new ArrayList<>();
        for (EndpointInfo ep : endpoints) {
            if (ep.local() && (localReady ? ep.ready() : localServingTerminating && ep.serving() && ep.terminating())) {
                local.add(ep);
            }
        }
        if (!usesCluster) {
            return new EndpointCategories(cluster, local, local, hasAny, false, true);
        }
        Set<EndpointInfo> both = new LinkedHashSet<>(cluster);
        both.addAll(local);
        List<EndpointInfo> reachable = new ArrayList<>(both.size());
        for (EndpointInfo ep : endpoints) {
            if (both.contains(ep)) {
                reachable.add(ep);
            }
        }
        return new EndpointCategories(cluster, local, reachable, hasAny, true, true);
    }

    /**
     * The endpoints for traffic under a policy: this node's when {@code onlyNodeLocal} and it has some, else the
     * cluster list (kube-proxy lets pods reach a Local service that has no endpoint on their node).
     */
    public List<EndpointInfo> pick(boolean onlyNodeLocal) {
        return onlyNodeLocal && !local.isEmpty() ? local : cluster;
    }
}
