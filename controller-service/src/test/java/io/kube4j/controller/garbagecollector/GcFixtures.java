package io.kube4j.controller.garbagecollector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.util.Clock;
import io.kube4j.client.workqueue.DefaultRateLimitingQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Objects, references and queues for the collector's unit tests. */
final class GcFixtures {

    static final ResourceRegistry REGISTRY = ResourceRegistry.builtin();
    static final ResourceType DEPLOYMENT = REGISTRY.byKind("apps/v1", "Deployment").orElseThrow();
    static final ResourceType REPLICASET = REGISTRY.byKind("apps/v1", "ReplicaSet").orElseThrow();
    static final ResourceType POD = REGISTRY.byKind("v1", "Pod").orElseThrow();
    static final ResourceType NODE = REGISTRY.byKind("v1", "Node").orElseThrow();
    static final String NS = "ns1";

    private GcFixtures() {
    }

    static ObjectMeta meta(String name, String uid, OwnerReference... owners) {
        return new ObjectMetaBuilder().withName(name).withNamespace(NS).withUid(uid).withResourceVersion("7")
                .withOwnerReferences(owners.length == 0 ? null : List.of(owners)).build();
    }

    static ObjectMeta deleting(ObjectMeta m, String... finalizers) {
        return new ObjectMetaBuilder(m).withDeletionTimestamp("2026-11-27T08:00:00Z")
                .withFinalizers(finalizers.length == 0 ? null : List.of(finalizers)).build();
    }

    static OwnerReference ref(ResourceType t, String name, String uid, boolean block) {
        return new OwnerReferenceBuilder().withApiVersion(t.apiVersion()).withKind(t.kind()).withName(name)
                .withUid(uid).withController(true).withBlockOwnerDeletion(block).build();
    }

    static ObjectReference id(ResourceType t, ObjectMeta m) {
        return GraphBuilder.identityOf(t, m);
    }

    static DefaultRateLimitingQueue<Node> queue(String name) {
        return new DefaultRateLimitingQueue<>(name, Clock.system(), new SimpleMeterRegistry());
    }

    /** Takes every queued node (marking each done), in queue order. */
    static List<Node> drain(DefaultRateLimitingQueue<Node> q) throws InterruptedException {
        List<Node> out = new ArrayList<>();
        Node n;
        while ((n = q.poll(Duration.ZERO)) != null) {
            out.add(n);
            q.done(n);
        }
        return out;
    }
}
