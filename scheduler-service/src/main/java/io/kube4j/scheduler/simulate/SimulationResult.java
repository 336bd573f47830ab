package io.kube4j.scheduler.simulate;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of {@code POST /simulate}: for every node whether the pod fits, the filter plugin and reasons that
 * rejected it or each score plugin's scores and the total, and the node the scheduler would pick ({@code tiedNodes}
 * lists the nodes sharing the best total when there are several; the scheduler picks one of them at random).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SimulationResult(String kind, String pod, String profile, int totalNodes, int feasibleNodes,
        String selectedNode, List<String> tiedNodes, String message, List<NodeResult> nodes) {

    /** One node: feasible with scores, or the plugin, code and reasons that filtered it out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeResult(String name, boolean feasible, String filteredBy, String code, List<String> reasons,
            List<PluginScore> scores, Long totalScore) {
    }

    /** One score plugin's score for a node: as the plugin gave it, after normalizing, the weight, weighted. */
    public record PluginScore(String plugin, long rawScore, long normalizedScore, int weight, long weightedScore) {
    }
}
