package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The admission chain: every enabled mutating plugin in order, then every enabled validating plugin in order
 * (Kubernetes runs the two phases this way, so validators see the final object). The order is Kubernetes'
 * recommended one: NamespaceLifecycle, LimitRanger, ServiceAccount, NodeRestriction, PodSecurity, Priority,
 * DefaultTolerationSeconds, MutatingAdmissionWebhook, ValidatingAdmissionWebhook, ResourceQuota; the plugins are
 * given in that order.
 */
public final class AdmissionChain {

    private final List<MutatingAdmissionPlugin> mutating;
    private final List<ValidatingAdmissionPlugin> validating;
    private final List<String> enabled;

    /** {@code plugins} in order; those named in {@code disabled} are left out. */
    public AdmissionChain(List<? extends AdmissionPlugin> plugins, Collection<String> disabled) {
        Set<String> off = Set.copyOf(disabled);
        List<? extends AdmissionPlugin> on = plugins.stream().filter(p -> !off.contains(p.name())).toList();
        this.mutating = on.stream().filter(MutatingAdmissionPlugin.class::isInstance)
                .map(MutatingAdmissionPlugin.class::cast).toList();
        this.validating = on.stream().filter(ValidatingAdmissionPlugin.class::isInstance)
                .map(ValidatingAdmissionPlugin.class::cast).toList();
        this.enabled = on.stream().map(AdmissionPlugin::name).toList();
    }

    /** A chain that admits everything (for unit tests of the store). */
    public static AdmissionChain none() {
        return new AdmissionChain(List.of(), List.of());
    }

    /** Runs the mutating phase; the result is the object to validate and store. */
    public Mono<HasMetadata> admit(AdmissionAttributes attributes) {
        Mono<AdmissionAttributes> current = Mono.just(attributes);
        for (MutatingAdmissionPlugin p : mutating) {
            if (!p.handles(attributes.operation())) {
                continue;
            }
            current = current.flatMap(a -> p.admit(a)
                    .map(a::withObject)
                    .defaultIfEmpty(a));
        }
        return current.mapNotNull(AdmissionAttributes::object);
    }

    /** Runs the validating phase on the final object. */
    public Mono<Void> validate(AdmissionAttributes attributes) {
        return Flux.fromIterable(validating)
                .filter(p -> p.handles(attributes.operation()))
                .concatMap(p -> p.validate(attributes))
                .then();
    }

    /** The names of the enabled plugins, in order (logged at start). */
    public List<String> enabledPlugins() {
        return enabled;
    }
}
