package io.kube4j.apiserver.auth.authz.rbac;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.ValidatingAdmissionPlugin;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.Authorizer;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.security.UserInfo;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * RBAC's privilege-escalation prevention (Kubernetes' {@code rbac/validation.ConfirmNoEscalation} and
 * {@code BindingAuthorized}, done there in the RBAC storage, here as the validating admission plugin
 * {@value #NAME}): a Role or ClusterRole may only be written with rules the user already holds in that namespace,
 * unless it may {@code escalate} roles; a binding may only be written to a role whose rules the user holds, unless
 * it may {@code bind} that role. system:masters is never checked.
 */
public final class RbacEscalationCheck implements ValidatingAdmissionPlugin {

    public static final String NAME = "RBACEscalation";
    private static final String GROUP = "rbac.authorization.k8s.io";

    private final Authorizer authorizer;
    private final RbacAuthorizer rbac;
    private final RbacIndex index;

    public RbacEscalationCheck(Authorizer authorizer, RbacAuthorizer rbac, RbacIndex index) {
        this.authorizer = authorizer;
        this.rbac = rbac;
        this.index = index;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean handles(AdmissionAttributes.Operation operation) {
        return operation == AdmissionAttributes.Operation.CREATE || operation == AdmissionAttributes.Operation.UPDATE;
    }

    @Override
    public Mono<Void> validate(AdmissionAttributes a) {
        if (!a.type().group().equals(GROUP) || !a.subresource().isEmpty() || a.object() == null
                || a.user() == null || a.user().isSuperuser()) {
            return Mono.empty();
        }
        return switch (a.type().plural()) {
            case "roles" -> role(a, as(a.object(), Role.class).getRules(), old(a, Role.class) == null ? null
                    : old(a, Role.class).getRules(), false);
            case "clusterroles" -> {
                ClusterRole c = as(a.object(), ClusterRole.class);
                ClusterRole o = old(a, ClusterRole.class);
                boolean aggregationChanged = c.getAggregationRule() != null
                        && (o == null || !Objects.equals(o.getAggregationRule(), c.getAggregationRule()));
                yield role(a, c.getRules(), o == null ? null : o.getRules(), aggregationChanged);
            }
            case "rolebindings" -> {
                RoleBinding b = as(a.object(), RoleBinding.class);
                RoleBinding o = old(a, RoleBinding.class);
                yield binding(a, b.getRoleRef(), o == null ? null : o.getRoleRef());
            }
            case "clusterrolebindings" -> {
                ClusterRoleBinding b = as(a.object(), ClusterRoleBinding.class);
                ClusterRoleBinding o = old(a, ClusterRoleBinding.class);
                yield binding(a, b.getRoleRef(), o == null ? null : o.getRoleRef());
            }
            default -> Mono.empty();
        };
    }

    private Mono<Void> role(AdmissionAttributes a, List<PolicyRule> rules, List<PolicyRule> oldRules,
                            boolean aggregationChanged) {
        if (oldRules != null && Objects.equals(oldRules, rules) && !aggregationChanged) {
            return Mono.empty(); // an update that grants nothing new (labels, owner references, finalizers)
        }
        AuthorizationAttributes escalate = AuthorizationAttributes.resource(a.user(), "escalate", GROUP, "",
                a.type().plural(), "", a.namespace(), a.name());
        return authorizer.authorize(escalate).flatMap(d -> {
            if (d.allowed()) {
                return Mono.empty();
            }
            if (aggregationChanged) {
                return Mono.error(forbidden(a, "must have cluster-admin privileges to use the aggregationRule"));
            }
            return confirmNoEscalation(a, rules == null ? List.of() : rules);
        });
    }

    private Mono<Void> binding(AdmissionAttributes a, RoleRef ref, RoleRef oldRef) {
        if (ref == null || ref.getKind() == null || ref.getName() == null || Objects.equals(ref, oldRef)) {
            // a missing roleRef is the validation's to refuse; an unchanged one grants nothing new
            return Mono.empty();
        }
        String resource = ref.getKind().equals("ClusterRole") ? "clusterroles" : "roles";
        AuthorizationAttributes bind = AuthorizationAttributes.resource(a.user(), "bind", GROUP, "", resource, "",
                a.namespace(), ref.getName());
        return authorizer.authorize(bind).flatMap(d -> {
            if (d.allowed()) {
                return Mono.empty();
            }
            List<PolicyRule> rules = index.rules(ref.getKind(), a.namespace(), ref.getName());
            // a role that does not exist yet grants nothing, as in Kubernetes
            return confirmNoEscalation(a, rules == null ? List.of() : rules);
        });
    }

    private Mono<Void> confirmNoEscalation(AdmissionAttributes a, List<PolicyRule> rules) {
        RbacAuthorizer.Rules owner = rbac.rulesFor(a.user(), a.namespace());
        List<PolicyRule> missing = RuleCoverage.uncovered(owner.rules(), rules);
        if (missing.isEmpty()) {
            return Mono.empty();
        }
        UserInfo u = a.user();
        String groups = u.groups().stream().map(g -> "\"" + g + "\"").collect(Collectors.joining(" ", "[", "]"));
        StringBuilder msg = new StringBuilder("user \"" + u.name() + "\" (groups=" + groups
                + ") is attempting to grant RBAC permissions not currently held:");
        for (PolicyRule r : missing) {
            msg.append('\n').append(RuleCoverage.describe(r));
        }
        if (!owner.errors().isEmpty()) {
            msg.append("; resolution errors: ").append(String.join(", ", owner.errors()));
        }
        return Mono.error(forbidden(a, msg.toString()));
    }

    private static ApiException forbidden(AdmissionAttributes a, String detail) {
        String name = !a.name().isEmpty() || a.object() == null ? a.name() : a.object().getMetadata().getName();
        String what = a.type().plural() + "." + GROUP + " \"" + name + "\"";
        return new ApiException(403, "Forbidden", what + " is forbidden: " + detail, name, GROUP,
                a.type().plural(), List.of(), null);
    }

    private static <T> T old(AdmissionAttributes a, Class<T> type) {
        return a.oldObject() == null ? null : as(a.oldObject(), type);
    }

    private static <T> T as(HasMetadata o, Class<T> type) {
        return type.isInstance(o) ? type.cast(o) : Codecs.json().convertValue(o, type);
    }
}
