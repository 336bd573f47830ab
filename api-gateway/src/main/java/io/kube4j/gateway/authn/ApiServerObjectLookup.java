package io.kube4j.gateway.authn;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.security.authn.AuthenticationException;
import io.kube4j.security.authn.ServiceAccountTokens;
import reactor.core.publisher.Mono;

import java.util.Map;

/**
 * {@link ServiceAccountTokens.ObjectLookup} over the apiserver, as the gateway's own identity: a GET of the
 * object; absent or being deleted is empty. Any other failure (apiserver unreachable, forbidden) rejects the
 * token ({@link AuthenticationException}), as Kubernetes does when it cannot validate one.
 */
public final class ApiServerObjectLookup implements ServiceAccountTokens.ObjectLookup {

    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "ServiceAccount", ServiceAccount.class, "Pod", Pod.class, "Secret", Secret.class, "Node", Node.class);

    private final KubeClient client;

    public ApiServerObjectLookup(KubeClient client) {
        this.client = client;
    }

    @Override
    public Mono<String> uid(String kind, String namespace, String name) {
        Class<? extends HasMetadata> type = TYPES.get(kind);
        if (type == null) {
            return Mono.error(new IllegalArgumentException("no lookup for kind " + kind));
        }
        return client.resources(type).get(namespace, name)
                .filter(o -> o.getMetadata().getDeletionTimestamp() == null)
                .mapNotNull(o -> o.getMetadata().getUid())
                .onErrorResume(ApiStatusException.NotFound.class, e -> Mono.empty())
                .onErrorMap(e -> !(e instanceof AuthenticationException), e -> new AuthenticationException(
                        "service account token could not be validated: cannot look up " + kind + " "
                                + (namespace == null ? "" : namespace + "/") + name + ": " + e.getMessage(), e));
    }
}
