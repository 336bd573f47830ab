package io.kube4j.apiserver.registry.warnings;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The warnings Kubernetes answers a Service write with (pkg/api/service/warnings.go), on create and on every update:
 * the deprecated topology-aware-hints annotation, IPv4 addresses with leading zeros (accepted today, refused by Go's
 * parser since 1.17), and fields the Service's type ignores.
 */
public final class ServiceWarnings {

    private static final String HINTS = "service.kubernetes.io/topology-aware-hints";
    private static final String MODE = "service.kubernetes.io/topology-mode";
    private static final Pattern DOTTED = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private ServiceWarnings() {
    }

    public static List<String> forWrite(Service svc) {
        List<String> out = new ArrayList<>();
        Map<String, String> annotations = svc.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(HINTS)) {
            out.add("annotation " + HINTS + " is deprecated, please use " + MODE + " instead");
        }
        ServiceSpec spec = svc.getSpec();
        if (spec == null) {
            return out;
        }
        List<String> clusterIps = spec.getClusterIPs();
        for (int i = 0; clusterIps != null && i < clusterIps.size(); i++) {
            ip(out, "spec.clusterIPs[" + i + "]", clusterIps.get(i));
        }
        List<String> external = spec.getExternalIPs();
        for (int i = 0; external != null && i < external.size(); i++) {
            ip(out, "spec.externalIPs[" + i + "]", external.get(i));
        }
        if (spec.getLoadBalancerIP() != null && !spec.getLoadBalancerIP().isEmpty()) {
            ip(out, "spec.loadBalancerIP", spec.getLoadBalancerIP());
        }
        if ("ExternalName".equals(spec.getType()) && external != null && !external.isEmpty()) {
            out.add("spec.externalIPs is ignored when spec.type is \"ExternalName\"");
        }
        if (!"ExternalName".equals(spec.getType()) && spec.getExternalName() != null && !spec.getExternalName().isEmpty()) {
            out.add("spec.externalName is ignored when spec.type is not \"ExternalName\"");
        }
        return out;
    }

    /** Go's netip refuses an IPv4 octet with a leading zero (CVE-2021-29923); Kubernetes still accepts and warns. */
    private static void ip(List<String> out, String path, String address) {
        var m = DOTTED.matcher(address == null ? "" : address);
        if (!m.matches()) {
            return;
        }
        for (int g = 1; g <= 4; g++) {
            String octet = m.group(g);
            if (octet.length() > 1 && octet.startsWith("0")) {
                out.add(path + ": IP address was accepted, but will be invalid in a future Kubernetes release: "
                        + "ParseAddr(\"" + address + "\"): IPv4 field has octet with leading zero");
                return;
            }
        }
    }
}
