package io.kube4j.apiserver.proxy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.apiserver.rest.ApiException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.reactive.function.server.MockServerRequest;

import java.net.URI;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubeletProxyTest {

    private static MockServerRequest request(String query) {
        MockServerRequest.Builder b = MockServerRequest.builder().uri(URI.create("/api/v1/namespaces/a/pods/p/log?" + query));
        for (String kv : query.split("&")) {
            if (!kv.isEmpty()) {
                String[] p = kv.split("=", 2);
                b.queryParam(p[0], p.length > 1 ? p[1] : "");
            }
        }
        return b.build();
    }

    @Test
    void logParametersPassThroughChecked() {
        assertThat(KubeletProxy.logQuery(request("follow=true&tailLines=10&timestamps=1&container=c")))
                .isEqualTo("?follow=true&timestamps=true&tailLines=10");
        assertThat(KubeletProxy.logQuery(request("previous=false&sinceTime=2026-01-02T03:04:05Z&limitBytes=5")))
                .isEqualTo("?limitBytes=5&sinceTime=2026-01-02T03%3A04%3A05Z");
        assertThat(KubeletProxy.logQuery(request(""))).isEmpty();
        for (String bad : new String[] {"tailLines=abc", "tailLines=-1", "limitBytes=0", "sinceSeconds=0",
                "sinceTime=yesterday", "follow=maybe", "sinceSeconds=5&sinceTime=2026-01-02T03:04:05Z"}) {
            assertThatThrownBy(() -> KubeletProxy.logQuery(request(bad))).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        }
    }

    private static Pod pod(String defaultContainer, String... containers) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .addNewInitContainer().withName("init").endInitContainer().endSpec();
        if (defaultContainer != null) {
            b.editMetadata().addToAnnotations("kubectl.kubernetes.io/default-container", defaultContainer).endMetadata();
        }
        for (String c : containers) {
            b.editSpec().addNewContainer().withName(c).endContainer().endSpec();
        }
        return b.build();
    }

    @Test
    void containerDefaulting() {
        assertThat(KubeletProxy.container(pod(null, "app"), Optional.empty())).isEqualTo("app");
        assertThat(KubeletProxy.container(pod(null, "app", "side"), Optional.of("side"))).isEqualTo("side");
        assertThat(KubeletProxy.container(pod(null, "app", "side"), Optional.of("init"))).isEqualTo("init");
        assertThat(KubeletProxy.container(pod("side", "app", "side"), Optional.empty())).isEqualTo("side");
        assertThatThrownBy(() -> KubeletProxy.container(pod(null, "app", "side"), Optional.empty()))
                .hasMessage("a container name must be specified for pod p, choose one of: [app, side]");
        assertThatThrownBy(() -> KubeletProxy.container(pod(null, "app"), Optional.of("nope")))
                .hasMessage("container nope is not valid for pod p");
    }
}
