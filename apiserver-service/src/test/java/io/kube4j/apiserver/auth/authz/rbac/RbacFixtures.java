package io.kube4j.apiserver.auth.authz.rbac;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.kube4j.apiserver.auth.authz.bootstrap.DefaultPolicy;

import java.util.List;

/** Builds RBAC objects and a policy index for tests. */
public final class RbacFixtures {

    public static final String G = "rbac.authorization.k8s.io";

    private RbacFixtures() {
    }

    /** An index holding every default cluster role and binding. */
    public static RbacIndex defaults() {
        RbacIndex i = new RbacIndex();
        DefaultPolicy.clusterRoles().values().forEach(i::putClusterRole);
        DefaultPolicy.clusterRoleBindings().values().forEach(i::putClusterRoleBinding);
        return i;
    }

    public static ObjectMeta meta(String ns, String name) {
        ObjectMeta m = new ObjectMeta();
        m.setNamespace(ns);
        m.setName(name);
        return m;
    }

    public static Role role(String ns, String name, PolicyRule... rules) {
        Role r = new Role();
        r.setMetadata(meta(ns, name));
        r.setRules(List.of(rules));
        return r;
    }

    public static ClusterRole clusterRole(String name, PolicyRule... rules) {
        ClusterRole r = new ClusterRole();
        r.setMetadata(meta(null, name));
        r.setRules(List.of(rules));
        return r;
    }

    public static RoleBinding roleBinding(String ns, String name, String roleKind, String role, Subject... subjects) {
        RoleBinding b = new RoleBinding();
        b.setMetadata(meta(ns, name));
        b.setRoleRef(new RoleRef(G, roleKind, role));
        b.setSubjects(List.of(subjects));
        return b;
    }

    public static ClusterRoleBinding clusterRoleBinding(String name, String role, Subject... subjects) {
        ClusterRoleBinding b = new ClusterRoleBinding();
        b.setMetadata(meta(null, name));
        b.setRoleRef(new RoleRef(G, "ClusterRole", role));
        b.setSubjects(List.of(subjects));
        return b;
    }

    public static Subject user(String name) {
        return new Subject(G, "User", name, null);
    }

    public static Subject group(String name) {
        return new Subject(G, "Group", name, null);
    }

    public static Subject serviceAccount(String ns, String name) {
        return new Subject("", "ServiceAccount", name, ns);
    }
}
