package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.kube4j.apiserver.admission.AdmissionAttributes;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which webhooks a request goes to (Kubernetes' {@code webhook/predicates/rules}, {@code .../namespace} and
 * {@code .../object} matchers): a rule matches on operation, API group, version, resource with subresource
 * ({@code pods}, {@code pods/status}, {@code pods/*}, {@code * /status}, {@code *}, {@code * /*}) and scope; the
 * namespace selector is matched against the labels of the request's namespace (the object's own for a Namespace;
 * cluster-scoped objects are never exempted by it); the object selector against the new or the old object's labels.
 * The webhook configuration resources themselves are never sent to webhooks, so that a broken webhook can be removed.
 *
 * <p>matchPolicy: kube4j serves one version of each resource, so the Equivalent policy has no other version or group
 * to add, and matches exactly what Exact matches.
 */
public final class WebhookMatcher {

    private static final String ADMISSIONREGISTRATION = "admissionregistration.k8s.io";
    private static final Set<String> EXEMPT = Set.of("mutatingwebhookconfigurations", "validatingwebhookconfigurations",
            "validatingadmissionpolicies", "validatingadmissionpolicybindings",
            "mutatingadmissionpolicies", "mutatingadmissionpolicybindings");

    private WebhookMatcher() {
    }

    /** Whether no webhook may see this request (Kubernetes' {@code IsExemptAdmissionConfigurationResource}). */
    public static boolean isExempt(AdmissionAttributes a) {
        return isExempt(a.type());
    }

    /** Whether no webhook may see requests on {@code type}. */
    public static boolean isExempt(io.kube4j.api.registry.ResourceType type) {
        return type.group().equals(ADMISSIONREGISTRATION) && EXEMPT.contains(type.plural());
    }

    /** Whether one of the webhook's rules matches the request. */
    public static boolean matchesRules(Webhook h, AdmissionAttributes a) {
        for (RuleWithOperations r : h.rules()) {
            if (matches(r, a)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(RuleWithOperations r, AdmissionAttributes a) {
        return scope(r.getScope(), a)
                && anyOrContains(r.getOperations(), a.operation().name())
                && anyOrContains(r.getApiGroups(), a.type().group())
                && anyOrContains(r.getApiVersions(), a.type().version())
                && resource(r.getResources(), a.type().plural(), a.subresource());
    }

    private static boolean anyOrContains(List<String> values, String value) {
        return values != null && (values.contains("*") || values.contains(value));
    }

    private static boolean isNamespaceResource(AdmissionAttributes a) {
        return a.type().group().isEmpty() && a.type().plural().equals("namespaces");
    }

    private static boolean scope(String scope, AdmissionAttributes a) {
        if (scope == null || scope.equals("*")) {
            return true;
        }
        boolean clusterScoped = isNamespaceResource(a) || !a.type().namespaced() || a.namespace().isEmpty();
        return switch (scope) {
            case "Namespaced" -> !clusterScoped;
            case "Cluster" -> clusterScoped;
            default -> false;
        };
    }

    private static boolean resource(List<String> resources, String resource, String subresource) {
        if (resources == null) {
            return false;
        }
        for (String rs : resources) {
            int slash = rs.indexOf('/');
            String res = slash < 0 ? rs : rs.substring(0, slash);
            String sub = slash < 0 ? "" : rs.substring(slash + 1);
            if ((res.equals("*") || res.equals(resource)) && (sub.equals("*") || sub.equals(subresource))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the namespace selector has to be evaluated at all: not for an empty selector, and not for a
     * cluster-scoped resource other than namespaces (those are never exempted).
     */
    public static boolean needsNamespaceLabels(Webhook h, AdmissionAttributes a) {
        if (h.namespaceSelector().isEverything()) {
            return false;
        }
        return isNamespaceResource(a) || (a.type().namespaced() && !a.namespace().isEmpty());
    }

    /** The labels the namespace selector is matched against, when the request is about a Namespace itself. */
    public static Map<String, String> ownNamespaceLabels(AdmissionAttributes a) {
        if (!isNamespaceResource(a)) {
            return null;
        }
        HasMetadata o = a.object() != null ? a.object() : a.oldObject();
        return o == null ? Map.of() : labels(o);
    }

    /** Whether the webhook's object selector selects the new or the old object. */
    public static boolean matchesObject(Webhook h, AdmissionAttributes a) {
        if (h.objectSelector().isEverything()) {
            return true;
        }
        return (a.object() != null && h.objectSelector().matches(labels(a.object())))
                || (a.oldObject() != null && h.objectSelector().matches(labels(a.oldObject())));
    }

    private static Map<String, String> labels(HasMetadata o) {
        return o.getMetadata() == null || o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
    }
}
