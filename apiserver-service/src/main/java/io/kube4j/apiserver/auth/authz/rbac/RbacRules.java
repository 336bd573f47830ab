package io.kube4j.apiserver.auth.authz.rbac;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;

import java.util.List;

/**
 * Whether one RBAC {@link PolicyRule} allows a request, exactly as Kubernetes' {@code rbac.RuleAllows} and the
 * {@code rbacv1helpers} matchers: {@code *} for verbs, groups and resources; {@code *&#47;scale} style resources for
 * any resource's subresource; resourceNames; nonResourceURLs with a trailing {@code *}.
 */
public final class RbacRules {

    public static final String ALL = "*";

    private RbacRules() {
    }

    public static boolean allows(AuthorizationAttributes a, PolicyRule rule) {
        if (a.resourceRequest()) {
            return verbMatches(rule, a.verb())
                    && apiGroupMatches(rule, a.apiGroup())
                    && resourceMatches(rule, a.resourceWithSubresource(), a.subresource())
                    && resourceNameMatches(rule, a.name());
        }
        return verbMatches(rule, a.verb()) && nonResourceUrlMatches(rule, a.path());
    }

    public static boolean allowsAny(AuthorizationAttributes a, List<PolicyRule> rules) {
        for (PolicyRule r : rules) {
            if (allows(a, r)) {
                return true;
            }
        }
        return false;
    }

    public static boolean verbMatches(PolicyRule rule, String verb) {
        return contains(rule.getVerbs(), ALL) || contains(rule.getVerbs(), verb);
    }

    public static boolean apiGroupMatches(PolicyRule rule, String group) {
        return contains(rule.getApiGroups(), ALL) || contains(rule.getApiGroups(), group);
    }

    /** {@code combined} is {@code resource/subresource}; a rule <code>*&#47;scale</code> matches any resource's scale. */
    public static boolean resourceMatches(PolicyRule rule, String combined, String subresource) {
        List<String> resources = rule.getResources();
        if (resources == null) {
            return false;
        }
        for (String r : resources) {
            if (r.equals(ALL) || r.equals(combined)) {
                return true;
            }
            if (subresource != null && !subresource.isEmpty() && r.length() == subresource.length() + 2
                    && r.startsWith("*/") && r.endsWith(subresource)) {
                return true;
            }
        }
        return false;
    }

    public static boolean resourceNameMatches(PolicyRule rule, String name) {
        List<String> names = rule.getResourceNames();
        return names == null || names.isEmpty() || names.contains(name);
    }

    public static boolean nonResourceUrlMatches(PolicyRule rule, String path) {
        List<String> urls = rule.getNonResourceURLs();
        if (urls == null) {
            return false;
        }
        for (String u : urls) {
            if (u.equals(ALL) || u.equals(path)
                    || (u.endsWith("*") && path.startsWith(u.substring(0, u.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(List<String> l, String s) {
        return l != null && l.contains(s);
    }
}
