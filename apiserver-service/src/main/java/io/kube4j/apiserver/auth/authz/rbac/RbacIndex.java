package io.kube4j.apiserver.auth.authz.rbac;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.kube4j.security.UserInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The RBAC policy in memory, indexed for the request path: roles by name (their rules decoded once), and bindings
 * by (scope, subject), so that authorizing a request visits only the ClusterRoleBindings and the RoleBindings of
 * the request's namespace that name the user, one of its groups or its ServiceAccount — never every binding.
 * Updated one object at a time (from the watch cache) and read concurrently.
 */
public final class RbacIndex {

    /** A binding as the index keeps it: kind is ClusterRoleBinding or RoleBinding; namespace "" for the former. */
    public record Binding(String kind, String namespace, String name, RoleRef roleRef, List<Subject> subjects) {

        String key() {
            return kind + "/" + namespace + "/" + name;
        }

        /** Kubernetes' describer: {@code ClusterRoleBinding "x" of ClusterRole "y" to User "z"}. */
        String describe(Subject s) {
            String who = s.getKind().equals("ServiceAccount")
                    ? "ServiceAccount \"" + saNamespace(s) + "/" + s.getName() + "\""
                    : s.getKind() + " \"" + s.getName() + "\"";
            String self = kind.equals("RoleBinding") ? name + "/" + namespace : name;
            return kind + " \"" + self + "\" of " + roleRef.getKind() + " \"" + roleRef.getName() + "\" to " + who;
        }

        String saNamespace(Subject s) {
            return s.getNamespace() == null || s.getNamespace().isEmpty() ? namespace : s.getNamespace();
        }
    }

    /** Called for each rule that applies to a user, with where it comes from; return false to stop. */
    @FunctionalInterface
    public interface RuleVisitor {
        boolean visit(String source, PolicyRule rule, String error);
    }

    private static final String CLUSTER = "";

    private final Map<String, List<PolicyRule>> roles = new ConcurrentHashMap<>();
    private final Map<String, Binding> bindings = new ConcurrentHashMap<>();
    private final Map<String, Set<Binding>> bySubject = new ConcurrentHashMap<>();

    public void putClusterRole(ClusterRole r) {
        roles.put(roleKey(CLUSTER, r.getMetadata().getName()), rules(r.getRules()));
    }

    public void putRole(Role r) {
        roles.put(roleKey(r.getMetadata().getNamespace(), r.getMetadata().getName()), rules(r.getRules()));
    }

    public void removeRole(String namespace, String name) {
        roles.remove(roleKey(namespace == null ? CLUSTER : namespace, name));
    }

    public void putClusterRoleBinding(ClusterRoleBinding b) {
        put(new Binding("ClusterRoleBinding", CLUSTER, b.getMetadata().getName(), b.getRoleRef(), subjects(b.getSubjects())));
    }

    public void putRoleBinding(RoleBinding b) {
        put(new Binding("RoleBinding", b.getMetadata().getNamespace(), b.getMetadata().getName(), b.getRoleRef(),
                subjects(b.getSubjects())));
    }

    public void removeClusterRoleBinding(String name) {
        remove("ClusterRoleBinding/" + CLUSTER + "/" + name);
    }

    public void removeRoleBinding(String namespace, String name) {
        remove("RoleBinding/" + namespace + "/" + name);
    }

    /** Forgets everything of one kind (before a feed reloads it). */
    public void clear(String kind) {
        switch (kind) {
            case "ClusterRole" -> roles.keySet().removeIf(k -> k.startsWith("/"));
            case "Role" -> roles.keySet().removeIf(k -> !k.startsWith("/"));
            default -> List.copyOf(bindings.values()).stream().filter(b -> b.kind().equals(kind))
                    .forEach(b -> remove(b.key()));
        }
    }

    /** The rules of a role, or null when it does not exist. */
    public List<PolicyRule> rules(String kind, String namespace, String name) {
        return roles.get(roleKey(kind.equals("ClusterRole") ? CLUSTER : namespace, name));
    }

    /**
     * Visits the rules that apply to {@code user} in {@code namespace} ("" for cluster-scoped requests): those of
     * its ClusterRoleBindings first, then those of the RoleBindings in the namespace, as Kubernetes'
     * {@code VisitRulesFor}. A binding to a missing role is visited once with a null rule and an error.
     */
    public void visit(UserInfo user, String namespace, RuleVisitor visitor) {
        List<String> keys = subjectKeys(user);
        if (!visitScope(CLUSTER, keys, visitor)) {
            return;
        }
        if (namespace != null && !namespace.isEmpty()) {
            visitScope(namespace, keys, visitor);
        }
    }

    public int bindingCount() {
        return bindings.size();
    }

    private boolean visitScope(String scope, List<String> keys, RuleVisitor visitor) {
        for (String k : keys) {
            Set<Binding> set = bySubject.get(scope + "\0" + k);
            if (set == null) {
                continue;
            }
            for (Binding b : set) {
                Subject s = matching(b, k);
                if (s == null) {
                    continue;
                }
                String source = b.describe(s);
                List<PolicyRule> rules = rules(b.roleRef().getKind(), b.namespace(), b.roleRef().getName());
                if (rules == null) {
                    String err = b.roleRef().getKind().toLowerCase(java.util.Locale.ROOT) + ".rbac.authorization.k8s.io \""
                            + b.roleRef().getName() + "\" not found";
                    if (!visitor.visit(source, null, err)) {
                        return false;
                    }
                    continue;
                }
                for (PolicyRule r : rules) {
                    if (!visitor.visit(source, r, null)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static Subject matching(Binding b, String key) {
        for (Subject s : b.subjects()) {
            if (key.equals(subjectKey(b, s))) {
                return s;
            }
        }
        return null;
    }

    private static List<String> subjectKeys(UserInfo user) {
        List<String> keys = new ArrayList<>(user.groups().size() + 1);
        keys.add("u:" + user.name());
        for (String g : user.groups()) {
            keys.add("g:" + g);
        }
        return keys;
    }

    /** The index key of a subject: a ServiceAccount is the user name it authenticates as; null never matches. */
    private static String subjectKey(Binding b, Subject s) {
        if (s.getKind() == null || s.getName() == null) {
            return null;
        }
        return switch (s.getKind()) {
            case "User" -> "u:" + s.getName();
            case "Group" -> "g:" + s.getName();
            case "ServiceAccount" -> {
                String ns = b.saNamespace(s);
                yield ns == null || ns.isEmpty() ? null : "u:" + UserInfo.SERVICE_ACCOUNT_USER_PREFIX + ns + ":" + s.getName();
            }
            default -> null;
        };
    }

    private synchronized void put(Binding b) {
        remove(b.key());
        if (b.roleRef() == null || b.roleRef().getKind() == null || b.roleRef().getName() == null) {
            return;
        }
        bindings.put(b.key(), b);
        for (Subject s : b.subjects()) {
            String k = subjectKey(b, s);
            if (k != null) {
                bySubject.computeIfAbsent(b.namespace() + "\0" + k, x -> ConcurrentHashMap.newKeySet()).add(b);
            }
        }
    }

    private synchronized void remove(String key) {
        Binding old = bindings.remove(key);
        if (old == null) {
            return;
        }
        for (Subject s : old.subjects()) {
            String k = subjectKey(old, s);
            if (k != null) {
                String idx = old.namespace() + "\0" + k;
                Set<Binding> set = bySubject.get(idx);
                if (set != null) {
                    set.remove(old);
                    if (set.isEmpty()) {
                        bySubject.remove(idx);
                    }
                }
            }
        }
    }

    private static String roleKey(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static List<PolicyRule> rules(List<PolicyRule> rules) {
        return rules == null ? List.of() : List.copyOf(rules);
    }

    private static List<Subject> subjects(List<Subject> s) {
        return s == null ? List.of() : List.copyOf(s);
    }
}
