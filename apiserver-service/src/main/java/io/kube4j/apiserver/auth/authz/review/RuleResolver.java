package io.kube4j.apiserver.auth.authz.review;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.kube4j.apiserver.auth.authz.rbac.RbacAuthorizer;
import io.kube4j.security.UserInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * What a user may do in a namespace, as the configured authorizers can enumerate it (Kubernetes'
 * {@code authorizer.RuleResolver} union): RBAC lists its rules; the Node authorizer cannot enumerate a node's
 * permissions (they depend on its pods), so a node's list is incomplete; AlwaysAllow grants everything.
 */
public final class RuleResolver {

    /** The rules, whether the list is incomplete, and the errors met while resolving. */
    public record Result(List<PolicyRule> rules, boolean incomplete, List<String> errors) {
    }

    private final List<String> modes;
    private final RbacAuthorizer rbac;

    public RuleResolver(List<String> modes, RbacAuthorizer rbac) {
        this.modes = List.copyOf(modes);
        this.rbac = rbac;
    }

    public Result rulesFor(UserInfo user, String namespace) {
        List<PolicyRule> rules = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        boolean incomplete = false;
        for (String m : modes) {
            switch (m) {
                case "Node" -> {
                    if (user.nodeName() != null) {
                        incomplete = true;
                        errors.add("node authorizer does not support user rule resolution");
                    }
                }
                case "RBAC" -> {
                    RbacAuthorizer.Rules r = rbac.rulesFor(user, namespace);
                    rules.addAll(r.rules());
                    if (!r.errors().isEmpty()) {
                        incomplete = true;
                        errors.addAll(r.errors());
                    }
                }
                case "AlwaysAllow" -> {
                    rules.add(new PolicyRuleBuilder().withVerbs("*").withApiGroups("*").withResources("*").build());
                    rules.add(new PolicyRuleBuilder().withVerbs("*").withNonResourceURLs("*").build());
                }
                default -> {
                }
            }
        }
        return new Result(rules, incomplete, errors);
    }
}
