package io.kube4j.addons.dns;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServicePublisherTest {

    /** An in-memory API that records every write. */
    static final class FakeApi implements ServicePublisher.Api {
        final Map<String, HasMetadata> objects = new LinkedHashMap<>();
        final List<String> writes = new ArrayList<>();

        private static String key(Class<?> type, String ns, String name) {
            return type.getSimpleName() + ":" + ns + "/" + name;
        }

        @Override
        public <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
            HasMetadata o = objects.get(key(type, namespace, name));
            return o == null ? null : type.cast(copy(o));
        }

        @SuppressWarnings("unchecked")
        private static <T extends HasMetadata> T copy(T o) {
            // a fresh object each get, as the API returns (builders copy deeply)
            if (o instanceof Service s) {
                return (T) new ServiceBuilder(s).build();
            }
            if (o instanceof Endpoints e) {
                return (T) new io.fabric8.kubernetes.api.model.EndpointsBuilder(e).build();
            }
            if (o instanceof EndpointSlice e) {
                return (T) new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder(e).build();
            }
            return o;
        }

        @Override
        public <T extends HasMetadata> T create(T object) {
            String k = key(object.getClass(), object.getMetadata().getNamespace(), object.getMetadata().getName());
            assertThat(objects).doesNotContainKey(k);
            objects.put(k, copy(object));
            writes.add("create " + k);
            return object;
        }

        @Override
        public <T extends HasMetadata> T update(T object) {
            String k = key(object.getClass(), object.getMetadata().getNamespace(), object.getMetadata().getName());
            assertThat(objects).containsKey(k);
            objects.put(k, copy(object));
            writes.add("update " + k);
            return object;
        }

        @Override
        public <T extends HasMetadata> void delete(Class<T> type, String namespace, String name) {
            objects.remove(key(type, namespace, name));
            writes.add("delete " + key(type, namespace, name));
        }
    }

    private final FakeApi api = new FakeApi();
    private final ServicePublisher publisher = new ServicePublisher(api,
            new ServicePublisher.Target("kube-system", "kube-dns", "10.96.0.10", 10053));

    @Test
    void createsTheServiceEndpointsAndSliceThenWritesNothingWhenRight() {
        assertThat(publisher.publish("192.168.1.5", "node-a")).isTrue();
        assertThat(api.writes).containsExactly("create Service:kube-system/kube-dns",
                "create Endpoints:kube-system/kube-dns", "create EndpointSlice:kube-system/kube-dns");

        Service svc = api.get(Service.class, "kube-system", "kube-dns");
        assertThat(svc.getMetadata().getLabels()).containsEntry("k8s-app", "kube-dns");
        assertThat(svc.getSpec().getClusterIP()).isEqualTo("10.96.0.10");
        assertThat(svc.getSpec().getSelector()).isNullOrEmpty();
        assertThat(svc.getSpec().getPorts()).extracting(p -> p.getName() + " " + p.getPort() + "/" + p.getProtocol()
                + " -> " + p.getTargetPort().getIntVal()).containsExactly("dns 53/UDP -> 10053", "dns-tcp 53/TCP -> 10053");

        Endpoints ep = api.get(Endpoints.class, "kube-system", "kube-dns");
        assertThat(ep.getSubsets()).singleElement().satisfies(s -> {
            assertThat(s.getAddresses()).extracting(a -> a.getIp()).containsExactly("192.168.1.5");
            assertThat(s.getPorts()).extracting(p -> p.getName() + " " + p.getPort() + "/" + p.getProtocol())
                    .containsExactlyInAnyOrder("dns 10053/UDP", "dns-tcp 10053/TCP");
        });
        assertThat(ep.getMetadata().getLabels()).containsEntry(ServicePublisher.SKIP_MIRROR, "true");

        EndpointSlice slice = api.get(EndpointSlice.class, "kube-system", "kube-dns");
        assertThat(slice.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "kube-dns")
                .containsEntry(ServicePublisher.MANAGED_BY, ServicePublisher.MANAGER);
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getAddresses()).containsExactly("192.168.1.5");
            assertThat(e.getConditions().getReady()).isTrue();
            assertThat(e.getNodeName()).isEqualTo("node-a");
        });
        assertThat(slice.getPorts()).extracting(p -> p.getName() + " " + p.getPort() + "/" + p.getProtocol())
                .containsExactlyInAnyOrder("dns 10053/UDP", "dns-tcp 10053/TCP");

        api.writes.clear();
        assertThat(publisher.publish("192.168.1.5", "node-a")).isFalse();
        assertThat(api.writes).isEmpty();
    }

    @Test
    void withoutAnAddressOnlyTheServiceIsPublished() {
        publisher.publish(null, null);
        assertThat(api.writes).containsExactly("create Service:kube-system/kube-dns");
    }

    @Test
    void correctsAMovedAddressAndWrongPortsAndSelector() {
        publisher.publish("192.168.1.5", "node-a");
        Service svc = api.get(Service.class, "kube-system", "kube-dns");
        svc.getSpec().getPorts().get(0).setTargetPort(new IntOrString(53));
        svc.getSpec().setSelector(Map.of("k8s-app", "kube-dns"));
        api.objects.put("Service:kube-system/kube-dns", svc);
        api.writes.clear();

        assertThat(publisher.publish("192.168.1.6", "node-a")).isTrue();
        assertThat(api.writes).containsExactly("update Service:kube-system/kube-dns",
                "update Endpoints:kube-system/kube-dns", "update EndpointSlice:kube-system/kube-dns");
        Service fixed = api.get(Service.class, "kube-system", "kube-dns");
        assertThat(fixed.getSpec().getSelector()).isNullOrEmpty();
        assertThat(fixed.getSpec().getPorts()).allSatisfy(p -> assertThat(p.getTargetPort().getIntVal()).isEqualTo(10053));
        assertThat(api.get(Endpoints.class, "kube-system", "kube-dns").getSubsets().get(0).getAddresses().get(0).getIp())
                .isEqualTo("192.168.1.6");
        assertThat(api.get(EndpointSlice.class, "kube-system", "kube-dns").getEndpoints().get(0).getAddresses())
                .containsExactly("192.168.1.6");
    }

    @Test
    void aWrongClusterIpIsReplacedByDeletingAndCreating() {
        api.create(new ServiceBuilder().withNewMetadata().withNamespace("kube-system").withName("kube-dns").endMetadata()
                .withNewSpec().withClusterIP("10.96.0.77").endSpec().build());
        api.writes.clear();
        publisher.publish(null, null);
        assertThat(api.writes).containsExactly("delete Service:kube-system/kube-dns", "create Service:kube-system/kube-dns");
        assertThat(api.get(Service.class, "kube-system", "kube-dns").getSpec().getClusterIP()).isEqualTo("10.96.0.10");
    }

    @Test
    void theAddressIsTheNamedNodesInternalIpElseTheFirstNodeWithOne() {
        List<Node> nodes = List.of(node("b", "10.0.0.2"), node("a", null), node("c", "10.0.0.3"));
        assertThat(ServicePublisher.internalIp(nodes, "c")).contains("10.0.0.3");
        assertThat(ServicePublisher.internalIp(nodes, "")).contains("10.0.0.2");
        assertThat(ServicePublisher.internalIp(nodes, "a")).isEmpty();
        assertThat(ServicePublisher.internalIp(nodes, "zz")).isEmpty();
    }

    private static Node node(String name, String ip) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
        if (ip != null) {
            b.withNewStatus().addNewAddress().withType("Hostname").withAddress(name).endAddress()
                    .addNewAddress().withType("InternalIP").withAddress(ip).endAddress().endStatus();
        }
        return b.build();
    }
}
