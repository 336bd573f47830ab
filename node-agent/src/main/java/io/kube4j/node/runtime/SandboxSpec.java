package io.kube4j.node.runtime;

import java.util.List;
import java.util.Map;

/**
 * A pod sandbox to create: the pod's identity, its attempt (0 for the first sandbox of a pod), hostname, host
 * network or the node's pod network, the host ports of all its containers, DNS settings, and extra labels.
 */
public record SandboxSpec(String podUid, String podName, String namespace, int attempt, String hostname,
                          boolean hostNetwork, List<PortMapping> portMappings, List<String> dnsServers,
                          List<String> dnsSearches, List<String> dnsOptions, Map<String, String> labels) {

    public SandboxSpec {
        portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
        dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
        dnsSearches = dnsSearches == null ? List.of() : List.copyOf(dnsSearches);
        dnsOptions = dnsOptions == null ? List.of() : List.copyOf(dnsOptions);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** A host port published to a container port ({@code protocol} TCP/UDP/SCTP; hostIp blank: all addresses). */
    public record PortMapping(String protocol, int containerPort, int hostPort, String hostIp) {
    }
}
