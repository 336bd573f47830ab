package io.kube4j.apiserver.admission.networking;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionLookup;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.MutatingAdmissionPlugin;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' {@code DefaultIngressClass} admission plugin: a new Ingress that names no class (neither
 * {@code spec.ingressClassName} nor the deprecated {@code kubernetes.io/ingress.class} annotation) gets the IngressClass
 * annotated {@code ingressclass.kubernetes.io/is-default-class: "true"}, the newest when several are. Recording the
 * class at creation keeps the Ingress with its controller even if the default changes later.
 */
@Order(AdmissionOrder.DEFAULT_INGRESS_CLASS)
public final class DefaultIngressClass implements MutatingAdmissionPlugin {

    public static final String IS_DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class";
    public static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";

    private final AdmissionLookup lookup;

    public DefaultIngressClass(AdmissionLookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public String name() {
        return "DefaultIngressClass";
    }

    @Override
    public boolean appliesTo(AdmissionAttributes.Operation op, ResourceType type, String subresource, UserInfo user) {
        return op == AdmissionAttributes.Operation.CREATE && subresource.isEmpty()
                && "networking.k8s.io".equals(type.group()) && "ingresses".equals(type.plural());
    }

    @Override
    public Mono<HasMetadata> admit(AdmissionAttributes attributes) {
        if (attributes.object() instanceof Ingress ing) {
            admit(ing, lookup.listCached(lookup.type("networking.k8s.io", "v1", "ingressclasses"), null));
        }
        return Mono.justOrEmpty(attributes.object());
    }

    /** Sets the default class of {@code classes} on {@code ing} when it names none. */
    public static void admit(Ingress ing, List<IngressClass> classes) {
        Map<String, String> ann = ing.getMetadata().getAnnotations();
        if (ing.getSpec() != null && ing.getSpec().getIngressClassName() != null
                || ann != null && ann.containsKey(CLASS_ANNOTATION)) {
            return;
        }
        classes.stream().filter(DefaultIngressClass::isDefault)
                .max(Comparator.comparing((IngressClass c) -> String.valueOf(c.getMetadata().getCreationTimestamp()))
                        .thenComparing(c -> c.getMetadata().getName(), Comparator.reverseOrder()))
                .ifPresent(dflt -> {
                    if (ing.getSpec() == null) {
                        ing.setSpec(new IngressSpec());
                    }
                    ing.getSpec().setIngressClassName(dflt.getMetadata().getName());
                });
    }

    public static boolean isDefault(IngressClass c) {
        Map<String, String> ann = c.getMetadata().getAnnotations();
        return ann != null && "true".equals(ann.get(IS_DEFAULT_CLASS));
    }
}
