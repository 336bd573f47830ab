package io.kube4j.apiserver.auth.authz.node;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.Authorizer;
import io.kube4j.apiserver.auth.authz.Decision;
import io.kube4j.apiserver.auth.authz.bootstrap.DefaultPolicy;
import io.kube4j.apiserver.auth.authz.rbac.RbacRules;
import io.kube4j.security.UserInfo;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Kubernetes' Node authorizer ({@code plugin/pkg/auth/authorizer/node}) for {@code system:node:<name>} in
 * {@code system:nodes}: Secrets, ConfigMaps, PersistentVolumeClaims and ServiceAccount tokens only when a pod bound
 * to the node references them ({@link NodeGraph}); writes only to its own Node (and its status), its own Lease in
 * kube-node-lease, the pods bound to it (status, delete) and events; reads as the {@code system:node} role allows.
 * PersistentVolumes: {@code get} of a PV bound to a claim one of its pods uses (Kubernetes' rule), and, beyond
 * Kubernetes, {@code list}/{@code watch} of all PVs, read only: the node agent watches the local-path PVs pinned to it
 * to remove a deleted volume's directory (PVs hold paths and node affinity, no secret data).
 * Anything else, and every other user: no opinion (the next authorizer, RBAC, decides).
 */
public final class NodeAuthorizer implements Authorizer {

    public static final String LEASE_NAMESPACE = "kube-node-lease";
    private static final Set<String> GET_ONLY = Set.of("get");
    private static final List<PolicyRule> NODE_RULES = DefaultPolicy.nodeRules();

    private final NodeGraph graph;
    private final BooleanSupplier ready;

    public NodeAuthorizer(NodeGraph graph, BooleanSupplier ready) {
        this.graph = graph;
        this.ready = ready;
    }

    @Override
    public Mono<Decision> authorize(AuthorizationAttributes a) {
        UserInfo u = a.user();
        if (u == null || !u.groups().contains(UserInfo.NODES_GROUP)) {
            return Mono.just(Decision.noOpinion(""));
        }
        String node = u.nodeName();
        if (node == null || node.isEmpty()) {
            return Mono.just(Decision.noOpinion("unknown node for user \"" + u.name() + "\""));
        }
        if (!a.resourceRequest()) {
            return Mono.just(Decision.noOpinion(""));
        }
        if (!ready.getAsBoolean()) {
            // the graph is loaded from the watch cache; until then, wait for it (startup only)
            return Mono.defer(() -> ready.getAsBoolean() ? Mono.just(decide(a, node)) : Mono.<Decision>empty())
                    .repeatWhenEmpty(200, f -> f.delayElements(java.time.Duration.ofMillis(50)))
                    .onErrorResume(IllegalStateException.class,
                            e -> Mono.just(Decision.noOpinion("node authorizer: the pod graph is not loaded yet")));
        }
        return Mono.just(decide(a, node));
    }

    /** The decision for a resource request of node {@code node}. */
    public Decision decide(AuthorizationAttributes a, String node) {
        String group = a.apiGroup();
        String res = a.resourceWithSubresource();
        if (group.isEmpty()) {
            switch (res) {
                case "secrets":
                    return referenced(a, node, NodeGraph.Kind.SECRET);
                case "configmaps":
                    return referenced(a, node, NodeGraph.Kind.CONFIGMAP);
                case "persistentvolumeclaims":
                    return referenced(a, node, NodeGraph.Kind.PVC);
                case "persistentvolumes":
                    if (a.verb().equals("list") || a.verb().equals("watch")) {
                        return Decision.allow("");
                    }
                    if (!a.verb().equals("get")) {
                        return Decision.noOpinion("can only read persistentvolumes, not " + a.verb());
                    }
                    return graph.referencesVolume(node, a.name()) ? Decision.allow("") : noRelationship(node);
                case "serviceaccounts/token":
                    if (!a.verb().equals("create")) {
                        return Decision.noOpinion("can only create tokens for individual service accounts");
                    }
                    return graph.references(node, NodeGraph.Kind.SERVICEACCOUNT, a.namespace(), a.name())
                            ? Decision.allow("") : noRelationship(node);
                case "nodes", "nodes/status":
                    if (a.readOnly() && !res.equals("nodes/status") || a.verb().equals("create") && res.equals("nodes")) {
                        return coarse(a);
                    }
                    return a.name().equals(node) ? coarse(a)
                            : Decision.noOpinion("node \"" + node + "\" cannot modify node \"" + a.name() + "\"");
                case "pods":
                    if (a.readOnly() || a.verb().equals("create")) {
                        // creating (mirror) pods is narrowed further by the NodeRestriction admission plugin
                        return coarse(a);
                    }
                    return boundHere(a, node) ? coarse(a) : podNotBound(a, node);
                case "pods/status", "pods/eviction":
                    return boundHere(a, node) ? coarse(a) : podNotBound(a, node);
                default:
                    return coarse(a);
            }
        }
        if (group.equals("coordination.k8s.io") && res.equals("leases")) {
            if (!a.namespace().equals(LEASE_NAMESPACE)) {
                return Decision.noOpinion("can only access leases in the " + LEASE_NAMESPACE + " namespace");
            }
            if (a.verb().equals("create") || a.name().equals(node)) {
                return coarse(a);
            }
            return Decision.noOpinion("can only access its own lease \"" + node + "\"");
        }
        return coarse(a);
    }

    private Decision referenced(AuthorizationAttributes a, String node, NodeGraph.Kind kind) {
        // get, or a list/watch narrowed to one name by a metadata.name field selector
        if (!GET_ONLY.contains(a.verb()) && !(a.readOnly() && !a.name().isEmpty())) {
            return Decision.noOpinion("can only read individual " + a.resource() + ", not " + a.verb());
        }
        if (a.name().isEmpty()) {
            return Decision.noOpinion("can only read " + a.resource() + " by name");
        }
        return graph.references(node, kind, a.namespace(), a.name()) ? Decision.allow("") : noRelationship(node);
    }

    private boolean boundHere(AuthorizationAttributes a, String node) {
        return !a.name().isEmpty() && node.equals(graph.nodeOf(a.namespace(), a.name()));
    }

    private static Decision podNotBound(AuthorizationAttributes a, String node) {
        return Decision.noOpinion("pod \"" + a.namespace() + "/" + a.name() + "\" is not bound to node \"" + node + "\"");
    }

    private static Decision noRelationship(String node) {
        return Decision.noOpinion("no relationship found between node '" + node + "' and this object");
    }

    /** The {@code system:node} rules, for requests with no per-object restriction. */
    private static Decision coarse(AuthorizationAttributes a) {
        return RbacRules.allowsAny(a, NODE_RULES) ? Decision.allow("") : Decision.noOpinion("");
    }
}
