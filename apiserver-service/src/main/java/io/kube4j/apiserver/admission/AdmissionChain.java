package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.security.UserInfo;
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

    /** Whether any enabled plugin (mutating or validating) looks at such a request: when not, callers skip admission. */
    public boolean applies(AdmissionAttributes.Operation op, ResourceType type, String subresource, UserInfo user) {
        return mutates(op, type, subresource, user) || validates(op, type, subresource, user);
    }

    /** Whether any enabled mutating plugin looks at such a request (the store re-validates what they changed). */
    public boolean mutates(AdmissionAttributes.Operation op, ResourceType type, String subresource, UserInfo user) {
        String sub = subresource == null ? "" : subresource;
        for (MutatingAdmissionPlugin p : mutating) {
            if (p.appliesTo(op, type, sub, user)) {
                return true;
            }
        }
        return false;
    }

    private boolean validates(AdmissionAttributes.Operation op, ResourceType type, String subresource, UserInfo user) {
        String sub = subresource == null ? "" : subresource;
        for (ValidatingAdmissionPlugin p : validating) {
            if (p.appliesTo(op, type, sub, user)) {
                return true;
            }
        }
        return false;
    }

    /** Runs the mutating phase; the result is the object to validate and store (for DELETE/CONNECT: ignored). */
    public Mono<HasMetadata> admit(AdmissionAttributes attributes) {
        Mono<AdmissionAttributes> current = null;
        for (MutatingAdmissionPlugin p : mutating) {
            if (!applies(p, attributes)) {
                continue;
            }
            Mono<AdmissionAttributes> prev = current == null ? Mono.just(attributes) : current;
            current = prev.flatMap(a -> p.admit(a).map(a::withObject).defaultIfEmpty(a));
        }
        if (current == null) {
            return Mono.justOrEmpty(attributes.object());
        }
        return current.mapNotNull(AdmissionAttributes::object);
    }

    /** Runs the validating phase on the final object. */
    public Mono<Void> validate(AdmissionAttributes attributes) {
        Mono<Void> out = null;
        for (ValidatingAdmissionPlugin p : validating) {
            if (applies(p, attributes)) {
                Mono<Void> step = Mono.defer(() -> p.validate(attributes));
                out = out == null ? step : out.then(step);
            }
        }
        return out == null ? Mono.empty() : out;
    }

    /** Both phases for a request whose object is not stored by the caller (DELETE, CONNECT, pods/binding). */
    public Mono<Void> admitAndValidate(AdmissionAttributes attributes) {
        return admit(attributes).map(attributes::withObject).defaultIfEmpty(attributes).flatMap(this::validate);
    }

    private static boolean applies(AdmissionPlugin p, AdmissionAttributes a) {
        return p.appliesTo(a.operation(), a.type(), a.subresource(), a.user());
    }

    /** The names of the enabled plugins, in order (logged at start). */
    public List<String> enabledPlugins() {
        return enabled;
    }
}
