package io.kube4j.controller.endpoint;

import static io.kube4j.controller.endpoint.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

/** Pod events become the keys of the services selecting the pod, and only when endpoints can change. */
class PodHandlerTest {

    private final List<String> keys = new ArrayList<>();
    private final Service web = TestObjects.service("ns", "web", "10.96.0.1", List.of());
    private final Service db = new ServiceBuilder(TestObjects.service("ns", "db", "10.96.0.2", List.of())).editSpec()
            .withSelector(Map.of("app", "db")).endSpec().build();
    private final Service all = new ServiceBuilder(TestObjects.service("ns", "all", "10.96.0.3", List.of())).editSpec()
            .withSelector(Map.of("tier", "x")).endSpec().build();
    private final Service noSelector = new ServiceBuilder(TestObjects.service("ns", "manual", "10.96.0.4", List.of()))
            .editSpec().withSelector(null).endSpec().build();
    private final EndpointsController.PodHandler handler = new EndpointsController.PodHandler(
            ns -> ns.equals("ns") ? List.of(web, db, all, noSelector) : List.of(), (ns, s) -> keys.add(ns + "/" + s));

    private static Pod next(Pod p) {
        return new PodBuilder(p).editMetadata().withResourceVersion(
                String.valueOf(Long.parseLong(p.getMetadata().getResourceVersion()) + 1)).endMetadata().build();
    }

    @Test
    void addsAndDeletesGoToTheSelectingServices() {
        handler.onAdd(pod("ns", "a", "10.0.0.1", true));
        handler.onDelete(pod("ns", "a", "10.0.0.1", true), false);
        handler.onAdd(pod("other", "b", "10.0.0.1", true));
        assertThat(keys).containsExactly("ns/web", "ns/web");
    }

    @Test
    void unrelatedUpdatesAndResyncsCostNothing() {
        Pod p = pod("ns", "a", "10.0.0.1", true);
        handler.onUpdate(p, p); // resync: same resourceVersion
        handler.onUpdate(p, new PodBuilder(next(p)).editMetadata().withAnnotations(Map.of("k", "v")).endMetadata().build());
        assertThat(keys).isEmpty();
    }

    @Test
    void readinessChangesSyncTheServicesOfThePod() {
        Pod p = pod("ns", "a", "10.0.0.1", true);
        Pod unready = next(pod("ns", "a", "10.0.0.1", false));
        handler.onUpdate(p, unready);
        assertThat(keys).containsExactly("ns/web");
    }

    @Test
    void labelChangesSyncTheServicesThatGainedOrLostThePod() {
        Pod p = new PodBuilder(pod("ns", "a", "10.0.0.1", true)).editMetadata()
                .withLabels(Map.of("app", "web", "tier", "x")).endMetadata().build();
        Pod moved = new PodBuilder(next(p)).editMetadata().withLabels(Map.of("app", "db", "tier", "x")).endMetadata()
                .build();
        handler.onUpdate(p, moved);
        assertThat(keys).containsExactlyInAnyOrder("ns/web", "ns/db");
    }
}
