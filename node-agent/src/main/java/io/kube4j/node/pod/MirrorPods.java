package io.kube4j.node.pod;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.source.StaticPods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirror pods: the apiserver's read-only copies of this node's static pods (annotated
 * {@code kubernetes.io/config.mirror: <hash>}, owned by the Node), created when missing or outdated, deleted when
 * the static pod goes, recreated when someone deletes them. Statuses of static pods are written to them.
 */
final class MirrorPods {

    private static final Logger log = LoggerFactory.getLogger(MirrorPods.class);

    private final NodeContext ctx;
    private final ResourceClient<Pod> pods;
    /** Mirror pods seen in the apiserver, by namespace/name. */
    private final Map<String, Pod> observed = new ConcurrentHashMap<>();
    /** Static pods that want a mirror, by namespace/name. */
    private final Map<String, Pod> wanted = new ConcurrentHashMap<>();
    private final Map<String, Boolean> inFlight = new ConcurrentHashMap<>();
    private volatile Consumer<String> onChange = uid -> { };
    private volatile String nodeUid;

    MirrorPods(NodeContext ctx, ResourceClient<Pod> pods) {
        this.ctx = ctx;
        this.pods = pods;
    }

    void start(Consumer<String> onChange) {
        this.onChange = onChange;
    }

    void stop() {
    }

    Pod mirrorOf(Pod staticPod) {
        Pod m = observed.get(key(staticPod));
        return m != null && hashOf(staticPod).equals(mirrorHash(m)) ? m : null;
    }

    void want(Pod staticPod) {
        String k = key(staticPod);
        wanted.put(k, staticPod);
        Pod m = observed.get(k);
        if (m != null && hashOf(staticPod).equals(mirrorHash(m)) && m.getMetadata().getDeletionTimestamp() == null) {
            return;
        }
        if (inFlight.putIfAbsent(k, Boolean.TRUE) != null) {
            return;
        }
        if (m != null) { // outdated (or being deleted): replace it
            pods.delete(m.getMetadata().getNamespace(), m.getMetadata().getName(),
                    new DeleteOptions(0L, null, m.getMetadata().getUid(), null))
                    .onErrorResume(e -> reactor.core.publisher.Mono.empty())
                    .then(reactor.core.publisher.Mono.fromRunnable(() -> observed.remove(k, m)))
                    .then(create(staticPod)).subscribe(p -> done(k, p), e -> failed(k, e));
        } else {
            create(staticPod).subscribe(p -> done(k, p), e -> failed(k, e));
        }
    }

    void unwant(Pod staticPod) {
        String k = key(staticPod);
        wanted.remove(k);
        Pod m = observed.get(k);
        if (m != null) {
            pods.delete(m.getMetadata().getNamespace(), m.getMetadata().getName(),
                    new DeleteOptions(0L, null, m.getMetadata().getUid(), null))
                    .subscribe(x -> observed.remove(k, m), e -> {
                        if (!(e instanceof ApiStatusException a && a.code() == 404)) {
                            log.warn("deleting mirror pod {}: {}", k, e.toString());
                        }
                    });
        }
    }

    void observed(Pod mirror) {
        String k = key(mirror);
        observed.put(k, mirror);
        Pod s = wanted.get(k);
        if (s != null) {
            onChange.accept(s.getMetadata().getUid());
        }
    }

    void observedGone(Pod mirror) {
        String k = key(mirror);
        observed.remove(k);
        Pod s = wanted.get(k);
        if (s != null) {
            log.info("mirror pod {} was deleted: recreating it", k);
            want(s);
        }
    }

    private reactor.core.publisher.Mono<Pod> create(Pod staticPod) {
        Pod m = Codecs.json().convertValue(staticPod, Pod.class);
        ObjectMeta meta = m.getMetadata();
        meta.setUid(null);
        meta.setResourceVersion(null);
        Map<String, String> ann = new HashMap<>(meta.getAnnotations());
        ann.put(StaticPods.CONFIG_MIRROR, hashOf(staticPod));
        meta.setAnnotations(ann);
        m.setStatus(null);
        return nodeUid().map(uid -> {
            meta.setOwnerReferences(List.of(new OwnerReference("v1", null, null, "Node", ctx.nodeName(), uid)));
            return m;
        }).defaultIfEmpty(m).flatMap(pods::create).timeout(Duration.ofSeconds(30));
    }

    private reactor.core.publisher.Mono<String> nodeUid() {
        if (nodeUid != null) {
            return reactor.core.publisher.Mono.just(nodeUid);
        }
        return ctx.client().resources(Node.class).get(null, ctx.nodeName()).map(n -> {
            nodeUid = n.getMetadata().getUid();
            return nodeUid;
        }).onErrorResume(e -> reactor.core.publisher.Mono.empty());
    }

    private void done(String k, Pod created) {
        inFlight.remove(k);
        observed.put(k, created);
        Pod s = wanted.get(k);
        if (s != null) {
            onChange.accept(s.getMetadata().getUid());
        }
    }

    private void failed(String k, Throwable e) {
        inFlight.remove(k);
        if (e instanceof ApiStatusException a && a.code() == 409) {
            return; // it exists: the informer brings it
        }
        log.warn("creating mirror pod {} failed: {}", k, e.toString());
    }

    private static String key(Pod p) {
        return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    }

    private static String hashOf(Pod staticPod) {
        return staticPod.getMetadata().getAnnotations().get(StaticPods.CONFIG_HASH);
    }

    private static String mirrorHash(Pod mirror) {
        var a = mirror.getMetadata().getAnnotations();
        return a == null ? "" : a.getOrDefault(StaticPods.CONFIG_MIRROR, "");
    }
}
