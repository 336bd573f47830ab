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
 * @param natChains    its KUBE-SVC/SVL/EXT/SEP chains
 * @param natRules     the rules inside those chains
 * @param endpoints    the endpoints its chains DNAT to
 * @param hasEndpoints whether it had any usable endpoint anywhere (false: REJECT rules)
 */
record ServiceRecord(ServicePortInfo info, List<String> natChains, int natRules, List<EndpointInfo> endpoints,
                     boolean hasEndpoints) {
}
