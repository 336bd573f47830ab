package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.kube4j.api.validation.Validation.isEmpty;

/** Spec rules of the core/v1 resources other than pods: services, config maps, secrets and events. */
final class CoreValidation {

    static final List<String> SERVICE_TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    static final List<String> SESSION_AFFINITIES = List.of("ClientIP", "None");
    static final List<String> TRAFFIC_POLICIES = List.of("Cluster", "Local");
    /** The most data a ConfigMap or Secret may hold (1 MiB). */
    static final int MAX_DATA_SIZE = 1024 * 1024;

    private CoreValidation() {
    }

    static void validateService(Service svc, List<FieldError> errs) {
        ServiceSpec spec = svc.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        String type = isEmpty(spec.getType()) ? "ClusterIP" : spec.getType();
        boolean externalName = type.equals("ExternalName");
        boolean headless = "None".equals(spec.getClusterIP());
        List<ServicePort> ports = spec.getPorts() == null ? List.of() : spec.getPorts();
        if (ports.isEmpty() && !headless && !externalName) {
            errs.add(FieldError.required("spec.ports", ""));
        }
        if (!SERVICE_TYPES.contains(type)) {
            errs.add(FieldError.notSupported("spec.type", type, SERVICE_TYPES));
        }
        if (externalName) {
            if (!isEmpty(spec.getClusterIP())) {
                errs.add(FieldError.forbidden("spec.clusterIP", "may not be set for ExternalName services"));
            }
            String cname = spec.getExternalName() == null ? "" : spec.getExternalName();
            if (cname.endsWith(".")) {
                cname = cname.substring(0, cname.length() - 1);
            }
            if (cname.isEmpty()) {
                errs.add(FieldError.required("spec.externalName", ""));
            } else {
                for (String m : NameRules.dns1123Subdomain(cname)) {
                    errs.add(FieldError.invalid("spec.externalName", cname, m));
                }
            }
        } else {
            validateClusterIPs(spec, errs);
        }
        Set<String> names = new HashSet<>();
        Set<String> protoPorts = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            validateServicePort(ports.get(i), "spec.ports[" + i + "]", ports.size() > 1, names, errs);
            ServicePort sp = ports.get(i);
            String proto = isEmpty(sp.getProtocol()) ? "TCP" : sp.getProtocol();
            if (sp.getPort() != null && !protoPorts.add(proto + "/" + sp.getPort())) {
                Map<String, Object> key = new LinkedHashMap<>();
                key.put("port", sp.getPort());
                key.put("protocol", proto);
                errs.add(FieldError.duplicate("spec.ports[" + i + "]", key));
            }
            if (type.equals("ClusterIP") && sp.getNodePort() != null && sp.getNodePort() != 0) {
                errs.add(FieldError.forbidden("spec.ports[" + i + "].nodePort", "may not be used when `type` is 'ClusterIP'"));
            }
        }
        errs.addAll(Validation.validateLabels(spec.getSelector(), "spec.selector"));
        String affinity = spec.getSessionAffinity();
        if (!isEmpty(affinity) && !SESSION_AFFINITIES.contains(affinity)) {
            errs.add(FieldError.notSupported("spec.sessionAffinity", affinity, SESSION_AFFINITIES));
        }
        String itp = spec.getInternalTrafficPolicy();
        if (!isEmpty(itp) && !TRAFFIC_POLICIES.contains(itp)) {
            errs.add(FieldError.notSupported("spec.internalTrafficPolicy", itp, TRAFFIC_POLICIES));
        }
        String etp = spec.getExternalTrafficPolicy();
        if (!isEmpty(etp) && !TRAFFIC_POLICIES.contains(etp)) {
            errs.add(FieldError.notSupported("spec.externalTrafficPolicy", etp, TRAFFIC_POLICIES));
        }
    }

    private static void validateClusterIPs(ServiceSpec spec, List<FieldError> errs) {
        String ip = spec.getClusterIP();
        if (!isEmpty(ip) && !ip.equals("None") && !NameRules.isIp(ip)) {
            errs.add(FieldError.invalid("spec.clusterIP", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        }
        List<String> ips = spec.getClusterIPs();
        if (ips == null || ips.isEmpty()) {
            return;
        }
        if (!isEmpty(ip) && !ip.equals(ips.get(0))) {
            errs.add(FieldError.invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"));
        }
        for (int i = 0; i < ips.size(); i++) {
            String v = ips.get(i);
            if (i == 0 && "None".equals(v)) {
                if (ips.size() > 1) {
                    errs.add(FieldError.invalid("spec.clusterIPs", ips, "'None' must be the first and only value"));
                }
                continue;
            }
            if (v == null || !NameRules.isIp(v)) {
                errs.add(FieldError.invalid("spec.clusterIPs[" + i + "]", v,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            }
        }
    }

    private static void validateServicePort(ServicePort sp, String path, boolean requireName, Set<String> names,
                                            List<FieldError> errs) {
        String name = sp.getName();
        if (requireName && isEmpty(name)) {
            errs.add(FieldError.required(path + ".name", ""));
        } else if (!isEmpty(name)) {
            NameRules.dns1123Label(name).forEach(m -> errs.add(FieldError.invalid(path + ".name", name, m)));
            if (!names.add(name)) {
                errs.add(FieldError.duplicate(path + ".name", name));
            }
        }
        int port = sp.getPort() == null ? 0 : sp.getPort();
        NameRules.portNumber(port).forEach(m -> errs.add(FieldError.invalid(path + ".port", port, m)));
        String proto = sp.getProtocol();
        if (!isEmpty(proto) && !PodValidation.PROTOCOLS.contains(proto)) {
            errs.add(FieldError.notSupported(path + ".protocol", proto, PodValidation.PROTOCOLS));
        }
        IntOrString target = sp.getTargetPort();
        if (target != null && target.getValue() != null) {
            if (target.getValue() instanceof Integer n) {
                NameRules.portNumber(n).forEach(m -> errs.add(FieldError.invalid(path + ".targetPort", n, m)));
            } else {
                String s = String.valueOf(target.getValue());
                NameRules.portName(s).forEach(m -> errs.add(FieldError.invalid(path + ".targetPort", s, m)));
            }
        }
    }

    static void validateConfigMap(ConfigMap cm, List<FieldError> errs) {
        Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
        Map<String, String> binary = cm.getBinaryData() == null ? Map.of() : cm.getBinaryData();
        long size = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(data).entrySet()) {
            String key = e.getKey();
            String p = "data[" + key + "]";
            NameRules.configMapKey(key).forEach(m -> errs.add(FieldError.invalid(p, key, m)));
            if (binary.containsKey(key)) {
                errs.add(FieldError.invalid(p, key, "duplicate of key present in binaryData"));
            }
            size += e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        for (Map.Entry<String, String> e : new TreeMap<>(binary).entrySet()) {
            String key = e.getKey();
            String p = "binaryData[" + key + "]";
            NameRules.configMapKey(key).forEach(m -> errs.add(FieldError.invalid(p, key, m)));
            if (data.containsKey(key)) {
                errs.add(FieldError.invalid(p, key, "duplicate of key present in data"));
            }
            size += decodedLength(e.getValue());
        }
        if (size > MAX_DATA_SIZE) {
            errs.add(FieldError.tooLong("", "", MAX_DATA_SIZE));
        }
    }

    static void validateSecret(Secret secret, List<FieldError> errs) {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        Map<String, String> stringData = secret.getStringData() == null ? Map.of() : secret.getStringData();
        long size = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(data).entrySet()) {
            String key = e.getKey();
            NameRules.configMapKey(key).forEach(m -> errs.add(FieldError.invalid("data[" + key + "]", key, m)));
            size += decodedLength(e.getValue());
        }
        for (Map.Entry<String, String> e : new TreeMap<>(stringData).entrySet()) {
            String key = e.getKey();
            NameRules.configMapKey(key).forEach(m -> errs.add(FieldError.invalid("stringData[" + key + "]", key, m)));
            if (!data.containsKey(key)) {
                size += e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (size > MAX_DATA_SIZE) {
            errs.add(FieldError.tooLong("data", "", MAX_DATA_SIZE));
        }
        String type = secret.getType() == null ? "" : secret.getType();
        List<String> requiredKeys = switch (type) {
            case "kubernetes.io/dockerconfigjson" -> List.of(".dockerconfigjson");
            case "kubernetes.io/dockercfg" -> List.of(".dockercfg");
            case "kubernetes.io/tls" -> List.of("tls.crt", "tls.key");
            case "kubernetes.io/ssh-auth" -> List.of("ssh-privatekey");
            default -> List.of();
        };
        for (String k : requiredKeys) {
            if (!data.containsKey(k) && !stringData.containsKey(k)) {
                errs.add(FieldError.required("data[" + k + "]", ""));
            }
        }
    }

    static void validateEvent(Event event, List<FieldError> errs) {
        ObjectReference ref = event.getInvolvedObject();
        if (ref == null) {
            errs.add(FieldError.required("involvedObject", ""));
            return;
        }
        String ns = event.getMetadata() == null ? null : event.getMetadata().getNamespace();
        String refNs = ref.getNamespace() == null ? "" : ref.getNamespace();
        if (refNs.isEmpty()) {
            // events about cluster-scoped objects live in "default" (or no namespace)
            if (!isEmpty(ns) && !ns.equals("default")) {
                errs.add(FieldError.invalid("involvedObject.namespace", refNs, "does not match event.namespace"));
            }
        } else if (!refNs.equals(ns)) {
            errs.add(FieldError.invalid("involvedObject.namespace", refNs, "does not match event.namespace"));
        }
    }

    /** The decoded size of base64 text, without decoding it. */
    private static long decodedLength(String base64) {
        if (base64 == null) {
            return 0;
        }
        int len = base64.length();
        int pad = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
        return (long) len * 3 / 4 - pad;
    }
}
