package io.kube4j.apiserver.admission.networking;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** DefaultIngressClass: the newest default class for class-less Ingresses, explicit classes and annotations kept. */
class DefaultIngressClassTest {

    private static IngressClass ic(String name, boolean dflt, String created) {
        return new IngressClassBuilder().withNewMetadata().withName(name).withCreationTimestamp(created)
                .withAnnotations(dflt ? Map.of(DefaultIngressClass.IS_DEFAULT_CLASS, "true") : Map.of()).endMetadata()
                .withNewSpec().withController("kube4j.io/ingress").endSpec().build();
    }

    private static Ingress ingress(String className, Map<String, String> annotations) {
        return new IngressBuilder().withNewMetadata().withName("i").withAnnotations(annotations).endMetadata()
                .withNewSpec().withIngressClassName(className).endSpec().build();
    }

    @Test
    void aClassLessIngressGetsTheNewestDefault() {
        Ingress ing = ingress(null, Map.of());
        DefaultIngressClass.admit(ing, List.of(ic("old", true, "2026-01-01T00:00:00Z"),
                ic("new", true, "2026-02-01T00:00:00Z"), ic("newer-not-default", false, "2026-03-01T00:00:00Z")));
        assertThat(ing.getSpec().getIngressClassName()).isEqualTo("new");
    }

    @Test
    void anExplicitClassTheAnnotationOrNoDefaultLeaveItAlone() {
        List<IngressClass> classes = List.of(ic("d", true, "2026-01-01T00:00:00Z"));
        Ingress named = ingress("other", Map.of());
        DefaultIngressClass.admit(named, classes);
        assertThat(named.getSpec().getIngressClassName()).isEqualTo("other");
        Ingress annotated = ingress(null, Map.of(DefaultIngressClass.CLASS_ANNOTATION, "nginx"));
        DefaultIngressClass.admit(annotated, classes);
        assertThat(annotated.getSpec().getIngressClassName()).isNull();
        Ingress none = ingress(null, Map.of());
        DefaultIngressClass.admit(none, List.of(ic("x", false, "2026-01-01T00:00:00Z")));
        assertThat(none.getSpec().getIngressClassName()).isNull();
    }
}
