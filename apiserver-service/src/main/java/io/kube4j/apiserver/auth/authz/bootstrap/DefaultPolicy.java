package io.kube4j.apiserver.auth.authz.bootstrap;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.rbac.AggregationRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.kube4j.apiserver.auth.authz.rbac.RuleCoverage;
import io.kube4j.security.UserInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default ClusterRoles and ClusterRoleBindings (Kubernetes' {@code bootstrappolicy}), reconciled at apiserver
 * start: the user-facing cluster-admin/admin/edit/view (the last three aggregated by label, as in Kubernetes),
 * discovery and self-review roles for everyone, and one least-privilege role per kube4j component, bound to the
 * identity its client certificate carries.
 */
public final class DefaultPolicy {

    public static final String AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";
    public static final String BOOTSTRAPPING = "kubernetes.io/bootstrapping";
    public static final String AGGREGATE_PREFIX = "rbac.authorization.k8s.io/aggregate-to-";

    public static final String SCHEDULER_USER = "system:kube-scheduler";
    public static final String CONTROLLER_USER = "system:kube-controller-manager";
    public static final String PROXY_USER = "system:kube-proxy";
    /** The cluster DNS add-on (addons/dns): reads what it names, publishes the Service kube-system/kube-dns. */
    public static final String DNS_USER = "system:kube-dns";
    /** The api-gateway's own identity, for its ServiceAccount token lookups. */
    public static final String GATEWAY_USER = "system:kube4j-gateway";
    /** The ingress controller add-on's identity (addons/ingress). */
    public static final String INGRESS_USER = "system:kube4j-ingress-controller";
    public static final String MONITORING_GROUP = "system:monitoring";

    static final List<String> READ = List.of("get", "list", "watch");
    static final List<String> WRITE = List.of("create", "update", "patch", "delete", "deletecollection");
    private static final List<String> READ_WRITE = concat(READ, WRITE);
    private static final String CORE = "";
    private static final String APPS = "apps";
    private static final String BATCH = "batch";
    private static final String AUTOSCALING = "autoscaling";
    private static final String POLICY = "policy";
    private static final String NETWORKING = "networking.k8s.io";
    private static final String DISCOVERY = "discovery.k8s.io";
    private static final String COORDINATION = "coordination.k8s.io";
    private static final String EVENTS = "events.k8s.io";
    private static final String RBAC = "rbac.authorization.k8s.io";
    private static final String STORAGE = "storage.k8s.io";

    private DefaultPolicy() {
    }

    public static PolicyRule rule(List<String> verbs, List<String> groups, String... resources) {
        return new PolicyRuleBuilder().withVerbs(verbs).withApiGroups(groups).withResources(resources).build();
    }

    public static PolicyRule rule(List<String> verbs, String group, String... resources) {
        return rule(verbs, List.of(group), resources);
    }

    public static PolicyRule named(List<String> verbs, String group, String resource, String... names) {
        return new PolicyRuleBuilder().withVerbs(verbs).withApiGroups(group).withResources(resource)
                .withResourceNames(names).build();
    }

    public static PolicyRule urls(List<String> verbs, String... urls) {
        return new PolicyRuleBuilder().withVerbs(verbs).withNonResourceURLs(urls).build();
    }

    /** The rules of {@code system:node}; the Node authorizer grants these, narrowed to the node's own objects. */
    public static List<PolicyRule> nodeRules() {
        return List.of(
                rule(List.of("create"), "authentication.k8s.io", "tokenreviews"),
                rule(List.of("create"), "authorization.k8s.io", "subjectaccessreviews", "localsubjectaccessreviews"),
                rule(READ, CORE, "services", "endpoints"),
                rule(READ, DISCOVERY, "endpointslices"),
                rule(List.of("create", "get", "list", "watch", "update", "patch", "delete"), CORE, "nodes"),
                rule(List.of("update", "patch"), CORE, "nodes/status"),
                rule(List.of("create", "update", "patch"), CORE, "events"),
                rule(List.of("create", "update", "patch"), EVENTS, "events"),
                rule(READ, CORE, "pods"),
                rule(List.of("create", "delete"), CORE, "pods"),
                rule(List.of("update", "patch"), CORE, "pods/status"),
                rule(List.of("create"), CORE, "pods/eviction"),
                rule(List.of("get"), CORE, "secrets", "configmaps", "persistentvolumeclaims", "persistentvolumes",
                        "namespaces"),
                rule(List.of("create"), CORE, "serviceaccounts/token"),
                rule(List.of("get", "create", "update", "patch", "delete"), COORDINATION, "leases"),
                rule(READ, "node.k8s.io", "runtimeclasses"),
                rule(READ, STORAGE, "csidrivers", "csinodes", "volumeattachments"));
    }

    /** The default ClusterRoles by name, aggregated roles with their rules computed from the others. */
    public static Map<String, ClusterRole> clusterRoles() {
        Map<String, ClusterRole> r = new LinkedHashMap<>();
        add(r, role("cluster-admin", List.of(rule(List.of("*"), List.of("*"), "*"), urls(List.of("*"), "*"))));
        add(r, aggregated("admin", "admin", Map.of()));
        add(r, aggregated("edit", "edit", Map.of(AGGREGATE_PREFIX + "admin", "true")));
        add(r, aggregated("view", "view", Map.of(AGGREGATE_PREFIX + "edit", "true")));
        add(r, labelled(role("system:aggregate-to-admin", List.of(
                rule(List.of("create"), "authorization.k8s.io", "localsubjectaccessreviews"),
                rule(READ_WRITE, RBAC, "rolebindings", "roles"))), AGGREGATE_PREFIX + "admin"));
        add(r, labelled(role("system:aggregate-to-edit", List.of(
                rule(List.of("impersonate"), CORE, "serviceaccounts"),
                rule(WRITE, CORE, "pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"),
                rule(List.of("create"), CORE, "pods/eviction"),
                rule(WRITE, CORE, "replicationcontrollers", "replicationcontrollers/scale", "services", "services/proxy",
                        "persistentvolumeclaims", "configmaps", "secrets", "events"),
                rule(WRITE, CORE, "serviceaccounts"),
                rule(List.of("create"), CORE, "serviceaccounts/token"),
                rule(READ, CORE, "pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"),
                rule(WRITE, APPS, "daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                        "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"),
                rule(WRITE, AUTOSCALING, "horizontalpodautoscalers"),
                rule(WRITE, BATCH, "cronjobs", "jobs"),
                rule(WRITE, POLICY, "poddisruptionbudgets"),
                rule(WRITE, NETWORKING, "ingresses", "networkpolicies"),
                rule(WRITE, DISCOVERY, "endpointslices"),
                rule(WRITE, COORDINATION, "leases"))), AGGREGATE_PREFIX + "edit"));
        add(r, labelled(role("system:aggregate-to-view", List.of(
                rule(READ, CORE, "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
                        "services", "services/status", "endpoints", "persistentvolumeclaims",
                        "persistentvolumeclaims/status", "configmaps"),
                rule(READ, CORE, "limitranges", "resourcequotas", "bindings", "events", "pods/status",
                        "resourcequotas/status", "namespaces/status", "replicationcontrollers/status", "pods/log"),
                rule(READ, CORE, "namespaces"),
                rule(READ, DISCOVERY, "endpointslices"),
                rule(READ, APPS, "controllerrevisions", "daemonsets", "daemonsets/status", "deployments",
                        "deployments/scale", "deployments/status", "replicasets", "replicasets/scale",
                        "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"),
                rule(READ, AUTOSCALING, "horizontalpodautoscalers", "horizontalpodautoscalers/status"),
                rule(READ, BATCH, "cronjobs", "cronjobs/status", "jobs", "jobs/status"),
                rule(READ, POLICY, "poddisruptionbudgets", "poddisruptionbudgets/status"),
                rule(READ, NETWORKING, "ingresses", "ingresses/status", "networkpolicies"),
                rule(READ, COORDINATION, "leases"))), AGGREGATE_PREFIX + "view"));
        // what metrics-server's manifest installs: reading the resource metrics API is part of view, edit and admin
        ClusterRole metricsReader = role("system:aggregated-metrics-reader",
                List.of(rule(READ, "metrics.k8s.io", "pods", "nodes")));
        for (String to : List.of("view", "edit", "admin")) {
            labelled(metricsReader, AGGREGATE_PREFIX + to);
        }
        add(r, metricsReader);
        add(r, role("system:basic-user", List.of(
                rule(List.of("create"), "authorization.k8s.io", "selfsubjectaccessreviews", "selfsubjectrulesreviews"),
                rule(List.of("create"), "authentication.k8s.io", "selfsubjectreviews"))));
        add(r, role("system:discovery", List.of(urls(List.of("get"), "/api", "/api/*", "/apis", "/apis/*",
                "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"))));
        // + the actuator's health, which authentication.anonymous-paths lets anonymous requests reach too
        add(r, role("system:public-info-viewer", List.of(urls(List.of("get"), "/healthz", "/livez", "/readyz",
                "/version", "/version/", "/actuator/health", "/actuator/health/*"))));
        add(r, role("system:monitoring", List.of(urls(List.of("get"), "/metrics", "/metrics/slis", "/livez",
                "/readyz", "/healthz", "/livez/*", "/readyz/*", "/healthz/*", "/actuator/prometheus"))));
        add(r, role("system:node", nodeRules()));
        add(r, role("system:kube-scheduler", schedulerRules()));
        add(r, role("system:kube-controller-manager", controllerRules()));
        add(r, role("system:node-proxier", List.of(
                rule(READ, CORE, "services", "endpoints", "nodes"),
                rule(READ, DISCOVERY, "endpointslices"),
                rule(List.of("create", "update", "patch"), CORE, "events"),
                rule(List.of("create", "update", "patch"), EVENTS, "events"))));
        // CoreDNS's system:coredns, plus nodes (the InternalIP it publishes) and writing its own Service and endpoints
        // (kube4j's DNS publishes kube-system/kube-dns itself, as kube-apiserver publishes default/kubernetes)
        add(r, role(DNS_USER, List.of(
                rule(READ, CORE, "services", "endpoints", "pods", "namespaces", "nodes"),
                rule(READ, DISCOVERY, "endpointslices"),
                rule(READ, APPS, "replicasets"),
                rule(List.of("create", "update", "patch", "delete"), CORE, "services", "endpoints"),
                rule(List.of("create", "update", "patch", "delete"), DISCOVERY, "endpointslices"))));
        // the ingress controller routes to endpoints, serves the Ingresses' TLS Secrets and reports its address
        add(r, role(INGRESS_USER, List.of(
                rule(READ, NETWORKING, "ingresses", "ingressclasses"),
                rule(List.of("update", "patch"), NETWORKING, "ingresses/status"),
                // kube4j.ingress.ensure-default-class: the IngressClass kube4j, created at start when missing
                rule(List.of("create"), NETWORKING, "ingressclasses"),
                rule(READ, CORE, "services", "endpoints", "secrets"),
                rule(READ, DISCOVERY, "endpointslices"),
                rule(List.of("create", "update", "patch"), CORE, "events"),
                rule(List.of("create", "update", "patch"), EVENTS, "events"))));
        // the api-gateway checks that the objects a ServiceAccount token names still exist (service-account-lookup)
        add(r, role(GATEWAY_USER, List.of(rule(READ, CORE, "serviceaccounts", "secrets", "pods", "nodes"))));
        computeAggregations(r);
        return r;
    }

    /** What kube4j's scheduler reads and writes (scheduler-service: informers, binding, status, preemption, leader lease). */
    static List<PolicyRule> schedulerRules() {
        return List.of(
                rule(List.of("create", "update", "patch"), CORE, "events"),
                rule(List.of("create", "update", "patch"), EVENTS, "events"),
                rule(List.of("create"), COORDINATION, "leases"),
                named(List.of("get", "update"), COORDINATION, "leases", "kube-scheduler"),
                rule(READ, CORE, "nodes", "namespaces", "services", "replicationcontrollers",
                        "persistentvolumeclaims", "persistentvolumes"),
                rule(List.of("get", "list", "watch", "delete"), CORE, "pods"),
                // Kubernetes' system:volume-scheduler: VolumeBinding pre-binds PVs and selects nodes on claims
                rule(List.of("patch", "update"), CORE, "persistentvolumeclaims", "persistentvolumes"),
                rule(List.of("create"), CORE, "bindings", "pods/binding"),
                rule(List.of("patch", "update"), CORE, "pods/status"),
                rule(READ, APPS, "replicasets", "statefulsets"),
                rule(READ, POLICY, "poddisruptionbudgets"),
                rule(READ, "scheduling.k8s.io", "priorityclasses"),
                rule(READ, STORAGE, "storageclasses", "csinodes", "csidrivers", "csistoragecapacities"),
                rule(List.of("create"), "authentication.k8s.io", "tokenreviews"),
                rule(List.of("create"), "authorization.k8s.io", "subjectaccessreviews"));
    }

    /**
     * What kube4j's controller service needs: its garbage collector and namespace deleter read, patch and delete
     * every resource (they discover them), and its controllers create the objects they own.
     */
    static List<PolicyRule> controllerRules() {
        return List.of(
                rule(List.of("get", "list", "watch", "patch", "update", "delete", "deletecollection"), List.of("*"), "*"),
                rule(List.of("create"), CORE, "pods", "endpoints", "events", "serviceaccounts", "configmaps",
                        "pods/eviction", "persistentvolumeclaims", "persistentvolumes"),
                rule(List.of("create"), APPS, "replicasets", "controllerrevisions"),
                rule(List.of("create"), DISCOVERY, "endpointslices"),
                rule(List.of("create"), EVENTS, "events"),
                rule(List.of("create"), COORDINATION, "leases"),
                rule(List.of("create"), BATCH, "jobs"),
                // the local-path provisioner ensures its default StorageClass
                rule(List.of("create"), STORAGE, "storageclasses"),
                rule(List.of("create"), "authentication.k8s.io", "tokenreviews"),
                rule(List.of("create"), "authorization.k8s.io", "subjectaccessreviews"),
                // the clusterrole-aggregation controller writes rules it may not hold itself (Kubernetes gives
                // that controller escalate on clusterroles too)
                rule(List.of("escalate"), RBAC, "clusterroles"));
    }

    /** The default ClusterRoleBindings by name. */
    public static Map<String, ClusterRoleBinding> clusterRoleBindings() {
        Map<String, ClusterRoleBinding> b = new LinkedHashMap<>();
        addBinding(b, "cluster-admin", "cluster-admin", group(UserInfo.SYSTEM_MASTERS));
        addBinding(b, "system:basic-user", "system:basic-user", group(UserInfo.SYSTEM_AUTHENTICATED));
        addBinding(b, "system:discovery", "system:discovery", group(UserInfo.SYSTEM_AUTHENTICATED));
        addBinding(b, "system:public-info-viewer", "system:public-info-viewer",
                group(UserInfo.SYSTEM_AUTHENTICATED), group(UserInfo.SYSTEM_UNAUTHENTICATED));
        addBinding(b, "system:monitoring", "system:monitoring", group(MONITORING_GROUP));
        addBinding(b, "system:kube-scheduler", "system:kube-scheduler", user(SCHEDULER_USER));
        addBinding(b, "system:kube-controller-manager", "system:kube-controller-manager", user(CONTROLLER_USER));
        addBinding(b, "system:node-proxier", "system:node-proxier", user(PROXY_USER));
        addBinding(b, DNS_USER, DNS_USER, user(DNS_USER));
        addBinding(b, GATEWAY_USER, GATEWAY_USER, user(GATEWAY_USER));
        addBinding(b, INGRESS_USER, INGRESS_USER, user(INGRESS_USER));
        return b;
    }

    private static void computeAggregations(Map<String, ClusterRole> roles) {
        // view is aggregated into edit and edit into admin: compute in that order
        for (String name : List.of("view", "edit", "admin")) {
            ClusterRole agg = roles.get(name);
            List<PolicyRule> rules = new ArrayList<>();
            for (ClusterRole c : roles.values()) {
                if (c != agg && selects(agg.getAggregationRule(), c.getMetadata().getLabels())) {
                    for (PolicyRule pr : c.getRules()) {
                        if (!RuleCoverage.covers(rules, List.of(pr))) {
                            rules.add(pr);
                        }
                    }
                }
            }
            agg.setRules(rules);
        }
    }

    /** True when any selector of {@code rule} matches the labels (matchLabels only, as the default roles use). */
    public static boolean selects(AggregationRule rule, Map<String, String> labels) {
        if (rule == null || rule.getClusterRoleSelectors() == null || labels == null) {
            return false;
        }
        for (LabelSelector s : rule.getClusterRoleSelectors()) {
            Map<String, String> want = s.getMatchLabels();
            if (want != null && !want.isEmpty() && want.entrySet().stream()
                    .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
                return true;
            }
        }
        return false;
    }

    private static ClusterRole role(String name, List<PolicyRule> rules) {
        ClusterRole c = new ClusterRole();
        c.setApiVersion("rbac.authorization.k8s.io/v1");
        c.setKind("ClusterRole");
        c.setMetadata(meta(name));
        c.setRules(new ArrayList<>(rules));
        return c;
    }

    private static ClusterRole aggregated(String name, String selects, Map<String, String> labels) {
        ClusterRole c = role(name, List.of());
        c.getMetadata().getLabels().putAll(labels);
        LabelSelector s = new LabelSelector();
        s.setMatchLabels(Map.of(AGGREGATE_PREFIX + selects, "true"));
        AggregationRule a = new AggregationRule();
        a.setClusterRoleSelectors(List.of(s));
        c.setAggregationRule(a);
        return c;
    }

    private static ClusterRole labelled(ClusterRole c, String label) {
        c.getMetadata().getLabels().put(label, "true");
        return c;
    }

    private static ObjectMeta meta(String name) {
        ObjectMeta m = new ObjectMeta();
        m.setName(name);
        m.setLabels(new LinkedHashMap<>(Map.of(BOOTSTRAPPING, "rbac-defaults")));
        m.setAnnotations(new LinkedHashMap<>(Map.of(AUTOUPDATE, "true")));
        return m;
    }

    private static void add(Map<String, ClusterRole> m, ClusterRole c) {
        m.put(c.getMetadata().getName(), c);
    }

    private static void addBinding(Map<String, ClusterRoleBinding> m, String name, String role, Subject... subjects) {
        ClusterRoleBinding b = new ClusterRoleBinding();
        b.setApiVersion("rbac.authorization.k8s.io/v1");
        b.setKind("ClusterRoleBinding");
        b.setMetadata(meta(name));
        RoleRef ref = new RoleRef(RBAC, "ClusterRole", role);
        b.setRoleRef(ref);
        b.setSubjects(new ArrayList<>(List.of(subjects)));
        m.put(name, b);
    }

    private static Subject group(String name) {
        return new Subject(RBAC, "Group", name, null);
    }

    private static Subject user(String name) {
        return new Subject(RBAC, "User", name, null);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return List.copyOf(l);
    }
}
