package io.kube4j.apiserver.auth.authz.rbac;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether one set of RBAC rules grants everything another does, as Kubernetes' {@code rbac/validation.Covers}:
 * the servant rules are broken down into one verb × group × resource × name each, and every piece must be
 * covered by some owner rule. Used by escalation prevention and by the reconciliation of the default roles.
 */
public final class RuleCoverage {

    private RuleCoverage() {
    }

    public static boolean covers(List<PolicyRule> owner, List<PolicyRule> servant) {
        return uncovered(owner, servant).isEmpty();
    }

    /** The broken-down servant rules no owner rule covers. */
    public static List<PolicyRule> uncovered(List<PolicyRule> owner, List<PolicyRule> servant) {
        List<PolicyRule> missing = new ArrayList<>();
        for (PolicyRule s : servant) {
            for (PolicyRule sub : breakdown(s)) {
                boolean covered = false;
                for (PolicyRule o : owner) {
                    if (ruleCovers(o, sub)) {
                        covered = true;
                        break;
                    }
                }
                if (!covered) {
                    missing.add(sub);
                }
            }
        }
        return missing;
    }

    /** Kubernetes' {@code BreakdownRule}: one rule per group, resource, verb (and name); one per URL and verb. */
    public static List<PolicyRule> breakdown(PolicyRule rule) {
        List<PolicyRule> out = new ArrayList<>();
        for (String group : nn(rule.getApiGroups())) {
            for (String resource : nn(rule.getResources())) {
                for (String verb : nn(rule.getVerbs())) {
                    if (nn(rule.getResourceNames()).isEmpty()) {
                        out.add(new PolicyRuleBuilder().withApiGroups(group).withResources(resource).withVerbs(verb).build());
                    } else {
                        for (String name : rule.getResourceNames()) {
                            out.add(new PolicyRuleBuilder().withApiGroups(group).withResources(resource)
                                    .withVerbs(verb).withResourceNames(name).build());
                        }
                    }
                }
            }
        }
        for (String url : nn(rule.getNonResourceURLs())) {
            for (String verb : nn(rule.getVerbs())) {
                out.add(new PolicyRuleBuilder().withNonResourceURLs(url).withVerbs(verb).build());
            }
        }
        return out;
    }

    static boolean ruleCovers(PolicyRule owner, PolicyRule sub) {
        boolean verbs = nn(owner.getVerbs()).contains("*") || nn(owner.getVerbs()).containsAll(nn(sub.getVerbs()));
        boolean groups = nn(owner.getApiGroups()).contains("*")
                || nn(owner.getApiGroups()).containsAll(nn(sub.getApiGroups()));
        boolean resources = resourcesCover(nn(owner.getResources()), nn(sub.getResources()));
        boolean urls = urlsCover(nn(owner.getNonResourceURLs()), nn(sub.getNonResourceURLs()));
        List<String> on = nn(owner.getResourceNames());
        List<String> sn = nn(sub.getResourceNames());
        boolean names = sn.isEmpty() ? on.isEmpty() : on.isEmpty() || on.containsAll(sn);
        return verbs && groups && resources && names && urls;
    }

    private static boolean resourcesCover(List<String> owner, List<String> wanted) {
        if (owner.contains("*") || owner.containsAll(wanted)) {
            return true;
        }
        for (String path : wanted) {
            if (owner.contains(path)) {
                continue;
            }
            int slash = path.indexOf('/');
            if (slash < 0 || !owner.contains("*/" + path.substring(slash + 1))) {
                return false;
            }
        }
        return true;
    }

    private static boolean urlsCover(List<String> owner, List<String> wanted) {
        for (String w : wanted) {
            boolean ok = false;
            for (String o : owner) {
                if (o.equals("*") || o.equals(w) || (o.endsWith("*") && w.startsWith(o.substring(0, o.length() - 1)))) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Kubernetes' compact rule text: {@code {APIGroups:[""], Resources:["pods"], Verbs:["get"]}}. */
    public static String describe(PolicyRule r) {
        List<String> parts = new ArrayList<>();
        if (!nn(r.getApiGroups()).isEmpty()) {
            parts.add("APIGroups:" + quoted(r.getApiGroups()));
        }
        if (!nn(r.getResources()).isEmpty()) {
            parts.add("Resources:" + quoted(r.getResources()));
        }
        if (!nn(r.getResourceNames()).isEmpty()) {
            parts.add("ResourceNames:" + quoted(r.getResourceNames()));
        }
        if (!nn(r.getNonResourceURLs()).isEmpty()) {
            parts.add("NonResourceURLs:" + quoted(r.getNonResourceURLs()));
        }
        parts.add("Verbs:" + quoted(r.getVerbs()));
        return "{" + String.join(", ", parts) + "}";
    }

    private static String quoted(List<String> l) {
        return nn(l).stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(" ", "[", "]"));
    }

    private static <T> List<T> nn(List<T> l) {
        return l == null ? List.of() : l;
    }
}
