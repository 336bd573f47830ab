package io.kube4j.controller.podgc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import reactor.core.publisher.Mono;

/** {@link PodGcControl} over the apiserver. */
public final class KubePodGcControl implements PodGcControl {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final KubeClient client;

    public KubePodGcControl(KubeClient client) {
        this.client = client;
    }

    @Override
    public boolean nodeExists(String name) {
        try {
            client.resources(Node.class).get(null, name).block(TIMEOUT);
            return true;
        } catch (ApiStatusException.NotFound e) {
            return false;
        }
    }

    @Override
    public Mono<Void> markFailedAndDelete(Pod pod, PodCondition condition) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String uid = pod.getMetadata().getUid();
        Mono<?> fail = PodGc.isTerminated(pod) ? Mono.empty()
                : client.resources(Pod.class).updateWithRetry(ns, name, current -> {
                    if (uid != null && !uid.equals(current.getMetadata().getUid())) {
                        throw new ApiStatusException.NotFound(404, null, "pod " + ns + "/" + name + " was replaced");
                    }
                    if (PodGc.isTerminated(current)) {
                        return null;
                    }
                    if (current.getStatus() == null) {
                        current.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
                    }
                    current.getStatus().setPhase("Failed");
                    if (condition != null) {
                        List<PodCondition> conditions = new ArrayList<>();
                        if (current.getStatus().getConditions() != null) {
                            current.getStatus().getConditions().stream()
                                    .filter(c -> !condition.getType().equals(c.getType())).forEach(conditions::add);
                        }
                        conditions.add(condition);
                        current.getStatus().setConditions(conditions);
                    }
                    return current;
                }, true);
        return fail.then(client.resources(Pod.class).delete(ns, name, new DeleteOptions(0L, null, uid, null)))
                .then()
                .onErrorResume(ApiStatusException.NotFound.class, e -> Mono.empty());
    }
}
