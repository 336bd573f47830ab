package io.kube4j.benchmarks;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.bootstrap.DefaultPolicy;
import io.kube4j.apiserver.auth.authz.rbac.RbacAuthorizer;
import io.kube4j.apiserver.auth.authz.rbac.RbacIndex;
import io.kube4j.security.UserInfo;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of one RBAC check on the request path, in process (no HTTP, no etcd): an index holding the default
 * policy plus {@code namespaces} × {@code perNamespace} RoleBindings (one user each, a shared team group per
 * namespace) and {@code clusterBindings} ClusterRoleBindings; then allowed and denied checks of users with and
 * without bindings. Reports the thread's CPU ns per check (median of 5 rounds of {@code checks} each). Settings:
 * {@code -Dnamespaces=1000 -DperNamespace=10 -DclusterBindings=200 -Dchecks=1000000}.
 */
public final class RbacAuthorizeBenchmark {

    private static final String G = "rbac.authorization.k8s.io";
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int namespaces = BenchSupport.intProp("namespaces", 1000);
        int perNamespace = BenchSupport.intProp("perNamespace", 10);
        int clusterBindings = BenchSupport.intProp("clusterBindings", 200);
        int checks = BenchSupport.intProp("checks", 1_000_000);
        RbacIndex index = new RbacIndex();
        DefaultPolicy.clusterRoles().values().forEach(index::putClusterRole);
        DefaultPolicy.clusterRoleBindings().values().forEach(index::putClusterRoleBinding);
        for (int n = 0; n < namespaces; n++) {
            for (int i = 0; i < perNamespace; i++) {
                RoleBinding b = new RoleBinding();
                b.setMetadata(meta("ns" + n, "b" + i));
                b.setRoleRef(new RoleRef(G, "ClusterRole", i % 3 == 0 ? "admin" : i % 3 == 1 ? "edit" : "view"));
                b.setSubjects(List.of(new Subject(G, "User", "user-" + n + "-" + i, null),
                        new Subject(G, "Group", "team-" + n, null)));
                index.putRoleBinding(b);
            }
        }
        for (int i = 0; i < clusterBindings; i++) {
            ClusterRoleBinding b = new ClusterRoleBinding();
            b.setMetadata(meta(null, "cb" + i));
            b.setRoleRef(new RoleRef(G, "ClusterRole", "view"));
            b.setSubjects(List.of(new Subject(G, "User", "reader-" + i, null)));
            index.putClusterRoleBinding(b);
        }
        RbacAuthorizer rbac = new RbacAuthorizer(index, () -> true);
        System.out.printf(Locale.ROOT, "RbacAuthorizeBenchmark: %d bindings (%d namespaces x %d + %d cluster-wide + defaults)%n",
                index.bindingCount(), namespaces, perNamespace, clusterBindings);
        UserInfo edit = user("user-500-1", "team-500");
        UserInfo stranger = user("stranger", "nobody");
        UserInfo reader = user("reader-7");
        run(rbac, checks, "allowed: edit RoleBinding, create deployments",
                AuthorizationAttributes.resource(edit, "create", "apps", "v1", "deployments", "", "ns500", ""));
        run(rbac, checks, "allowed: the last rule of admin (rolebindings)",
                AuthorizationAttributes.resource(user("user-500-0"), "delete", G, "v1", "rolebindings", "", "ns500", "x"));
        run(rbac, checks, "denied: edit user, cluster-scoped nodes",
                AuthorizationAttributes.resource(edit, "list", "", "v1", "nodes", "", "", ""));
        run(rbac, checks, "denied: edit user, other namespace",
                AuthorizationAttributes.resource(edit, "get", "", "v1", "pods", "", "ns7", "p"));
        run(rbac, checks, "denied: user without bindings",
                AuthorizationAttributes.resource(stranger, "get", "", "v1", "pods", "", "ns500", "p"));
        run(rbac, checks, "allowed: ClusterRoleBinding view, get pods",
                AuthorizationAttributes.resource(reader, "get", "", "v1", "pods", "", "ns3", "p"));
    }

    private static void run(RbacAuthorizer rbac, int checks, String what, AuthorizationAttributes a) {
        boolean allowed = rbac.decide(a).allowed();
        long[] rounds = new long[5];
        for (int w = 0; w < 2; w++) {
            loop(rbac, checks, a); // warm-up
        }
        for (int r = 0; r < rounds.length; r++) {
            // thread CPU time, not wall time: the shared machine's load would otherwise dominate the figure
            long t0 = CPU.getCurrentThreadCpuTime();
            loop(rbac, checks, a);
            rounds[r] = CPU.getCurrentThreadCpuTime() - t0;
        }
        Arrays.sort(rounds);
        System.out.printf(Locale.ROOT, "  %-50s %s  %6.0f ns CPU/check%n", what, allowed ? "ALLOW" : "deny ",
                (double) rounds[2] / checks);
    }

    private static int loop(RbacAuthorizer rbac, int checks, AuthorizationAttributes a) {
        int n = 0;
        for (int i = 0; i < checks; i++) {
            if (rbac.decide(a).allowed()) {
                n++;
            }
        }
        return n;
    }

    private static UserInfo user(String name, String... groups) {
        List<String> g = new java.util.ArrayList<>(List.of(groups));
        g.add(UserInfo.SYSTEM_AUTHENTICATED);
        return new UserInfo(name, "", g, Map.of());
    }

    private static ObjectMeta meta(String ns, String name) {
        ObjectMeta m = new ObjectMeta();
        m.setNamespace(ns);
        m.setName(name);
        return m;
    }
}
