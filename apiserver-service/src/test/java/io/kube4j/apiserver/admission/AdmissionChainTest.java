package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chain: mutating plugins in order, then validating ones; disabled and non-applying plugins left out. */
class AdmissionChainTest {

    static final ResourceType CONFIGMAPS = ResourceRegistry.builtin().byPath("", "v1", "configmaps").orElseThrow();
    static final ResourceType SECRETS = ResourceRegistry.builtin().byPath("", "v1", "secrets").orElseThrow();

    record Labeler(String name, List<String> calls) implements MutatingAdmissionPlugin {
        @Override
        public boolean appliesTo(Operation op, ResourceType type, String sub, UserInfo user) {
            return type.plural().equals("configmaps");
        }

        @Override
        public Mono<HasMetadata> admit(AdmissionAttributes a) {
            calls.add(name);
            a.object().getMetadata().getLabels().put(name, "x");
            return Mono.just(a.object());
        }
    }

    record Denier(String name, List<String> calls, String deny) implements ValidatingAdmissionPlugin {
        @Override
        public Mono<Void> validate(AdmissionAttributes a) {
            calls.add(name + ":" + a.object().getMetadata().getLabels().keySet());
            return a.object().getMetadata().getLabels().containsKey(deny)
                    ? Mono.error(ApiException.forbidden(a.type(), a.name(), "denied by " + name)) : Mono.empty();
        }
    }

    static AdmissionAttributes create(ResourceType t) {
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("c").withLabels(new java.util.HashMap<>())
                .endMetadata().build();
        return new AdmissionAttributes(Operation.CREATE, t, "", "ns", "c", cm, null, UserInfo.of("u"), false, null);
    }

    @Test
    void mutatingInOrderThenValidatingSeesTheFinalObject() {
        List<String> calls = new ArrayList<>();
        AdmissionChain chain = new AdmissionChain(List.of(new Denier("v1", calls, "never"), new Labeler("a", calls),
                new Labeler("b", calls), new Denier("v2", calls, "never")), List.of());
        AdmissionAttributes a = create(CONFIGMAPS);
        HasMetadata out = chain.admit(a).block();
        chain.validate(a.withObject(out)).block();
        assertThat(calls).containsExactly("a", "b", "v1:[a, b]", "v2:[a, b]");
        assertThat(chain.enabledPlugins()).containsExactly("v1", "a", "b", "v2");
    }

    @Test
    void disabledPluginsAreLeftOutAndADenialStopsTheChain() {
        List<String> calls = new ArrayList<>();
        AdmissionChain chain = new AdmissionChain(List.of(new Labeler("a", calls), new Labeler("b", calls),
                new Denier("v1", calls, "a"), new Denier("v2", calls, "never")), List.of("b"));
        AdmissionAttributes a = create(CONFIGMAPS);
        HasMetadata out = chain.admit(a).block();
        assertThatThrownBy(() -> chain.validate(a.withObject(out)).block()).isInstanceOf(ApiException.class)
                .hasMessage("denied by v1");
        assertThat(calls).containsExactly("a", "v1:[a]");
    }

    @Test
    void appliesOnlyWhenAPluginLooksAtTheRequest() {
        AdmissionChain chain = new AdmissionChain(List.of(new Labeler("a", new ArrayList<>())), List.of());
        assertThat(chain.applies(Operation.CREATE, CONFIGMAPS, "", UserInfo.of("u"))).isTrue();
        assertThat(chain.applies(Operation.CREATE, SECRETS, "", UserInfo.of("u"))).isFalse();
        assertThat(AdmissionChain.none().applies(Operation.DELETE, SECRETS, "", UserInfo.of("u"))).isFalse();
        AdmissionAttributes s = create(SECRETS);
        assertThat(chain.admit(s).block()).isSameAs(s.object());
    }
}
