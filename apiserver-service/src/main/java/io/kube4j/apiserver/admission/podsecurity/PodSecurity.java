package io.kube4j.apiserver.admission.podsecurity;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.admission.AdmissionErrors;
import io.kube4j.apiserver.admission.AdmissionLookup;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.AdmissionWarnings;
import io.kube4j.apiserver.admission.CoreResources;
import io.kube4j.apiserver.admission.ValidatingAdmissionPlugin;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityChecks.Level;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityChecks.Violation;
import io.kube4j.security.UserInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Kubernetes' {@code PodSecurity} admission ({@code pod-security-admission}): the namespace labels
 * {@code pod-security.kubernetes.io/enforce|warn|audit} (and {@code -version}) name a Pod Security Standards level;
 * a pod that violates the enforced level is refused with 403 {@code violates PodSecurity "restricted:latest": ...},
 * one that violates the warn level gets a {@code Warning} header, the audit level is logged. Pods are checked on
 * create and on updates that change their spec.
 */
@Order(AdmissionOrder.POD_SECURITY)
public final class PodSecurity implements ValidatingAdmissionPlugin {

    static final String PREFIX = "pod-security.kubernetes.io/";
    private static final Logger log = LoggerFactory.getLogger(PodSecurity.class);

    private final AdmissionLookup lookup;
    private final ResourceType namespaces;

    public PodSecurity(AdmissionLookup lookup) {
        this.lookup = lookup;
        this.namespaces = lookup.type("", "v1", "namespaces");
    }

    @Override
    public String name() {
        return "PodSecurity";
    }

    @Override
    public boolean appliesTo(Operation op, ResourceType type, String subresource, UserInfo user) {
        return (op == Operation.CREATE || op == Operation.UPDATE) && subresource.isEmpty() && CoreResources.isPods(type);
    }

    @Override
    public Mono<Void> validate(AdmissionAttributes a) {
        if (!(a.object() instanceof Pod pod) || a.namespace().isEmpty()) {
            return Mono.empty();
        }
        if (a.oldObject() instanceof Pod old && Codecs.json().valueToTree(old.getSpec())
                .equals(Codecs.json().valueToTree(pod.getSpec()))) {
            return Mono.empty(); // metadata-only updates are exempt, as in Kubernetes
        }
        return lookup.<Namespace>get(namespaces, null, a.namespace())
                .flatMap(ns -> check(a, pod, ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels()));
    }

    private Mono<Void> check(AdmissionAttributes a, Pod pod, Map<String, String> labels) {
        Mono<Void> out = Mono.empty();
        String audit = labels.get(PREFIX + "audit");
        Level auditLevel = Level.parse(audit);
        if (auditLevel != null) {
            List<Violation> v = PodSecurityChecks.evaluate(auditLevel, pod.getMetadata(), pod.getSpec());
            if (!v.isEmpty()) {
                log.info("audit: pod {}/{} would violate PodSecurity \"{}\": {}", a.namespace(), a.name(),
                        policy(auditLevel, labels, "audit"), join(v));
            }
        }
        Level warn = Level.parse(labels.get(PREFIX + "warn"));
        if (warn != null) {
            List<Violation> v = PodSecurityChecks.evaluate(warn, pod.getMetadata(), pod.getSpec());
            if (!v.isEmpty()) {
                out = AdmissionWarnings.add("would violate PodSecurity \"" + policy(warn, labels, "warn") + "\": " + join(v));
            }
        }
        Level enforce = Level.parse(labels.get(PREFIX + "enforce"));
        if (enforce != null) {
            List<Violation> v = PodSecurityChecks.evaluate(enforce, pod.getMetadata(), pod.getSpec());
            if (!v.isEmpty()) {
                return out.then(Mono.error(AdmissionErrors.forbidden(a, "violates PodSecurity \""
                        + policy(enforce, labels, "enforce") + "\": " + join(v))));
            }
        }
        return out;
    }

    private static String policy(Level level, Map<String, String> labels, String mode) {
        String version = labels.getOrDefault(PREFIX + mode + "-version", "latest");
        return level.label() + ":" + (version.isEmpty() ? "latest" : version);
    }

    static String join(List<Violation> v) {
        return v.stream().map(Violation::toString).collect(Collectors.joining(", "));
    }
}
