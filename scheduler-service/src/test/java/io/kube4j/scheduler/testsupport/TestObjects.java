package io.kube4j.scheduler.testsupport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

/** Compact builders for the nodes and pods of plugin tables. */
public final class TestObjects {

    private TestObjects() {
    }

    /** A node with allocatable {@code cpu}, {@code memory} (and 110 pods unless given). */
    public static NodeBuilder node(String name, String cpu, String memory) {
        Map<String, Quantity> alloc = new HashMap<>();
        alloc.put("cpu", new Quantity(cpu));
        alloc.put("memory", new Quantity(memory));
        alloc.put("pods", new Quantity("110"));
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().endSpec()
                .withNewStatus().withCapacity(alloc).withAllocatable(alloc).endStatus();
    }

    public static Node node(String name) {
        return node(name, "4", "8Gi").build();
    }

    public static Container container(String name, String... requests) {
        Map<String, Quantity> req = new HashMap<>();
        for (int i = 0; i < requests.length; i += 2) {
            req.put(requests[i], new Quantity(requests[i + 1]));
        }
        return new ContainerBuilder().withName(name).withImage("busybox").withNewResources().withRequests(req)
                .endResources().build();
    }

    /** A pod with one container requesting {@code requests} as name/amount pairs ({@code "cpu", "500m"}). */
    public static PodBuilder pod(String name, String... requests) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name)
                .endMetadata().withNewSpec().withSchedulerName("default-scheduler")
                .withContainers(container("c", requests)).endSpec();
    }

    public static Taint taint(String key, String value, String effect) {
        return new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build();
    }

    public static Toleration toleration(String key, String op, String value, String effect) {
        return new TolerationBuilder().withKey(key).withOperator(op).withValue(value).withEffect(effect).build();
    }

    public static List<Taint> taints(Taint... t) {
        return new ArrayList<>(List.of(t));
    }
}
