package io.kube4j.addons.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import reactor.core.publisher.Mono;

/** The default IngressClass: created when missing, an existing one left alone. */
class DefaultIngressClassTest {

    @SuppressWarnings("unchecked")
    private final ResourceClient<IngressClass> classes = mock(ResourceClient.class);

    @Test
    void theClassIsKube4jsAndTheDefault() {
        IngressClass c = DefaultIngressClass.of("kube4j.io/ingress");
        assertThat(c.getMetadata().getName()).isEqualTo("kube4j");
        assertThat(c.getSpec().getController()).isEqualTo("kube4j.io/ingress");
        assertThat(c.getMetadata().getAnnotations())
                .containsEntry("ingressclass.kubernetes.io/is-default-class", "true");
    }

    @Test
    void createsTheClassWhenMissing() {
        when(classes.create(any())).thenAnswer(inv -> Mono.just(inv.getArgument(0)));
        assertThat(DefaultIngressClass.ensure(classes, "example.com/edge", Duration.ofSeconds(1))).isTrue();
        ArgumentCaptor<IngressClass> created = ArgumentCaptor.forClass(IngressClass.class);
        verify(classes).create(created.capture());
        assertThat(created.getValue().getSpec().getController()).isEqualTo("example.com/edge");
    }

    @Test
    void leavesAnExistingClassAlone() {
        Status status = new Status();
        status.setReason("AlreadyExists");
        when(classes.create(any())).thenReturn(Mono.error(
                ApiStatusException.of(409, status, "ingressclasses.networking.k8s.io \"kube4j\" already exists")));
        assertThat(DefaultIngressClass.ensure(classes, "kube4j.io/ingress", Duration.ofSeconds(1))).isFalse();
    }
}
