package io.kube4j.controller.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import reactor.core.publisher.Mono;

/**
 * A {@link PodControl} that records the pods it was asked to create and delete (Kubernetes' FakePodControl);
 * {@link #failCreate}/{@link #failDelete} choose, by call number (1-based), which calls fail.
 */
public final class FakePodControl implements PodControl {

    public final List<Pod> created = Collections.synchronizedList(new ArrayList<>());
    public final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger createCalls = new AtomicInteger();
    private final AtomicInteger deleteCalls = new AtomicInteger();
    private final AtomicInteger names = new AtomicInteger();
    private volatile IntPredicate failCreate = n -> false;
    private volatile IntPredicate failDelete = n -> false;

    public FakePodControl failCreate(IntPredicate callNumber) {
        this.failCreate = callNumber;
        return this;
    }

    public FakePodControl failDelete(IntPredicate callNumber) {
        this.failDelete = callNumber;
        return this;
    }

    public int createCalls() {
        return createCalls.get();
    }

    public int deleteCalls() {
        return deleteCalls.get();
    }

    @Override
    public Mono<Pod> createPod(String namespace, PodTemplateSpec template, HasMetadata owner,
            OwnerReference controllerRef) {
        return createPod(namespace, template, owner, controllerRef, owner.getMetadata().getName() + "-");
    }

    @Override
    public Mono<Pod> createPod(String namespace, PodTemplateSpec template, HasMetadata owner,
            OwnerReference controllerRef, String generateName) {
        int n = createCalls.incrementAndGet();
        if (failCreate.test(n)) {
            return Mono.error(new IllegalStateException("injected create failure #" + n));
        }
        Pod pod = ApiPodControl.podFromTemplate(namespace, template, owner, controllerRef, generateName);
        pod.getMetadata().setName(pod.getMetadata().getGenerateName() + names.incrementAndGet());
        pod.getMetadata().setUid("pod-uid-" + pod.getMetadata().getName());
        created.add(pod);
        return Mono.just(pod);
    }

    @Override
    public Mono<Void> deletePod(String namespace, String name, HasMetadata owner) {
        int n = deleteCalls.incrementAndGet();
        if (failDelete.test(n)) {
            return Mono.error(new IllegalStateException("injected delete failure #" + n));
        }
        deleted.add(namespace + "/" + name);
        return Mono.empty();
    }
}
