package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

import java.util.Collection;
import java.util.Objects;

/**
 * Kubernetes' {@code Priority} admission plugin: a new pod's {@code priorityClassName} (or the global default
 * class) becomes its {@code spec.priority} and {@code spec.preemptionPolicy}, and a pod that asks for other
 * values is refused; a PriorityClass may only become the global default while no other class is one.
 */
@Order(AdmissionOrder.PRIORITY)
public final class PriorityAdmission implements MutatingAdmissionPlugin, ValidatingAdmissionPlugin {

    private final PriorityClassLookup classes;

    public PriorityAdmission(PriorityClassLookup classes) {
        this.classes = classes;
    }

    @Override
    public String name() {
        return "Priority";
    }

    @Override
    public boolean appliesTo(AdmissionAttributes.Operation op, ResourceType type, String subresource, UserInfo user) {
        if (!subresource.isEmpty()) {
            return false;
        }
        if (CoreResources.isPods(type)) {
            return op == AdmissionAttributes.Operation.CREATE;
        }
        return isPriorityClasses(type)
                && (op == AdmissionAttributes.Operation.CREATE || op == AdmissionAttributes.Operation.UPDATE);
    }

    private static boolean isPriorityClasses(ResourceType type) {
        return type.group().equals("scheduling.k8s.io") && type.plural().equals("priorityclasses");
    }

    /** Pods: resolves the priority (the priority classes themselves are checked in {@link #validate}). */
    @Override
    public Mono<HasMetadata> admit(AdmissionAttributes a) {
        if (a.object() instanceof Pod pod) {
            return admitPodCreate(a.type(), pod).thenReturn(pod);
        }
        return Mono.justOrEmpty(a.object());
    }

    /** PriorityClasses: at most one global default. */
    @Override
    public Mono<Void> validate(AdmissionAttributes a) {
        if (a.object() instanceof PriorityClass pc && isPriorityClasses(a.type())) {
            return validateClassWrite(a.type(), pc, a.operation() == AdmissionAttributes.Operation.CREATE);
        }
        return Mono.empty();
    }

    /** Resolves a new pod's priority, or fails with 403 Forbidden as Kubernetes' {@code admitPod} does. */
    public Mono<Void> admitPodCreate(ResourceType podType, Pod pod) {
        if (pod.getSpec() == null) {
            pod.setSpec(new PodSpec());
        }
        PodSpec spec = pod.getSpec();
        String className = spec.getPriorityClassName();
        if (className == null || className.isEmpty()) {
            PriorityClass dpc = globalDefault(classes.cached());
            if (dpc == null) {
                spec.setPriorityClassName(null);
                return Mono.fromRunnable(() -> apply(podType, pod, PriorityClasses.DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS,
                        PriorityClasses.PREEMPT_LOWER_PRIORITY));
            }
            spec.setPriorityClassName(dpc.getMetadata().getName());
            return Mono.fromRunnable(() -> apply(podType, pod, PriorityClasses.value(dpc), dpc.getPreemptionPolicy()));
        }
        return classes.get(className)
                .switchIfEmpty(Mono.error(() -> forbidden(podType, pod,
                        "no PriorityClass with name " + className + " was found")))
                .doOnNext(pc -> apply(podType, pod, PriorityClasses.value(pc), pc.getPreemptionPolicy()))
                .then();
    }

    private static void apply(ResourceType podType, Pod pod, int priority, String preemptionPolicy) {
        PodSpec spec = pod.getSpec();
        if (spec.getPriority() != null && spec.getPriority() != priority) {
            throw forbidden(podType, pod, "the integer value of priority (" + spec.getPriority()
                    + ") must not be provided in pod spec; priority admission controller computed " + priority
                    + " from the given PriorityClass name");
        }
        spec.setPriority(priority);
        // A class stored before preemptionPolicy was defaulted has none: it reads as the default.
        String policy = preemptionPolicy == null ? PriorityClasses.PREEMPT_LOWER_PRIORITY : preemptionPolicy;
        if (spec.getPreemptionPolicy() != null && !spec.getPreemptionPolicy().equals(policy)) {
            throw forbidden(podType, pod, "the string value of PreemptionPolicy (" + spec.getPreemptionPolicy()
                    + ") must not be provided in pod spec; priority admission controller computed " + policy
                    + " from the given PriorityClass name");
        }
        spec.setPreemptionPolicy(policy);
    }

    /**
     * An update keeps the priority resolved at create when the new object leaves it out (a client PUTting an
     * object it built without these fields); pod update validation forbids actually changing them.
     */
    public static void admitPodUpdate(Pod next, Pod old) {
        if (next.getSpec() == null || old.getSpec() == null) {
            return;
        }
        if (next.getSpec().getPriority() == null && old.getSpec().getPriority() != null) {
            next.getSpec().setPriority(old.getSpec().getPriority());
        }
        if (next.getSpec().getPreemptionPolicy() == null && old.getSpec().getPreemptionPolicy() != null) {
            next.getSpec().setPreemptionPolicy(old.getSpec().getPreemptionPolicy());
        }
    }

    /**
     * Refuses a class that would be a second global default (on create, or an update marking another class as
     * default), reading the classes from storage so that two quick writes cannot both pass.
     */
    public Mono<Void> validateClassWrite(ResourceType pcType, PriorityClass pc, boolean create) {
        if (!PriorityClasses.globalDefault(pc)) {
            return Mono.empty();
        }
        String name = pc.getMetadata().getName();
        return classes.current().flatMap(all -> {
            PriorityClass dpc = globalDefault(all);
            if (dpc != null && (create || !dpc.getMetadata().getName().equals(name))) {
                return Mono.error(ApiException.forbidden(pcType, name, pcType.qualifiedName() + " \"" + name
                        + "\" is forbidden: PriorityClass " + dpc.getMetadata().getName()
                        + " is already marked as default. Only one default can exist"));
            }
            return Mono.empty();
        });
    }

    /**
     * The global default class: should a race have made several, the one with the lowest value, as Kubernetes
     * picks it.
     */
    static PriorityClass globalDefault(Collection<PriorityClass> all) {
        PriorityClass found = null;
        for (PriorityClass pc : all) {
            if (PriorityClasses.globalDefault(pc)
                    && (found == null || PriorityClasses.value(found) > PriorityClasses.value(pc))) {
                found = pc;
            }
        }
        return found;
    }

    private static ApiException forbidden(ResourceType podType, Pod pod, String message) {
        String name = pod.getMetadata() == null ? "" : Objects.toString(pod.getMetadata().getName(), "");
        return ApiException.forbidden(podType, name, podType.qualifiedName() + " \"" + name + "\" is forbidden: " + message);
    }
}
