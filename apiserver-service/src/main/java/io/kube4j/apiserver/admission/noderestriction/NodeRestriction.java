package io.kube4j.apiserver.admission.noderestriction;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.admission.AdmissionErrors;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.CoreResources;
import io.kube4j.apiserver.admission.ValidatingAdmissionPlugin;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Kubernetes' {@code NodeRestriction} admission plugin ({@code plugin/pkg/admission/noderestriction}): a node
 * ({@code system:node:<name>} in {@code system:nodes}) may create and delete only mirror pods bound to itself that
 * reference no ServiceAccount, Secret, ConfigMap or claim, delete and update the status of pods bound to it, write only
 * its own Node (not its taints nor {@code node-restriction.kubernetes.io/} labels after registration), and only its
 * own Lease in {@code kube-node-lease}. Everything else by other users is not this plugin's business.
 */
@Order(AdmissionOrder.NODE_RESTRICTION)
public final class NodeRestriction implements ValidatingAdmissionPlugin {

    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
    static final String RESTRICTED_LABEL_PREFIX = "node-restriction.kubernetes.io/";
    static final String NODE_LEASE_NAMESPACE = "kube-node-lease";

    @Override
    public String name() {
        return "NodeRestriction";
    }

    @Override
    public boolean appliesTo(Operation op, ResourceType type, String subresource, UserInfo user) {
        return user != null && user.nodeName() != null && (CoreResources.isPods(type) || CoreResources.isCore(type, "nodes")
                || type.group().equals("coordination.k8s.io") && type.plural().equals("leases"));
    }

    @Override
    public Mono<Void> validate(AdmissionAttributes a) {
        return Mono.fromRunnable(() -> check(a));
    }

    /** Throws 403 when node {@code a.user()} may not do {@code a}. */
    static void check(AdmissionAttributes a) {
        String node = a.user().nodeName();
        if (CoreResources.isPods(a.type())) {
            pods(a, node);
        } else if (CoreResources.isCore(a.type(), "nodes")) {
            nodes(a, node);
        } else {
            leases(a, node);
        }
    }

    private static void pods(AdmissionAttributes a, String node) {
        switch (a.subresource()) {
            case "" -> {
                if (a.operation() == Operation.CREATE) {
                    podCreate(a, node, (Pod) a.object());
                } else if (a.operation() == Operation.DELETE) {
                    if (!node.equals(nodeName(a.oldObject()))) {
                        throw forbidden(a, "node \"" + node + "\" can only delete pods with spec.nodeName set to itself");
                    }
                } else {
                    throw forbidden(a, "unexpected operation " + a.operation() + ", node \"" + node
                            + "\" can only create and delete mirror pods");
                }
            }
            case "status" -> {
                if (!node.equals(nodeName(a.oldObject()))) {
                    throw forbidden(a, "node \"" + node
                            + "\" can only update pod status for pods with spec.nodeName set to itself");
                }
            }
            case "eviction" -> {
                // Kubernetes also checks the evicted pod is bound to this node; kube4j lets the eviction through (TODO)
            }
            default -> throw forbidden(a, "unexpected pod subresource \"" + a.subresource()
                    + "\", only 'status' and 'eviction' are allowed");
        }
    }

    private static void podCreate(AdmissionAttributes a, String node, Pod pod) {
        Map<String, String> ann = pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
        if (!ann.containsKey(MIRROR_ANNOTATION)) {
            throw forbidden(a, "pod does not have \"" + MIRROR_ANNOTATION + "\" annotation, node \"" + node
                    + "\" can only create mirror pods");
        }
        if (!node.equals(nodeName(pod))) {
            throw forbidden(a, "node \"" + node + "\" can only create pods with spec.nodeName set to itself");
        }
        PodSpec spec = pod.getSpec();
        if (spec.getServiceAccountName() != null && !spec.getServiceAccountName().isEmpty()) {
            throw forbidden(a, "node \"" + node + "\" can not create pods that reference a service account");
        }
        for (Volume v : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
            if (v.getSecret() != null) {
                throw forbidden(a, "node \"" + node + "\" can not create pods that reference secrets");
            }
            if (v.getConfigMap() != null) {
                throw forbidden(a, "node \"" + node + "\" can not create pods that reference configmaps");
            }
            if (v.getPersistentVolumeClaim() != null) {
                throw forbidden(a, "node \"" + node + "\" can not create pods that reference persistentvolumeclaims");
            }
        }
        var owners = pod.getMetadata().getOwnerReferences();
        if (owners != null && !owners.isEmpty() && (owners.size() > 1 || !"Node".equals(owners.get(0).getKind())
                || !node.equals(owners.get(0).getName()))) {
            throw forbidden(a, "node \"" + node + "\" can only create pods with an owner reference set to itself");
        }
    }

    private static void nodes(AdmissionAttributes a, String node) {
        String target = a.name().isEmpty() && a.object() != null ? a.object().getMetadata().getName() : a.name();
        if (!node.equals(target)) {
            throw forbidden(a, "node \"" + node + "\" is not allowed to modify node \"" + target + "\"");
        }
        if (a.operation() == Operation.CREATE && a.object() instanceof Node n) {
            TreeSet<String> restricted = restrictedLabels(labels(n));
            if (!restricted.isEmpty()) {
                throw forbidden(a, "node \"" + node + "\" is not allowed to set the following labels: "
                        + String.join(", ", restricted));
            }
        }
        if (a.operation() == Operation.UPDATE && a.object() instanceof Node n && a.oldObject() instanceof Node old) {
            TreeSet<String> changed = new TreeSet<>();
            Map<String, String> now = labels(n);
            Map<String, String> before = labels(old);
            for (String k : restrictedLabels(now)) {
                if (!Objects.equals(now.get(k), before.get(k))) {
                    changed.add(k);
                }
            }
            for (String k : restrictedLabels(before)) {
                if (!now.containsKey(k)) {
                    changed.add(k);
                }
            }
            if (!changed.isEmpty()) {
                throw forbidden(a, "node \"" + node + "\" is not allowed to modify labels: " + String.join(", ", changed));
            }
            if (a.subresource().isEmpty() && !Objects.equals(taints(n), taints(old))) {
                throw forbidden(a, "node \"" + node + "\" is not allowed to modify taints");
            }
        }
    }

    private static void leases(AdmissionAttributes a, String node) {
        if (!NODE_LEASE_NAMESPACE.equals(a.namespace())) {
            throw forbidden(a, "can only access leases in the " + NODE_LEASE_NAMESPACE + " namespace");
        }
        String target = a.name().isEmpty() && a.object() != null ? a.object().getMetadata().getName() : a.name();
        if (!node.equals(target)) {
            throw forbidden(a, "can only access node lease with the same name as the requesting node");
        }
    }

    private static TreeSet<String> restrictedLabels(Map<String, String> labels) {
        TreeSet<String> out = new TreeSet<>();
        for (String k : labels.keySet()) {
            String prefix = k.contains("/") ? k.substring(0, k.indexOf('/') + 1) : "";
            if (prefix.equals(RESTRICTED_LABEL_PREFIX) || prefix.endsWith("." + RESTRICTED_LABEL_PREFIX)) {
                out.add(k);
            }
        }
        return out;
    }

    private static Map<String, String> labels(HasMetadata o) {
        return o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
    }

    private static Object taints(Node n) {
        return n.getSpec() == null || n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints();
    }

    private static String nodeName(HasMetadata o) {
        return o instanceof Pod p && p.getSpec() != null ? p.getSpec().getNodeName() : null;
    }

    private static ApiException forbidden(AdmissionAttributes a, String reason) {
        return AdmissionErrors.forbidden(a, reason);
    }
}
