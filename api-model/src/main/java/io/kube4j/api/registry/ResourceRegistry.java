package io.kube4j.api.registry;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The resources kube4j serves, looked up by REST path, by kind, or by any of their names. */
public final class ResourceRegistry {

    private static final ResourceRegistry BUILTIN = new ResourceRegistry(builtinTypes());

    private final List<ResourceType> types;
    private final Map<String, ResourceType> byPath = new LinkedHashMap<>();
    private final Map<String, ResourceType> byKind = new LinkedHashMap<>();

    public ResourceRegistry(Collection<ResourceType> types) {
        this.types = List.copyOf(types);
        for (ResourceType t : this.types) {
            byPath.put(t.group() + "/" + t.version() + "/" + t.plural(), t);
            byKind.put(t.apiVersion() + "/" + t.kind(), t);
        }
    }

    public static ResourceRegistry builtin() {
        return BUILTIN;
    }

    public List<ResourceType> all() {
        return types;
    }

    /** The resource at {@code /api/v1/{plural}} (group "") or {@code /apis/{group}/{version}/{plural}}. */
    public Optional<ResourceType> byPath(String group, String version, String plural) {
        return Optional.ofNullable(byPath.get(group + "/" + version + "/" + plural));
    }

    public Optional<ResourceType> byKind(String apiVersion, String kind) {
        return Optional.ofNullable(byKind.get(apiVersion + "/" + kind));
    }

    public Optional<ResourceType> byType(Class<? extends HasMetadata> type) {
        return types.stream().filter(t -> t.type().equals(type)).findFirst();
    }

    /** Resolves a user's word for a resource: plural, singular, short name, kind, or {@code plural.group}. */
    public Optional<ResourceType> byName(String name) {
        String lower = name.toLowerCase();
        for (ResourceType t : types) {
            if (t.plural().equals(lower) || t.singular().equals(lower) || t.shortNames().contains(lower)
                    || t.kind().toLowerCase().equals(lower) || t.qualifiedName().equals(lower)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Group name → versions served, in registration order ("" is the core group). */
    public Map<String, Set<String>> groupVersions() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (ResourceType t : types) {
            out.computeIfAbsent(t.group(), g -> new LinkedHashSet<>()).add(t.version());
        }
        return out;
    }

    public List<ResourceType> inGroupVersion(String group, String version) {
        List<ResourceType> out = new ArrayList<>();
        for (ResourceType t : types) {
            if (t.group().equals(group) && t.version().equals(version)) {
                out.add(t);
            }
        }
        return out;
    }

    private static List<ResourceType> builtinTypes() {
        List<ResourceType> l = new ArrayList<>();
        l.add(rt("", "v1", "Namespace", "namespaces", List.of("ns"), false, Namespace.class, "status", "finalize"));
        l.add(rt("", "v1", "Pod", "pods", List.of("po"), true, Pod.class, "status", "binding", "log", "exec", "attach", "portforward", "eviction"));
        l.add(rt("", "v1", "Node", "nodes", List.of("no"), false, Node.class, "status"));
        l.add(rt("", "v1", "Service", "services", List.of("svc"), true, Service.class, "status"));
        l.add(rt("", "v1", "Endpoints", "endpoints", List.of("ep"), true, Endpoints.class));
        l.add(rt("", "v1", "ConfigMap", "configmaps", List.of("cm"), true, ConfigMap.class));
        l.add(rt("", "v1", "Secret", "secrets", List.of(), true, Secret.class));
        l.add(rt("", "v1", "Event", "events", List.of("ev"), true, Event.class));
        l.add(rt("", "v1", "PersistentVolume", "persistentvolumes", List.of("pv"), false,
                io.fabric8.kubernetes.api.model.PersistentVolume.class, "status"));
        l.add(rt("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", List.of("pvc"), true,
                io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class, "status"));
        l.add(rt("", "v1", "ServiceAccount", "serviceaccounts", List.of("sa"), true, ServiceAccount.class, "token"));
        l.add(rt("apps", "v1", "Deployment", "deployments", List.of("deploy"), true, Deployment.class, "status", "scale"));
        l.add(rt("apps", "v1", "ReplicaSet", "replicasets", List.of("rs"), true, ReplicaSet.class, "status", "scale"));
        l.add(rt("apps", "v1", "StatefulSet", "statefulsets", List.of("sts"), true, StatefulSet.class, "status", "scale"));
        l.add(rt("apps", "v1", "DaemonSet", "daemonsets", List.of("ds"), true, DaemonSet.class, "status"));
        l.add(rt("apps", "v1", "ControllerRevision", "controllerrevisions", List.of(), true,
                io.fabric8.kubernetes.api.model.apps.ControllerRevision.class));
        l.add(rt("batch", "v1", "Job", "jobs", List.of(), true, Job.class, "status"));
        l.add(rt("batch", "v1", "CronJob", "cronjobs", List.of("cj"), true, CronJob.class, "status"));
        l.add(rt("coordination.k8s.io", "v1", "Lease", "leases", List.of(), true, Lease.class));
        l.add(rt("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", List.of("pc"), false, PriorityClass.class));
        l.add(rt("storage.k8s.io", "v1", "StorageClass", "storageclasses", List.of("sc"), false,
                io.fabric8.kubernetes.api.model.storage.StorageClass.class));
        l.add(rt("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", List.of(), true, EndpointSlice.class));
        l.add(rt("networking.k8s.io", "v1", "Ingress", "ingresses", List.of("ing"), true,
                io.fabric8.kubernetes.api.model.networking.v1.Ingress.class, "status"));
        l.add(rt("networking.k8s.io", "v1", "IngressClass", "ingressclasses", List.of(), false,
                io.fabric8.kubernetes.api.model.networking.v1.IngressClass.class));
        l.add(rt("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", List.of("hpa"), true,
                HorizontalPodAutoscaler.class, "status"));
        l.add(rt("rbac.authorization.k8s.io", "v1", "Role", "roles", List.of(), true, Role.class));
        l.add(rt("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", List.of(), true, RoleBinding.class));
        l.add(rt("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", List.of(), false, ClusterRole.class));
        l.add(rt("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", List.of(), false,
                ClusterRoleBinding.class));
        l.add(rt("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", List.of("pdb"), true,
                PodDisruptionBudget.class, "status"));
        l.add(rt("", "v1", "LimitRange", "limitranges", List.of("limits"), true,
                io.fabric8.kubernetes.api.model.LimitRange.class));
        l.add(rt("", "v1", "ResourceQuota", "resourcequotas", List.of("quota"), true,
                io.fabric8.kubernetes.api.model.ResourceQuota.class, "status"));
        l.add(rt("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
                "mutatingwebhookconfigurations", List.of(), false,
                io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration.class));
        l.add(rt("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
                "validatingwebhookconfigurations", List.of(), false,
                io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration.class));
        // Reviews are not stored: create-only, answered from the request (authentication/authorization).
        l.add(createOnly("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", false,
                io.fabric8.kubernetes.api.model.authentication.TokenReview.class));
        l.add(createOnly("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false,
                io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview.class));
        l.add(createOnly("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", false,
                io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview.class));
        l.add(createOnly("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false,
                io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview.class));
        l.add(createOnly("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", true,
                io.fabric8.kubernetes.api.model.authorization.v1.LocalSubjectAccessReview.class));
        l.add(createOnly("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false,
                io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview.class));
        // The resource metrics API (what metrics-server serves behind the aggregation layer): computed from the
        // node agents' /stats/summary, read-only and never stored.
        l.add(readOnly("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes", false,
                io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics.class));
        l.add(readOnly("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", true,
                io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics.class));
        return l;
    }

    /** A resource that is only ever created and answered, never stored (the review APIs). */
    private static ResourceType createOnly(String group, String version, String kind, String plural, boolean namespaced,
                                           Class<? extends HasMetadata> type) {
        return new ResourceType(group, version, kind, plural, kind.toLowerCase(), List.of(), namespaced,
                List.of("create"), new LinkedHashSet<>(), type);
    }

    /** A resource computed on request (get and list only), never stored or watched (the resource metrics API). */
    private static ResourceType readOnly(String group, String version, String kind, String plural, boolean namespaced,
                                         Class<? extends HasMetadata> type) {
        return new ResourceType(group, version, kind, plural, kind.toLowerCase(), List.of(), namespaced,
                List.of("get", "list"), new LinkedHashSet<>(), type);
    }

    private static ResourceType rt(String group, String version, String kind, String plural, List<String> shortNames,
                                   boolean namespaced, Class<? extends HasMetadata> type, String... subresources) {
        return new ResourceType(group, version, kind, plural, kind.toLowerCase(), shortNames, namespaced,
                ResourceType.ALL_VERBS, new LinkedHashSet<>(List.of(subresources)), type);
    }
}
