package io.kube4j.proxy.iptables;

import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ServicePortInfo;

import java.util.List;

/**
 * What the proxier remembers of one Service port after a successful sync: the nat chains it owns (so a partial
 * sync that leaves it alone still knows them, and a later sync can delete them when stale), how many rules they
 * hold (for the rule count), and the endpoints traffic could be sent to (for conntrack cleanup of UDP flows).
 *
 * @param info         the Service port as it was rendered
 * @param allEndpoints the endpoints it was rendered from
 * @param natChains    its KUBE-SVC/SVL/EXT/SEP chains
 * @param natRules     the rules inside those chains
 * @param endpoints    the endpoints its chains DNAT to
 * @param hasEndpoints whether it had any usable endpoint anywhere (false: REJECT rules)
 * @param top          its KUBE-SERVICES / KUBE-NODEPORTS rules
 * @param filterRules  its filter-table rules (REJECT / DROP / health check ACCEPT), as text
 * @param filterRuleCount how many
 * @param noLocalInternal  it counts in kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy="internal"}
 * @param noLocalExternal  same for external
 */
record ServiceRecord(ServicePortInfo info, List<EndpointInfo> allEndpoints, List<String> natChains, int natRules,
                     List<EndpointInfo> endpoints, boolean hasEndpoints, List<IptablesRenderer.TopRule> top,
                     String filterRules, int filterRuleCount, boolean noLocalInternal, boolean noLocalExternal) {
}
