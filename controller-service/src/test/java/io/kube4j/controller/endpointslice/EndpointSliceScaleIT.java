package io.kube4j.controller.endpointslice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.controller.endpoint.EndpointControllerFactory;
import io.kube4j.controller.endpoint.EndpointControllerProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** 250 ready pods behind one Service: three slices of at most 100 endpoints, and all 250 addresses in Endpoints. */
class EndpointSliceScaleIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NODE = "ep-scale-node-" + UUID.randomUUID().toString().substring(0, 6);
    private static final int PODS = 250;

    private static KubeClient client;
    private static String ns;
    private static ControllerManager manager;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        ns = ControllerTestEnv.namespace("ep-scale");
        client.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build())
                .block(WAIT);
        manager = ControllerTestEnv.start(new EndpointControllerFactory(EndpointControllerProperties.defaults()),
                new EndpointSliceControllerFactory(EndpointSliceControllerProperties.defaults()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (manager != null) {
            manager.stop();
        }
        if (client != null) {
            client.resources(Node.class).delete(null, NODE, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
            client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
        }
    }

    private static List<EndpointSlice> slices() {
        return client.resources(EndpointSlice.class)
                .list(ns, ListOptions.all().withLabelSelector("kubernetes.io/service-name=many")).block(WAIT).getItems();
    }

    private static int readyAddresses() {
        try {
            Endpoints ep = client.resources(Endpoints.class).get(ns, "many").block(WAIT);
            return ep.getSubsets().stream().mapToInt(s -> s.getAddresses().size()).sum();
        } catch (ApiStatusException.NotFound e) {
            return 0;
        }
    }

    @Test
    void twoHundredFiftyPodsMakeThreeSlicesOfAtMostOneHundred() {
        client.resources(Service.class).create(new ServiceBuilder().withNewMetadata().withName("many").withNamespace(ns)
                .endMetadata().withNewSpec().withSelector(Map.of("app", "many"))
                .withPorts(new ServicePortBuilder().withPort(80).withProtocol("TCP").withTargetPort(new IntOrString(8080))
                        .build()).endSpec().build()).block(WAIT);
        AtomicInteger ips = new AtomicInteger();
        long t0 = System.nanoTime();
        Flux.fromIterable(IntStream.range(0, PODS).mapToObj(i -> String.format("many-%03d", i)).toList())
                .flatMap(name -> Flux.defer(() -> {
                    Pod pod = client.resources(Pod.class).create(new PodBuilder().withNewMetadata().withName(name)
                            .withNamespace(ns).withLabels(Map.of("app", "many")).endMetadata().withNewSpec()
                            .withNodeName(NODE).withContainers(new ContainerBuilder().withName("c").withImage("busybox")
                                    .build()).endSpec().build()).block(WAIT);
                    // the status as an agent would write it, on the created object (its resourceVersion guards it)
                    int i = ips.incrementAndGet();
                    pod.getStatus().setPhase("Running");
                    pod.getStatus().setPodIP("10.245." + (i / 250) + "." + (i % 250 + 1));
                    pod.getStatus().setConditions(new ArrayList<>(List.of(new PodConditionBuilder().withType("Ready")
                            .withStatus("True").withLastTransitionTime(Instant.now().toString()).build())));
                    client.resources(Pod.class).updateStatus(pod).block(WAIT);
                    return Flux.empty();
                }).subscribeOn(Schedulers.boundedElastic()), 16)
                .blockLast(Duration.ofSeconds(90));
        long written = (System.nanoTime() - t0) / 1_000_000;
        await().atMost(WAIT).untilAsserted(() -> {
            List<EndpointSlice> sl = slices();
            // at least ceil(250 / 100) = 3; like Kubernetes' reconciler this one never repacks existing slices, so
            // endpoints that turn ready across several syncs (a loaded machine) can leave a slice partly filled and
            // need a fourth (it failed a CI run under load asserting exactly 3)
            assertThat(sl).hasSizeBetween(3, 4);
            assertThat(sl).allSatisfy(s -> assertThat(s.getEndpoints()).hasSizeLessThanOrEqualTo(100));
            assertThat(sl.stream().mapToInt(s -> s.getEndpoints().size()).sum()).isEqualTo(PODS);
            assertThat(readyAddresses()).isEqualTo(PODS);
        });
        System.out.println("[EndpointSliceScaleIT] " + PODS + " pods created and made ready in " + written
                + " ms; Endpoints and slices complete after " + (System.nanoTime() - t0) / 1_000_000
                + " ms; slices of " + slices().stream().map(s -> s.getEndpoints().size()).sorted().toList());
    }
}
