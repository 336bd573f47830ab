package io.kube4j.controller.common;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.events.EventRecorder;
import reactor.core.publisher.Mono;

/** The real {@link PodControl}: writes through the apiserver and records events, as Kubernetes' RealPodControl. */
public final class ApiPodControl implements PodControl {

    private final ResourceClient<Pod> pods;
    private final EventRecorder recorder;

    public ApiPodControl(ResourceClient<Pod> pods, EventRecorder recorder) {
        this.pods = pods;
        this.recorder = recorder;
    }

    /** The pod {@link #createPod} would create, as Kubernetes' {@code GetPodFromTemplate}. */
    public static Pod podFromTemplate(String namespace, PodTemplateSpec template, HasMetadata owner,
            OwnerReference controllerRef) {
        return podFromTemplate(namespace, template, owner, controllerRef, owner.getMetadata().getName() + "-");
    }

    /** {@link #podFromTemplate(String, PodTemplateSpec, HasMetadata, OwnerReference)} named {@code generateName}. */
    public static Pod podFromTemplate(String namespace, PodTemplateSpec template, HasMetadata owner,
            OwnerReference controllerRef, String generateName) {
        ObjectMeta tm = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        Map<String, String> labels = tm.getLabels() == null ? new HashMap<>() : new HashMap<>(tm.getLabels());
        Map<String, String> annotations = tm.getAnnotations() == null ? null : new HashMap<>(tm.getAnnotations());
        List<String> finalizers = tm.getFinalizers() == null ? null : new ArrayList<>(tm.getFinalizers());
        PodSpec spec = template.getSpec() == null ? new PodSpec()
                : new PodBuilder().withSpec(template.getSpec()).build().getSpec(); // a deep copy
        ObjectMeta meta = new ObjectMeta();
        meta.setNamespace(namespace);
        meta.setGenerateName(generateName);
        meta.setLabels(labels);
        meta.setAnnotations(annotations);
        meta.setFinalizers(finalizers);
        if (controllerRef != null) {
            meta.setOwnerReferences(new ArrayList<>(List.of(controllerRef)));
        }
        return new PodBuilder().withMetadata(meta).withSpec(spec).build();
    }

    @Override
    public Mono<Pod> createPod(String namespace, PodTemplateSpec template, HasMetadata owner,
            OwnerReference controllerRef) {
        return createPod(namespace, template, owner, controllerRef, owner.getMetadata().getName() + "-");
    }

    @Override
    public Mono<Pod> createPod(String namespace, PodTemplateSpec template, HasMetadata owner,
            OwnerReference controllerRef, String generateName) {
        Pod pod = podFromTemplate(namespace, template, owner, controllerRef, generateName);
        if (pod.getMetadata().getLabels().isEmpty()) {
            return Mono.error(new IllegalArgumentException("unable to create pods, no labels"));
        }
        HasMetadata involved = involved(owner, controllerRef);
        return pods.create(pod)
                .doOnNext(created -> recorder.event(involved, EventRecorder.NORMAL, SUCCESSFUL_CREATE,
                        "Created pod: " + created.getMetadata().getName()))
                .doOnError(e -> recorder.event(involved, EventRecorder.WARNING, FAILED_CREATE,
                        "Error creating: " + e.getMessage()));
    }

    @Override
    public Mono<Void> deletePod(String namespace, String name, HasMetadata owner) {
        HasMetadata involved = involved(owner, null);
        return pods.delete(namespace, name, DeleteOptions.defaults())
                .doOnSuccess(d -> recorder.event(involved, EventRecorder.NORMAL, SUCCESSFUL_DELETE,
                        "Deleted pod: " + name))
                .doOnError(e -> {
                    if (!(e instanceof ApiStatusException.NotFound)) {
                        recorder.event(involved, EventRecorder.WARNING, FAILED_DELETE,
                                "Error deleting: " + e.getMessage());
                    }
                })
                .then();
    }

    /** Informer objects may lack kind/apiVersion; an event needs them. */
    private static HasMetadata involved(HasMetadata owner, OwnerReference ref) {
        if (owner.getKind() != null && owner.getApiVersion() != null) {
            return owner;
        }
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setMetadata(owner.getMetadata());
        r.setKind(owner.getKind() != null ? owner.getKind() : ref != null ? ref.getKind() : null);
        r.setApiVersion(owner.getApiVersion() != null ? owner.getApiVersion()
                : ref != null ? ref.getApiVersion() : null);
        return r;
    }
}
