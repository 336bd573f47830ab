package io.kube4j.apiserver.auth.authz;

import io.kube4j.apiserver.auth.Impersonation;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.security.UserInfo;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kubernetes' impersonation ({@code apiserver/pkg/endpoints/filters/impersonation.go}): {@code Impersonate-User},
 * {@code Impersonate-Uid}, {@code Impersonate-Group} (repeatable) and {@code Impersonate-Extra-<key>} replace the
 * authenticated user when it may {@code impersonate} each of them: users, serviceaccounts (for
 * {@code system:serviceaccount:<ns>:<name>}), groups, uids and userextras/&lt;key&gt; in authentication.k8s.io.
 * The impersonated user gets {@code system:authenticated} (and a ServiceAccount its groups when none are asked).
 */
public final class ImpersonationFilter implements Impersonation {

    public static final String USER = "Impersonate-User";
    public static final String UID = "Impersonate-Uid";
    public static final String GROUP = "Impersonate-Group";
    public static final String EXTRA_PREFIX = "Impersonate-Extra-";

    private final Authorizer authorizer;

    public ImpersonationFilter(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public Mono<UserInfo> resolve(ServerHttpRequest request, UserInfo authenticated) {
        HttpHeaders h = request.getHeaders();
        String user = h.getFirst(USER);
        List<String> groups = h.getOrEmpty(GROUP);
        String uid = h.getFirst(UID);
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : h.headerSet()) {
            if (e.getKey().regionMatches(true, 0, EXTRA_PREFIX, 0, EXTRA_PREFIX.length())) {
                String key = URLDecoder.decode(e.getKey().substring(EXTRA_PREFIX.length()), StandardCharsets.UTF_8)
                        .toLowerCase(Locale.ROOT);
                extra.computeIfAbsent(key, k -> new ArrayList<>()).addAll(e.getValue());
            }
        }
        if (user == null && groups.isEmpty() && uid == null && extra.isEmpty()) {
            return Mono.just(authenticated);
        }
        if (user == null || user.isEmpty()) {
            return Mono.error(ApiException.badRequest(
                    "requested impersonation of groups, uid or extra without impersonating a user"));
        }
        List<AuthorizationAttributes> checks = new ArrayList<>();
        List<String> finalGroups = new ArrayList<>(groups);
        UserInfo probe = new UserInfo(user, uid, groups, extra);
        String[] sa = probe.serviceAccount();
        if (sa != null) {
            checks.add(AuthorizationAttributes.resource(authenticated, "impersonate", "", "", "serviceaccounts", "",
                    sa[0], sa[1]));
            if (groups.isEmpty()) {
                finalGroups.add(UserInfo.SERVICE_ACCOUNTS_GROUP);
                finalGroups.add(UserInfo.SERVICE_ACCOUNTS_NAMESPACE_GROUP_PREFIX + sa[0]);
            }
        } else {
            checks.add(AuthorizationAttributes.resource(authenticated, "impersonate", "", "", "users", "", "", user));
        }
        for (String g : groups) {
            checks.add(AuthorizationAttributes.resource(authenticated, "impersonate", "", "", "groups", "", "", g));
        }
        if (uid != null) {
            checks.add(AuthorizationAttributes.resource(authenticated, "impersonate", "authentication.k8s.io", "",
                    "uids", "", "", uid));
        }
        extra.forEach((k, values) -> values.forEach(v -> checks.add(AuthorizationAttributes.resource(authenticated,
                "impersonate", "authentication.k8s.io", "", "userextras", k, "", v))));
        UserInfo result = new UserInfo(user, uid, finalGroups, extra);
        if (user.equals(UserInfo.ANONYMOUS_USER)) {
            if (!finalGroups.contains(UserInfo.SYSTEM_UNAUTHENTICATED)) {
                finalGroups.add(UserInfo.SYSTEM_UNAUTHENTICATED);
                result = new UserInfo(user, uid, finalGroups, extra);
            }
        } else {
            result = result.withAuthenticatedGroup();
        }
        UserInfo impersonated = result;
        return Flux.fromIterable(checks)
                .concatMap(a -> authorizer.authorize(a).flatMap(d -> d.allowed() ? Mono.just(d)
                        : Mono.error(Forbidden.of(a, d.reason()))))
                .then(Mono.just(impersonated));
    }
}
