package io.kube4j.apiserver.admission.namespacelifecycle;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.admission.AdmissionErrors;
import io.kube4j.apiserver.admission.AdmissionLookup;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.CoreResources;
import io.kube4j.apiserver.admission.MutatingAdmissionPlugin;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Kubernetes' {@code NamespaceLifecycle} admission plugin ({@code plugin/pkg/admission/namespace/lifecycle}): no new
 * content in a namespace that does not exist (404) or is terminating (403), and the immortal namespaces default,
 * kube-system and kube-public cannot be deleted. A namespace this apiserver began deleting is looked up in storage,
 * not the watch cache, for a while (Kubernetes' "force live lookup"), so creates right after the delete are refused.
 */
@Order(AdmissionOrder.NAMESPACE_LIFECYCLE)
public final class NamespaceLifecycle implements MutatingAdmissionPlugin {

    /** Namespaces the apiserver creates at start and refuses to delete. */
    public static final List<String> IMMORTAL_NAMESPACES = io.kube4j.apiserver.registry.ResourceHooks.SYSTEM_NAMESPACES;
    private static final long LIVE_LOOKUP_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final AdmissionLookup lookup;
    private final ResourceType namespaces;
    /** Namespaces this apiserver began terminating lately (name -> nanoTime). */
    private final Map<String, Long> recentlyTerminated = new ConcurrentHashMap<>();

    public NamespaceLifecycle(AdmissionLookup lookup) {
        this.lookup = lookup;
        this.namespaces = lookup.type("", "v1", "namespaces");
    }

    @Override
    public String name() {
        return "NamespaceLifecycle";
    }

    @Override
    public boolean appliesTo(Operation op, ResourceType type, String subresource, UserInfo user) {
        if (CoreResources.isCore(type, "namespaces")) {
            return op == Operation.DELETE && subresource.isEmpty();
        }
        // Kubernetes also checks updates; creates are what a terminating namespace must refuse.
        return op == Operation.CREATE && type.namespaced() && !isAccessReview(type);
    }

    private static boolean isAccessReview(ResourceType t) {
        return t.group().equals("authorization.k8s.io");
    }

    @Override
    public Mono<HasMetadata> admit(AdmissionAttributes a) {
        if (CoreResources.isCore(a.type(), "namespaces")) {
            if (IMMORTAL_NAMESPACES.contains(a.name())) {
                return Mono.error(AdmissionErrors.forbidden(a, "this namespace may not be deleted"));
            }
            recentlyTerminated.put(a.name(), System.nanoTime());
            return Mono.empty();
        }
        return checkAcceptsContent(a).thenReturn(a.object());
    }

    private Mono<Void> checkAcceptsContent(AdmissionAttributes a) {
        String ns = a.namespace();
        if (ns.isEmpty()) {
            return Mono.empty();
        }
        Long terminatedAt = recentlyTerminated.get(ns);
        boolean liveLookup = terminatedAt != null && System.nanoTime() - terminatedAt < LIVE_LOOKUP_NANOS;
        if (terminatedAt != null && !liveLookup) {
            recentlyTerminated.remove(ns, terminatedAt);
        }
        CachedObject cached = liveLookup ? null : lookup.cached(namespaces, null, ns);
        // The cache holds the namespace's status.phase as a selector field: no decoding on this hot path.
        Mono<String> phase = cached != null
                ? Mono.just(cached.fields().getOrDefault("status.phase", ""))
                : lookup.getLive(namespaces, null, ns)
                .map(n -> n.getMetadata().getDeletionTimestamp() != null ? "Terminating" : "Active");
        return phase.switchIfEmpty(Mono.error(() -> ApiException.notFound(namespaces, ns)))
                .flatMap(p -> "Terminating".equals(p)
                        ? Mono.error(AdmissionErrors.forbidden(a, "unable to create new content in namespace "
                        + ns + " because it is being terminated"))
                        : Mono.empty());
    }
}
