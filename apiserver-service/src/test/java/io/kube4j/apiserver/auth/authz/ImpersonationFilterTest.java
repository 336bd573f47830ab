package io.kube4j.apiserver.auth.authz;

import io.kube4j.apiserver.auth.authz.bootstrap.DefaultPolicy;
import io.kube4j.apiserver.auth.authz.rbac.RbacAuthorizer;
import io.kube4j.apiserver.auth.authz.rbac.RbacIndex;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import java.util.List;
import java.util.Map;

import static io.kube4j.apiserver.auth.authz.rbac.RbacFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Impersonation headers: each identity part checked with the impersonate verb; 403 with Kubernetes' message. */
class ImpersonationFilterTest {

    final RbacIndex index = defaults();
    final ImpersonationFilter filter = new ImpersonationFilter(new UnionAuthorizer(List.of(new RbacAuthorizer(index, () -> true))));
    final UserInfo ivan = UserInfo.of("ivan", UserInfo.SYSTEM_AUTHENTICATED);

    {
        index.putClusterRole(clusterRole("impersonator",
                DefaultPolicy.named(List.of("impersonate"), "", "users", "alice"),
                DefaultPolicy.named(List.of("impersonate"), "", "groups", "devs"),
                DefaultPolicy.named(List.of("impersonate"), "authentication.k8s.io", "uids", "u-1"),
                DefaultPolicy.named(List.of("impersonate"), "authentication.k8s.io", "userextras/scopes", "view")));
        index.putClusterRoleBinding(clusterRoleBinding("ivan-impersonates", "impersonator", user("ivan")));
        index.putRole(role("ns1", "sa-impersonator", DefaultPolicy.named(List.of("impersonate"), "", "serviceaccounts", "builder")));
        index.putRoleBinding(roleBinding("ns1", "ivan-sa", "Role", "sa-impersonator", user("ivan")));
    }

    UserInfo resolve(MockServerHttpRequest.BaseBuilder<?> b) {
        return filter.resolve(b.build(), ivan).block();
    }

    @Test
    void noHeadersKeepsTheUser() {
        assertThat(resolve(MockServerHttpRequest.get("/api/v1/pods"))).isSameAs(ivan);
    }

    @Test
    void allowedPartsMakeTheNewUser() {
        UserInfo u = resolve(MockServerHttpRequest.get("/api").header("Impersonate-User", "alice")
                .header("Impersonate-Group", "devs").header("Impersonate-Uid", "u-1")
                .header("Impersonate-Extra-Scopes", "view"));
        assertThat(u.name()).isEqualTo("alice");
        assertThat(u.uid()).isEqualTo("u-1");
        assertThat(u.groups()).containsExactly("devs", UserInfo.SYSTEM_AUTHENTICATED);
        assertThat(u.extra()).isEqualTo(Map.of("scopes", List.of("view")));
    }

    @Test
    void aServiceAccountGetsItsGroups() {
        UserInfo u = resolve(MockServerHttpRequest.get("/api").header("Impersonate-User", "system:serviceaccount:ns1:builder"));
        assertThat(u.groups()).containsExactly("system:serviceaccounts", "system:serviceaccounts:ns1", UserInfo.SYSTEM_AUTHENTICATED);
    }

    @Test
    void anythingNotAllowedIsForbidden() {
        assertThatThrownBy(() -> resolve(MockServerHttpRequest.get("/api").header("Impersonate-User", "bob")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(403))
                .hasMessage("users \"bob\" is forbidden: User \"ivan\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope");
        assertThatThrownBy(() -> resolve(MockServerHttpRequest.get("/api").header("Impersonate-User", "alice")
                .header("Impersonate-Group", "system:masters")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(403))
                .hasMessageContaining("cannot impersonate resource \"groups\"");
        assertThatThrownBy(() -> resolve(MockServerHttpRequest.get("/api").header("Impersonate-User", "alice")
                .header("Impersonate-Extra-Scopes", "admin")))
                .hasMessageContaining("cannot impersonate resource \"userextras/scopes\" in API group \"authentication.k8s.io\"");
        assertThatThrownBy(() -> resolve(MockServerHttpRequest.get("/api").header("Impersonate-User", "system:serviceaccount:ns2:builder")))
                .hasMessageContaining("in the namespace \"ns2\"");
    }

    @Test
    void groupsWithoutAUserAreABadRequest() {
        assertThatThrownBy(() -> resolve(MockServerHttpRequest.get("/api").header("Impersonate-Group", "devs")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }
}
