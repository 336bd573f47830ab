package io.kube4j.controller.nodelifecycle;

import java.util.List;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;

/**
 * The health of one zone as Kubernetes' node lifecycle controller sees it ({@code ComputeZoneState}), and the rules
 * that follow from it: which NoExecute tainting rate applies, and how a node's zone is named.
 */
public enum ZoneState {
    /** A zone seen for the first time, before its first evaluation. */
    INITIAL,
    NORMAL,
    /** At least {@code unhealthyZoneThreshold} of the zone's nodes (and more than two) are not Ready. */
    PARTIAL_DISRUPTION,
    /** No node of the zone is Ready. */
    FULL_DISRUPTION;

    /** The topology labels a zone is made of (the beta labels count when the GA ones are absent). */
    public static final String LABEL_REGION = "topology.kubernetes.io/region";
    public static final String LABEL_ZONE = "topology.kubernetes.io/zone";
    static final String LABEL_REGION_BETA = "failure-domain.beta.kubernetes.io/region";
    static final String LABEL_ZONE_BETA = "failure-domain.beta.kubernetes.io/zone";

    /** How many nodes are not Ready and the state that makes. */
    public record Evaluation(int unhealthy, ZoneState state) {
    }

    /**
     * Kubernetes' {@code ComputeZoneState}: a Ready condition that is missing or not True counts as not ready; no
     * Ready node → full disruption; more than two not-ready nodes making at least {@code unhealthyThreshold} of the
     * zone → partial disruption; otherwise normal.
     */
    public static Evaluation compute(List<NodeCondition> readyConditions, double unhealthyThreshold) {
        int ready = 0;
        int notReady = 0;
        for (NodeCondition c : readyConditions) {
            if (c != null && "True".equals(c.getStatus())) {
                ready++;
            } else {
                notReady++;
            }
        }
        if (ready == 0 && notReady > 0) {
            return new Evaluation(notReady, FULL_DISRUPTION);
        }
        if (notReady > 2 && (double) notReady / (notReady + ready) >= unhealthyThreshold) {
            return new Evaluation(notReady, PARTIAL_DISRUPTION);
        }
        return new Evaluation(notReady, NORMAL);
    }

    /**
     * The NoExecute tainting rate (nodes per second) of a zone of {@code zoneSize} nodes in this state, as Kubernetes'
     * {@code setLimiterInZone}: normal and fully disrupted zones taint at the normal rate (a fully disrupted cluster is
     * handled before this: it stops tainting altogether), a partially disrupted zone at the secondary rate when it is
     * larger than the large-cluster threshold ({@code ReducedQPSFunc}) and not at all otherwise.
     */
    public double evictionRate(int zoneSize, NodeLifecycleProperties p) {
        return switch (this) {
            case PARTIAL_DISRUPTION -> zoneSize > p.largeClusterSizeThreshold() ? p.secondaryNodeEvictionRate() : 0;
            case NORMAL, FULL_DISRUPTION, INITIAL -> p.nodeEvictionRate();
        };
    }

    /** Kubernetes' {@code GetZoneKey}: {@code region:\0:zone}, or "" for a node without topology labels. */
    public static String zoneKey(Node node) {
        var labels = node.getMetadata() == null ? null : node.getMetadata().getLabels();
        if (labels == null) {
            return "";
        }
        String region = labels.getOrDefault(LABEL_REGION, labels.getOrDefault(LABEL_REGION_BETA, ""));
        String zone = labels.getOrDefault(LABEL_ZONE, labels.getOrDefault(LABEL_ZONE_BETA, ""));
        if (region.isEmpty() && zone.isEmpty()) {
            return "";
        }
        return region + ":\u0000:" + zone;
    }
}
