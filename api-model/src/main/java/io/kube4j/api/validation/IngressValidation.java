package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.TypedLocalObjectReference;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassParametersReference;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code networking.k8s.io/v1} Ingress and IngressClass rules, a port of {@code ValidateIngressSpec} and
 * {@code ValidateIngressClass} (Kubernetes' {@code pkg/apis/networking/validation}), with its field paths and
 * messages, so that a bad host, path or backend is a 422 the user recognises rather than a route that silently never
 * matches in the controller.
 */
public final class IngressValidation {

    public static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");
    static final List<String> PARAMETER_SCOPES = List.of("Cluster", "Namespace");
    /** Sequences a Prefix or Exact path may not hold: they would let a request escape the matched prefix. */
    private static final List<String> INVALID_PATH_SEQUENCES = List.of("//", "/./", "/../", "%2f", "%2F");
    private static final List<String> INVALID_PATH_SUFFIXES = List.of("/..", "/.");
    private static final String WILDCARD_FMT = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private static final Pattern WILDCARD = Pattern.compile(WILDCARD_FMT);
    private static final Pattern DOMAIN_PREFIXED_PATH_SEGMENT = Pattern.compile("[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+");
    static final int MAX_CONTROLLER_LEN = 250;

    private IngressValidation() {
    }

    static void validateIngress(Ingress ing, List<FieldError> errs) {
        IngressSpec spec = ing.getSpec() == null ? new IngressSpec() : ing.getSpec();
        boolean hasRules = spec.getRules() != null && !spec.getRules().isEmpty();
        if (!hasRules && spec.getDefaultBackend() == null) {
            errs.add(FieldError.invalid("spec", "", "either `defaultBackend` or `rules` must be specified"));
        }
        if (spec.getDefaultBackend() != null) {
            validateBackend(spec.getDefaultBackend(), "spec.defaultBackend", errs);
        }
        if (hasRules) {
            validateRules(spec.getRules(), errs);
        }
        if (spec.getTls() != null) {
            validateTls(spec.getTls(), errs);
        }
        if (spec.getIngressClassName() != null) {
            for (String msg : NameRules.dns1123Subdomain(spec.getIngressClassName())) {
                errs.add(FieldError.invalid("spec.ingressClassName", spec.getIngressClassName(), msg));
            }
        }
    }

    private static void validateRules(List<IngressRule> rules, List<FieldError> errs) {
        for (int i = 0; i < rules.size(); i++) {
            IngressRule rule = rules.get(i);
            String at = "spec.rules[" + i + "]";
            String host = rule.getHost();
            if (host != null && !host.isEmpty()) {
                if (NameRules.isIp(host)) {
                    errs.add(FieldError.invalid(at + ".host", host, "must be a DNS name, not an IP address"));
                }
                hostErrors(host).forEach(msg -> errs.add(FieldError.invalid(at + ".host", host, msg)));
            }
            if (rule.getHttp() != null) {
                List<HTTPIngressPath> paths = rule.getHttp().getPaths();
                if (paths == null || paths.isEmpty()) {
                    errs.add(FieldError.required(at + ".http.paths", ""));
                    continue;
                }
                for (int j = 0; j < paths.size(); j++) {
                    validatePath(paths.get(j), at + ".http.paths[" + j + "]", errs);
                }
            }
        }
    }

    /** {@code IsWildcardDNS1123Subdomain} for hosts holding a {@code *}, {@code IsDNS1123Subdomain} for the others. */
    static List<String> hostErrors(String host) {
        if (!host.contains("*")) {
            return NameRules.dns1123Subdomain(host);
        }
        List<String> out = new java.util.ArrayList<>();
        if (host.length() > 253) {
            out.add(NameRules.maxLen(253));
        }
        if (!WILDCARD.matcher(host).matches()) {
            out.add(NameRules.regexError("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
                    + "subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
                    + "alphanumeric character", WILDCARD_FMT, "*.example.com"));
        }
        return out;
    }

    private static void validatePath(HTTPIngressPath path, String at, List<FieldError> errs) {
        String type = path.getPathType();
        String p = path.getPath() == null ? "" : path.getPath();
        if (type == null || type.isEmpty()) {
            errs.add(FieldError.required(at + ".pathType", "pathType must be specified"));
            return;
        }
        switch (type) {
            case "Exact", "Prefix" -> {
                if (!p.startsWith("/")) {
                    errs.add(FieldError.invalid(at + ".path", p, "must be an absolute path"));
                }
                if (!p.isEmpty()) {
                    for (String seq : INVALID_PATH_SEQUENCES) {
                        if (p.contains(seq)) {
                            errs.add(FieldError.invalid(at + ".path", p, "must not contain '" + seq + "'"));
                        }
                    }
                    for (String suffix : INVALID_PATH_SUFFIXES) {
                        if (p.endsWith(suffix)) {
                            errs.add(FieldError.invalid(at + ".path", p, "cannot end with '" + suffix + "'"));
                        }
                    }
                }
            }
            case "ImplementationSpecific" -> {
                if (!p.isEmpty() && !p.startsWith("/")) {
                    errs.add(FieldError.invalid(at + ".path", p, "must be an absolute path"));
                }
            }
            default -> errs.add(FieldError.notSupported(at + ".pathType", type, PATH_TYPES));
        }
        validateBackend(path.getBackend() == null ? new IngressBackend() : path.getBackend(), at + ".backend", errs);
    }

    /** {@code validateIngressBackend}: a service (name and a port name XOR number) or a resource, exactly one. */
    static void validateBackend(IngressBackend backend, String at, List<FieldError> errs) {
        IngressServiceBackend svc = backend.getService();
        TypedLocalObjectReference res = backend.getResource();
        if (svc != null && res != null) {
            errs.add(FieldError.invalid(at, "", "cannot set both resource and service backends"));
        } else if (res != null) {
            if (res.getKind() == null || res.getKind().isEmpty()) {
                errs.add(FieldError.required(at + ".resource.kind", ""));
            }
            if (res.getName() == null || res.getName().isEmpty()) {
                errs.add(FieldError.required(at + ".resource.name", ""));
            }
            if (res.getApiGroup() != null && !res.getApiGroup().isEmpty()) {
                for (String msg : NameRules.dns1123Subdomain(res.getApiGroup())) {
                    errs.add(FieldError.invalid(at + ".resource.apiGroup", res.getApiGroup(), msg));
                }
            }
        } else if (svc != null) {
            if (svc.getName() == null || svc.getName().isEmpty()) {
                errs.add(FieldError.required(at + ".service.name", ""));
            } else {
                for (String msg : NameRules.dns1035Label(svc.getName())) {
                    errs.add(FieldError.invalid(at + ".service.name", svc.getName(), msg));
                }
            }
            String portName = svc.getPort() == null ? null : svc.getPort().getName();
            Integer portNumber = svc.getPort() == null ? null : svc.getPort().getNumber();
            boolean hasName = portName != null && !portName.isEmpty();
            boolean hasNumber = portNumber != null && portNumber != 0;
            if (hasName && hasNumber) {
                errs.add(FieldError.invalid(at, "", "cannot set both port name & port number"));
            } else if (hasName) {
                for (String msg : NameRules.portName(portName)) {
                    errs.add(FieldError.invalid(at + ".service.port.name", portName, msg));
                }
            } else if (hasNumber) {
                for (String msg : NameRules.portNumber(portNumber)) {
                    errs.add(FieldError.invalid(at + ".service.port.number", portNumber, msg));
                }
            } else {
                errs.add(FieldError.required(at, "port name or number is required"));
            }
        } else {
            errs.add(FieldError.invalid(at, "", "resource or service backend is required"));
        }
    }

    private static void validateTls(List<IngressTLS> tls, List<FieldError> errs) {
        for (int i = 0; i < tls.size(); i++) {
            IngressTLS t = tls.get(i);
            List<String> hosts = t.getHosts() == null ? List.of() : t.getHosts();
            for (int j = 0; j < hosts.size(); j++) {
                String host = hosts.get(j);
                String at = "spec.tls[" + i + "].hosts[" + j + "]";
                hostErrors(host == null ? "" : host).forEach(msg -> errs.add(FieldError.invalid(at, host, msg)));
            }
            if (t.getSecretName() != null && !t.getSecretName().isEmpty()) {
                for (String msg : NameRules.dns1123Subdomain(t.getSecretName())) {
                    errs.add(FieldError.invalid("spec.tls[" + i + "].secretName", t.getSecretName(), msg));
                }
            }
        }
    }

    static void validateIngressClass(IngressClass ic, List<FieldError> errs) {
        String controller = ic.getSpec() == null ? null : ic.getSpec().getController();
        if (controller == null || controller.isEmpty()) {
            errs.add(FieldError.required("spec.controller", ""));
        } else {
            if (controller.length() > MAX_CONTROLLER_LEN) {
                errs.add(FieldError.tooLong("spec.controller", "", MAX_CONTROLLER_LEN));
            }
            domainPrefixedPath(controller, errs);
        }
        IngressClassParametersReference params = ic.getSpec() == null ? null : ic.getSpec().getParameters();
        if (params != null) {
            String at = "spec.parameters";
            if (params.getKind() == null || params.getKind().isEmpty()) {
                errs.add(FieldError.required(at + ".kind", ""));
            }
            if (params.getName() == null || params.getName().isEmpty()) {
                errs.add(FieldError.required(at + ".name", ""));
            }
            String scope = params.getScope();
            if (scope == null || scope.isEmpty()) {
                errs.add(FieldError.required(at + ".scope", ""));
            } else if (!PARAMETER_SCOPES.contains(scope)) {
                errs.add(FieldError.notSupported(at + ".scope", scope, PARAMETER_SCOPES));
            } else if ("Namespace".equals(scope) && (params.getNamespace() == null || params.getNamespace().isEmpty())) {
                errs.add(FieldError.required(at + ".namespace", "`parameters.scope` is set to 'Namespace'"));
            } else if ("Cluster".equals(scope) && params.getNamespace() != null) {
                errs.add(FieldError.forbidden(at + ".namespace", "`parameters.scope` is set to 'Cluster'"));
            }
        }
    }

    /** {@code IsDomainPrefixedPath}: {@code example.com/name}, the domain a DNS subdomain, the path non-empty. */
    private static void domainPrefixedPath(String controller, List<FieldError> errs) {
        int slash = controller.indexOf('/');
        if (slash < 0) {
            errs.add(FieldError.invalid("spec.controller", controller, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
            return;
        }
        String host = controller.substring(0, slash);
        String path = controller.substring(slash + 1);
        for (String msg : NameRules.dns1123Subdomain(host)) {
            errs.add(FieldError.invalid("spec.controller", host, msg));
        }
        if (path.isEmpty() || !DOMAIN_PREFIXED_PATH_SEGMENT.matcher(path).matches()) {
            errs.add(FieldError.invalid("spec.controller", path, "must be a valid path"));
        }
    }

    static void validateIngressClassUpdate(IngressClass n, IngressClass o, List<FieldError> errs) {
        String nc = n.getSpec() == null ? null : n.getSpec().getController();
        String oc = o.getSpec() == null ? null : o.getSpec().getController();
        if (!Objects.equals(nc, oc)) {
            errs.add(FieldError.invalid("spec.controller", nc, Validation.IMMUTABLE));
        }
    }
}
